using System.Diagnostics;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Retention;
using JmlDsr.Functions.Verification;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Xunit;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>
/// The real <see cref="DsrOrchestrator"/> on the in-process Durable Task host, with fake activities. Each test
/// gets its own host (xunit makes a new instance per test), so the same reference can be used throughout.
/// Tests wait on conditions (the recorder, or the instance completing), never on fixed sleeps.
/// </summary>
public sealed class DsrOrchestratorTests : IAsyncLifetime
{
    private const string Reference = "DSR-2026-000001";
    private const string Staff = "privacy team";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private readonly FakeActivities _fakes = new();
    private DurableTaskTestHost _host = null!;

    private DurableTaskClient Client => _host.Client;

    private IReadOnlyList<ProgressInput> Progress => _fakes.Inputs<ProgressInput>(nameof(RecordProgress));

    private IReadOnlyList<string> Statuses => Progress.Where(p => p.Status is not null).Select(p => p.Status!).ToList();

    public async Task InitializeAsync() => _host = await TestHosts.StartAsync(_fakes);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Fakes_CoverExactlyTheActivitiesTheHostsRegister() =>
        Assert.Equal(DsrTasks.ActivityNames.Order(StringComparer.Ordinal), _fakes.Names.Order(StringComparer.Ordinal));

    [Fact]
    public async Task AccessRequest_IsConfirmed_GatheredFromEverySystemInParallel_Approved_AndFulfilled()
    {
        _fakes.FanOutGate = TimeSpan.FromSeconds(5);
        await StartAsync();
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(new DsrOutcome(Reference, RequestStatus.Completed, outcome.DueDate, Overdue: false), outcome);
        Assert.Equal(1, _fakes.Count(nameof(SendAcknowledgement)));
        Assert.Equal(1, _fakes.Count(nameof(CheckIdentity)));
        var gathered = _fakes.Inputs<GatherInput>(nameof(GatherFromSystem));
        Assert.Equal(FakeActivities.AllSystems.Order(), gathered.Select(g => g.SystemId).Order());
        Assert.All(gathered, g => Assert.Equal(1, g.Round));
        Assert.True(_fakes.SawParallelFanOut, "No two systems were searched at the same time: the gathering did not fan out.");

        var approval = Assert.Single(_fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)));
        Assert.Equal("approval-1", approval.Step);
        Assert.Equal(FakeActivities.AllSystems, approval.Systems.Select(s => s.SystemId));
        Assert.All(approval.Systems, s => Assert.True(s.Succeeded));

        Assert.Equal(FakeActivities.AllSystems, Assert.Single(_fakes.Inputs<ExportInput>(nameof(BuildAccessExport))).Systems.Select(s => s.SystemId));
        var fulfilment = Assert.Single(_fakes.Inputs<FulfilmentEmailInput>(nameof(SendAccessFulfilment)));
        Assert.Equal($"{Reference}/personal-data.json", fulfilment.Export.JsonBlob);
        Assert.Equal(0, _fakes.Count(nameof(EscalateDeadline)));
        Assert.Equal(0, _fakes.Count(nameof(SendCustomerNotice)));
        Assert.Equal(
            [RequestStatus.AwaitingIdentity, RequestStatus.Gathering, RequestStatus.AwaitingApproval, RequestStatus.Fulfilling, RequestStatus.Completed],
            Statuses);
        Assert.True(Progress[^1].Closed);
    }

    [Fact]
    public async Task NoConfirmationWithinTheWindow_ClosesUnverified_AsNoReply_WithoutGathering()
    {
        await StartAsync(settings: Settings(verificationWindow: TimeSpan.FromSeconds(2)));
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.ClosedUnverified, outcome.Status);
        Assert.True(Assert.Single(_fakes.Inputs<CloseUnverifiedInput>(nameof(CloseUnverified))).NoReply);
        Assert.Equal(0, _fakes.Count(nameof(CheckIdentity)));
        Assert.Equal(0, _fakes.Count(nameof(GatherFromSystem)));
        Assert.Equal(0, _fakes.Count(nameof(SendApprovalRequest)));
        Assert.Equal([RequestStatus.AwaitingIdentity, RequestStatus.ClosedUnverified], Statuses);
    }

    [Fact]
    public async Task ConfirmedButUnknownAddress_BeforeVersion3_ClosesUnverified_NotAsNoReply()
    {
        _fakes.IdentityKnown = false;
        await StartAsync(version: DsrVersions.ShortWorkflows);
        await ConfirmAsync();
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.ClosedUnverified, outcome.Status);
        Assert.False(Assert.Single(_fakes.Inputs<CloseUnverifiedInput>(nameof(CloseUnverified))).NoReply);
        Assert.Equal(1, _fakes.Count(nameof(VerifyIdentity)));
        Assert.Equal(0, _fakes.Count(nameof(AssessIdentity)));
        Assert.Equal(0, _fakes.Count(nameof(GatherFromSystem)));
        Assert.Equal(RequestStatus.ClosedUnverified, Statuses[^1]);
    }

    [Fact]
    public async Task IdentityNotInDoubt_AsksNothing_TheClockRunsFromReceipt_AndTheRequestGoesStraightToTheSystems()
    {
        _fakes.IdentityNeed = IdentityNeed.NotInDoubt;
        var received = new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero);
        await StartAsync(receivedAt: received);
        await DecideAsync("approval-1", LinkActions.Approve);
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);

        Assert.Equal(0, _fakes.Count(nameof(SendVerificationEmail)));
        Assert.Equal(0, _fakes.Count(nameof(CheckIdentity)));
        Assert.Equal(1, _fakes.Count(nameof(SendAcknowledgement)));
        var settled = Progress.Single(p => p.Step == "identity-not-in-doubt");
        Assert.Equal(new DateOnly(2026, 9, 1), settled.RelevantDate);
        Assert.Equal(0, settled.PausedDays);
        Assert.Equal(StatutoryClock.DueDate(new DateOnly(2026, 9, 1), 0, false, BankHolidayCalendar.EnglandAndWales), settled.DueDate);
        Assert.DoesNotContain(RequestStatus.AwaitingIdentity, Statuses);
    }

    [Fact]
    public async Task AddressOnNoRecord_AsksForAnotherAddressOrNumber_AndWhenNothingMatches_AnswersThatNoDataIsHeld_NotUnverified()
    {
        _fakes.IdentityNeed = IdentityNeed.OtherIdentifiers;
        _fakes.IdentityKnown = false;
        await StartAsync();
        await AnswerIdentityAsync("identify", LinkActions.GiveIdentifiers);
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.Equal(IdentityCheck.ToWire(IdentityNeed.OtherIdentifiers), Assert.Single(_fakes.Inputs<VerificationEmailInput>(nameof(SendVerificationEmail))).Need);
        Assert.Equal(SendCustomerNotice.NoData, Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice))).Step);
        Assert.Equal(0, _fakes.Count(nameof(CloseUnverified)));
        Assert.Equal(0, _fakes.Count(nameof(GatherFromSystem)));
        Assert.Equal([RequestStatus.AwaitingIdentity, RequestStatus.Completed], Statuses);
    }

    [Fact]
    public async Task AnotherAddressThatLeadsToRecords_IsConfirmedFromThatMailbox_ThenTheClockRunsFromThatConfirmation()
    {
        _fakes.IdentityNeed = IdentityNeed.OtherIdentifiers;
        _fakes.IdentityOutcome = i => i.Need == IdentityCheck.ToWire(IdentityNeed.OtherIdentifiers) ? IdentityOutcomes.ConfirmOther : IdentityOutcomes.Matched;
        var confirmed = new DateTimeOffset(2026, 9, 12, 9, 0, 0, TimeSpan.Zero);
        await StartAsync(receivedAt: new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero));
        await AnswerIdentityAsync("identify", LinkActions.GiveIdentifiers, new DateTimeOffset(2026, 9, 5, 9, 0, 0, TimeSpan.Zero));
        await AnswerIdentityAsync("verify-1", LinkActions.ConfirmIdentity, confirmed);
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();

        var asks = _fakes.Inputs<VerificationEmailInput>(nameof(SendVerificationEmail));
        Assert.Equal(["other-identifiers", "confirm-mailbox"], asks.Select(a => a.Need));
        Assert.Equal(new DateOnly(2026, 9, 12), Progress.Single(p => p.Step == "identity-confirmed").RelevantDate);
    }

    [Fact]
    public async Task Agent_IsAskedForThePersonsDetailsAndAuthority_AndTheClockRunsFromTheirArrival()
    {
        _fakes.IdentityNeed = IdentityNeed.Authority;
        var arrived = new DateTimeOffset(2026, 9, 20, 9, 0, 0, TimeSpan.Zero);
        await StartAsync(receivedAt: new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero));
        await AnswerIdentityAsync("authority", LinkActions.GiveAuthority, arrived);
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();

        Assert.Equal("authority", Assert.Single(_fakes.Inputs<VerificationEmailInput>(nameof(SendVerificationEmail))).Need);
        var settled = Progress.Single(p => p.Step == "identity-confirmed");
        Assert.Equal(new DateOnly(2026, 9, 20), settled.RelevantDate);
        Assert.Equal(StatutoryClock.DueDate(new DateOnly(2026, 9, 20), 0, false, BankHolidayCalendar.EnglandAndWales), settled.DueDate);
    }

    [Fact]
    public async Task RequestOpenedBesideAnother_SendsNoEmailOfItsOwn_AndWaitsForTheRequestersOneAnswer()
    {
        _fakes.Primary = false;
        await StartAsync();
        await UntilAsync(() => Statuses.Contains(RequestStatus.AwaitingIdentity), "waiting for identity");
        await Client.RaiseEventAsync(Reference, DsrEvents.IdentityConfirmed, new LinkDecision("verify", LinkActions.ConfirmIdentity, null, "requester", DateTimeOffset.UtcNow));
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();

        Assert.Equal(0, _fakes.Count(nameof(SendAcknowledgement)));
        Assert.Equal(0, _fakes.Count(nameof(SendVerificationEmail)));
        Assert.Equal(1, _fakes.Count(nameof(SendAccessFulfilment)));
    }

    [Fact]
    public async Task ErasureBesideAnAccessRequest_WaitsUntilTheAccessIsAnswered_ThenErases()
    {
        _fakes.IdentityNeed = IdentityNeed.NotInDoubt;
        var waiting = true;
        _fakes.LinkedWaits = () => Volatile.Read(ref waiting) ? "the access request DSR-2026-000002 from the same message is answered first" : null;
        await StartAsync(RequestType.Erasure);
        await DecideAsync("approval-1", LinkActions.Approve);
        await UntilAsync(() => Progress.Any(p => p.Step == "waiting-for-linked"), "the erasure to wait for the access request");
        Assert.Equal(0, _fakes.Count(nameof(EraseFromSystem)));

        Volatile.Write(ref waiting, false);
        await Client.RaiseEventAsync(Reference, DsrEvents.LinkedAnswered, new LinkDecision("linked", "answered", null, "system", DateTimeOffset.UtcNow));
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
        Assert.Equal(FakeActivities.AllSystems.Count, _fakes.Count(nameof(EraseFromSystem)));
        Assert.Equal(2, _fakes.Count(nameof(CheckLinked)));
    }

    [Fact]
    public async Task AccessAnswered_TellsTheRequestsOpenedBesideIt()
    {
        _fakes.IdentityNeed = IdentityNeed.NotInDoubt;
        _fakes.Linked = ["DSR-2026-000002"];
        var linkedSaw = new TaskCompletionSource<bool>();
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Listener), input: "x", new StartOrchestrationOptions(InstanceId: "DSR-2026-000002"));
        await StartAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();

        Assert.Equal("answered", await OutcomeOfAsync("DSR-2026-000002"));
    }

    [Fact]
    public async Task StaffAskForId_AtTheDecision_WithAReason_StopsTheClock_AndTheMonthRunsFromTheAnswer()
    {
        _fakes.IdentityNeed = IdentityNeed.NotInDoubt;
        var answered = new DateTimeOffset(2026, 9, 15, 9, 0, 0, TimeSpan.Zero);
        await StartAsync(receivedAt: new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero));
        await DecideAsync("approval-1", LinkActions.AskIdentity, "The request asks for data of an account recently taken over.");
        await AnswerIdentityAsync("verify-1", LinkActions.ConfirmIdentity, answered);
        await DecideAsync("approval-2", LinkActions.Approve);
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);

        var ask = Assert.Single(_fakes.Inputs<VerificationEmailInput>(nameof(SendVerificationEmail)));
        Assert.Equal("The request asks for data of an account recently taken over.", ask.Reason);
        Assert.Equal("The request asks for data of an account recently taken over.", Assert.Single(_fakes.Inputs<AssessIdentityInput>(nameof(AssessIdentity)), a => a.StaffReason is not null).StaffReason);
        var settled = Progress.Single(p => p.Step == "identity-confirmed-verify-1");
        Assert.Equal(new DateOnly(2026, 9, 15), settled.RelevantDate);
        Assert.Contains(Progress, p => p.Step == "identity-asked-1" && p.Actor == Staff);
    }

    [Fact]
    public async Task Clock_RunsFromTheConfirmation_Art12A()
    {
        var received = new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero);
        var confirmed = new DateTimeOffset(2026, 9, 10, 9, 0, 0, TimeSpan.Zero);
        await StartAsync(receivedAt: received);
        await ConfirmAsync(confirmed);
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();

        var clock = Progress.Single(p => p.Step == "identity-confirmed");
        Assert.Equal(new DateOnly(2026, 9, 10), clock.RelevantDate);
        Assert.Equal(9, clock.PausedDays);
        Assert.Equal(StatutoryClock.DueDate(new DateOnly(2026, 9, 10), 0, false, BankHolidayCalendar.EnglandAndWales), clock.DueDate);
    }

    [Theory]
    [InlineData(DsrVersions.Current)]
    [InlineData("")] // an instance started before workflows had versions
    public async Task DeadlinePassed_WhileWaitingForApproval_EscalatesOnce_AndTheRequestStillCompletes(string version)
    {
        // Received 5 Jan 2026 and confirmed the next day: due 6 Feb 2026, long past, so the deadline timer fires at once.
        await StartAsync(receivedAt: new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero), version: version);
        await ConfirmAsync(new DateTimeOffset(2026, 1, 6, 10, 0, 0, TimeSpan.Zero));
        await UntilAsync(() => _fakes.Count(nameof(EscalateDeadline)) == 1, "the escalation");

        var escalation = Assert.Single(_fakes.Inputs<EscalationInput>(nameof(EscalateDeadline)));
        Assert.Equal(new DateOnly(2026, 2, 6), escalation.DueDate);
        Assert.Equal(RequestStatus.AwaitingApproval, escalation.Status);
        Assert.Equal(0, _fakes.Count(nameof(BuildAccessExport)));

        await DecideAsync("approval-1", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(new DsrOutcome(Reference, RequestStatus.Completed, "2026-02-06", Overdue: true), outcome);
        Assert.Equal(1, _fakes.Count(nameof(EscalateDeadline)));
        Assert.Equal(1, _fakes.Count(nameof(SendAccessFulfilment)));
    }

    [Fact]
    public async Task DeadlinePassed_ExtensionIsRefused_AndStaffAreAskedAgain()
    {
        await StartAsync(receivedAt: new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        await ConfirmAsync(new DateTimeOffset(2026, 1, 6, 10, 0, 0, TimeSpan.Zero));
        await DecideAsync("approval-1", LinkActions.Extend, "Too late to be complex.");
        await DecideAsync("approval-2", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(new DsrOutcome(Reference, RequestStatus.Completed, "2026-02-06", Overdue: true), outcome);
        Assert.Contains(Progress, p => p.Step == "extension-refused");
        Assert.Equal(0, _fakes.Count(nameof(SendCustomerNotice)));
        Assert.Equal(1, _fakes.Count(nameof(EscalateDeadline)));
    }

    [Fact]
    public async Task Rejected_WithReason_TellsTheRequesterWhy_AndExportsNothing()
    {
        const string reason = "Manifestly unfounded: sent to disrupt.";
        await StartAsync();
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Reject, reason);
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Rejected, outcome.Status);
        Assert.False(outcome.Overdue);
        var notice = Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.Equal(SendCustomerNotice.Rejection, notice.Step);
        Assert.Equal(reason, notice.Reason);
        Assert.Equal(0, _fakes.Count(nameof(BuildAccessExport)));
        Assert.Equal(0, _fakes.Count(nameof(SendAccessFulfilment)));
        Assert.Equal(RequestStatus.Rejected, Statuses[^1]);
        Assert.True(Progress[^1].Closed);
    }

    [Fact]
    public async Task FailingSystem_IsRetried_ThenPutToStaff_NeverSkipped_AndSearchedAgainOnRequest()
    {
        _fakes.GatherFails = g => g.SystemId == SystemCatalog.Feedback && g.Round == 1;
        await StartAsync();
        await ConfirmAsync();
        await UntilAsync(() => _fakes.Count(nameof(AlertGatheringFailed)) == 1, "the staff alert");

        var alert = Assert.Single(_fakes.Inputs<GatheringFailedInput>(nameof(AlertGatheringFailed)));
        Assert.Equal("gathering-retry-1-1", alert.Step);
        var failed = Assert.Single(alert.Failed);
        Assert.Equal(SystemCatalog.Feedback, failed.SystemId);
        Assert.False(failed.Succeeded);
        Assert.Equal(2, _fakes.Inputs<GatherInput>(nameof(GatherFromSystem)).Count(g => g.SystemId == SystemCatalog.Feedback)); // GatherAttempts
        Assert.Contains(RequestStatus.GatheringFailed, Statuses);
        Assert.Equal(0, _fakes.Count(nameof(SendApprovalRequest)));

        await Client.RaiseEventAsync(Reference, DsrEvents.RetryGathering, new LinkDecision(alert.Step, LinkActions.RetryGathering, null, Staff, DateTimeOffset.UtcNow));
        await DecideAsync("approval-1", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        var secondRound = _fakes.Inputs<GatherInput>(nameof(GatherFromSystem)).Where(g => g.Round == 2).ToList();
        Assert.Equal(SystemCatalog.Feedback, Assert.Single(secondRound).SystemId);
        var approval = Assert.Single(_fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)));
        Assert.Equal(FakeActivities.AllSystems, approval.Systems.Select(s => s.SystemId));
        Assert.All(approval.Systems, s => Assert.True(s.Succeeded));
        Assert.Equal(FakeActivities.AllSystems.Count, Assert.Single(_fakes.Inputs<ExportInput>(nameof(BuildAccessExport))).Systems.Count);
    }

    [Fact]
    public async Task GatheringAlert_ThatExpiresUnused_IsSentAgain_AndTheRetryFromTheNewAlertIsHeard()
    {
        _fakes.GatherFails = g => g.SystemId == SystemCatalog.Feedback && g.Round == 1;
        await StartAsync(settings: Settings(linkLifetime: TimeSpan.FromSeconds(3)));
        await ConfirmAsync();
        await UntilAsync(() => _fakes.Count(nameof(AlertGatheringFailed)) == 2, "a second alert after the first expired");

        Assert.Equal(["gathering-retry-1-1", "gathering-retry-1-2"], _fakes.Inputs<GatheringFailedInput>(nameof(AlertGatheringFailed)).Select(a => a.Step));
        await Client.RaiseEventAsync(Reference, DsrEvents.RetryGathering, new LinkDecision("gathering-retry-1-2", LinkActions.RetryGathering, null, Staff, DateTimeOffset.UtcNow));
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) >= 1, "the approval request after the retry");

        Assert.Contains(_fakes.Inputs<GatherInput>(nameof(GatherFromSystem)), g => g.Round == 2 && g.SystemId == SystemCatalog.Feedback);
    }

    [Fact]
    public async Task APausedSystem_IsWaitedFor_WithoutAFailureAlert_AndTheResumeLetsTheRequestGoOn()
    {
        var resumed = false;
        _fakes.Paused = id => id == SystemCatalog.Feedback && !Volatile.Read(ref resumed);
        await StartAsync(settings: Settings() with { PausedSystemCheck = TimeSpan.FromHours(1) });
        await ConfirmAsync();
        await UntilAsync(() => Progress.Any(p => p.Step.StartsWith("gathering-waiting-", StringComparison.Ordinal)), "the request to wait for the paused system");

        Assert.Contains("Customer feedback (paused by staff)", Progress.Single(p => p.Step.StartsWith("gathering-waiting-", StringComparison.Ordinal)).Detail, StringComparison.Ordinal);
        Assert.Equal(0, _fakes.Count(nameof(AlertGatheringFailed)));
        Assert.Equal(0, _fakes.Count(nameof(SendApprovalRequest)));
        Volatile.Write(ref resumed, true);
        await Client.RaiseEventAsync(Reference, DsrEvents.SystemControl, new LinkDecision(SystemCatalog.Feedback, SystemControls.Resumed, null, Staff, DateTimeOffset.UtcNow));
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) == 1, "the approval request once the system is resumed");

        Assert.Equal(2, _fakes.Inputs<GatherInput>(nameof(GatherFromSystem)).Count(g => g.SystemId == SystemCatalog.Feedback));
        Assert.All(_fakes.Inputs<GatherInput>(nameof(GatherFromSystem)), g => Assert.NotNull(g.At));
    }

    [Fact]
    public async Task AFailedSystem_SkippedByStaffWithAReason_IsRecorded_AndTheRequestGoesOnWithoutIt()
    {
        _fakes.GatherFails = g => g.SystemId == SystemCatalog.Feedback;
        await StartAsync();
        await ConfirmAsync();
        await UntilAsync(() => _fakes.Count(nameof(AlertGatheringFailed)) == 1, "the failure alert");

        // A control for a system that is not waiting is not this wait's: it is ignored.
        await Client.RaiseEventAsync(Reference, DsrEvents.SystemControl, new LinkDecision(SystemCatalog.Crm, SystemControls.Skip, "Wrong system.", Staff, DateTimeOffset.UtcNow));
        await Client.RaiseEventAsync(Reference, DsrEvents.SystemControl, new LinkDecision(SystemCatalog.Feedback, SystemControls.Skip, "Retired last year; nothing left in it.", Staff, DateTimeOffset.UtcNow));
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) == 1, "the approval request after the skip");

        var control = Assert.Single(_fakes.Inputs<SystemControlInput>(nameof(RecordSystemControl)));
        Assert.Equal((SystemCatalog.Feedback, OwnerTaskPurposes.Gather, SystemControls.Skip, "Retired last year; nothing left in it.", Staff), (control.SystemId, control.Purpose, control.Action, control.Note, control.Actor));
        var feedback = Assert.Single(_fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest))[0].Systems, s => s.SystemId == SystemCatalog.Feedback);
        Assert.True(feedback.Succeeded);
        Assert.Equal($"skipped by {Staff}", feedback.Settled);
        Assert.Contains(Progress, p => p.Step == "event-ignored");
    }

    [Fact]
    public async Task AnOwnerTaskSystem_ConfirmsTheErasureByHand_BeforeTheCustomerIsTold_AndADoneByHandFromStaffCounts()
    {
        var systems = WorkflowSystem.From(DataMap.Shipped).Append(new WorkflowSystem("events-sheet", "Events spreadsheet", []) { OwnerTask = true }).ToList();
        var done = false;
        _fakes.OwnerTask = i => new OwnerTaskState(i.SystemId, Volatile.Read(ref done), 0, null, i.At.AddHours(1));
        await StartAsync(RequestType.Erasure, settings: Settings() with { Systems = systems });
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await UntilAsync(() => _fakes.Inputs<OwnerTaskInput>(nameof(CheckOwnerTask)).Any(t => t.Purpose == OwnerTaskPurposes.Erasure), "the owner's erasure task");

        Assert.Equal(0, _fakes.Count(nameof(SendRightsOutcome)));
        await Client.RaiseEventAsync(Reference, DsrEvents.SystemControl, new LinkDecision("events-sheet", SystemControls.Done, "Deleted rows 3 and 9.", Staff, DateTimeOffset.UtcNow));
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.Equal(OwnerTaskPurposes.Erasure, Assert.Single(_fakes.Inputs<SystemControlInput>(nameof(RecordSystemControl))).Purpose);
        var told = Assert.Single(_fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome)));
        var line = Assert.Single(told.Erasure, l => l.SystemId == "events-sheet" && l.Reason.Contains("by hand", StringComparison.Ordinal));
        Assert.Equal(ErasureOutcomes.Erased, line.Outcome);
        Assert.Contains($"done by hand by {Staff}", line.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extension_WithinTheFirstMonth_TellsTheRequesterTheNewDate_AndAsksStaffAgain()
    {
        const string reason = "Records in seven systems need review.";
        await StartAsync();
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Extend, reason);
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) == 2, "the second approval request");

        var notice = Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.Equal(SendCustomerNotice.Extension, notice.Step);
        Assert.Equal(reason, notice.Reason);
        var relevant = Progress.Single(p => p.Step == "identity-confirmed").RelevantDate!.Value;
        Assert.Equal(StatutoryClock.DueDate(relevant, 0, extended: true, BankHolidayCalendar.EnglandAndWales), notice.DueDate);
        Assert.InRange(notice.DueDate!.Value.DayNumber - relevant.DayNumber, 88, 100); // about three months
        var second = _fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest))[1];
        Assert.Equal("approval-2", second.Step);
        Assert.Equal(notice.DueDate, second.DueDate);
        Assert.Contains(Progress, p => p.Step == "extended" && p.Extended == true && p.DueDate == notice.DueDate);

        await DecideAsync("approval-2", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.Equal(notice.DueDate!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), outcome.DueDate);
        Assert.Equal(["approval-1", "approval-2"], _fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)).Select(a => a.Step));
    }

    [Fact]
    public async Task SecondExtension_IsRefused()
    {
        await StartAsync();
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Extend, "Complex.");
        await DecideAsync("approval-2", LinkActions.Extend, "Still complex.");
        await DecideAsync("approval-3", LinkActions.Approve);
        await OutcomeAsync();

        Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.Contains(Progress, p => p.Step == "extension-refused");
    }

    [Fact]
    public async Task ApprovalLinks_ThatExpireUnused_AreSentAgain_AndTheDecisionOnTheNewLinksIsHeard()
    {
        await StartAsync(settings: Settings(linkLifetime: TimeSpan.FromSeconds(3)));
        await ConfirmAsync();
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) == 2, "new approval links after the first expired");

        Assert.Contains(Progress, p => p.Step == "approval-links-expired");
        await Client.RaiseEventAsync(Reference, DsrEvents.StaffDecision, new LinkDecision("approval-2", LinkActions.Approve, null, Staff, DateTimeOffset.UtcNow));
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
    }

    [Fact]
    public async Task DecisionForAStaleStep_IsIgnored_AndDoesNotCompleteTheRequest()
    {
        await StartAsync();
        await ConfirmAsync();
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) == 1, "the approval request");
        await Client.RaiseEventAsync(Reference, DsrEvents.StaffDecision, new LinkDecision("approval-9", LinkActions.Approve, null, Staff, DateTimeOffset.UtcNow));
        await UntilAsync(() => Progress.Any(p => p.Step == "event-ignored"), "the stale decision to be ignored");

        var meta = await Client.GetInstanceAsync(Reference);
        Assert.Equal(OrchestrationRuntimeStatus.Running, meta!.RuntimeStatus);
        Assert.Equal(0, _fakes.Count(nameof(BuildAccessExport)));
        Assert.Equal(RequestStatus.AwaitingApproval, Statuses[^1]);

        await DecideAsync("approval-1", LinkActions.Approve);
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
        Assert.Equal(1, _fakes.Count(nameof(SendApprovalRequest)));
    }

    [Fact]
    public async Task Rectification_Approved_IsAppliedInTheSystems_PartnersAreTold_AndTheRequesterGetsTheOutcome()
    {
        await StartAsync(RequestType.Rectification);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.Equal("approval-1", Assert.Single(_fakes.Inputs<RightsInput>(nameof(ApplyRectification))).DecisionStep);
        var notice = Assert.Single(_fakes.Inputs<PartnerNoticeInput>(nameof(NotifyPartners)));
        Assert.Equal(PartnerActions.Rectification, notice.Action);
        Assert.Equal([SystemCatalog.Crm, SystemCatalog.WebsiteAccounts], notice.Systems);
        var told = Assert.Single(_fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome)));
        Assert.Equal(SendRightsOutcome.Rectification, told.Kind);
        Assert.Equal(["Northwind Implementation Partners"], told.Partners);
        Assert.Equal(0, _fakes.Count(nameof(BuildAccessExport)));
        Assert.True(Progress[^1].Closed);
        Assert.Contains("2 change(s) applied, 1 refused", Progress[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restriction_IsApplied_TheWorkflowEndsWithTheResponse_AndTheLiftIsItsOwnWorkflow_ThatTellsTheRequesterFirst_Art18_3()
    {
        await StartAsync(RequestType.Restriction);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        var answered = await OutcomeAsync();

        Assert.Equal(RequestStatus.Restricted, answered.Status);
        var restricted = Progress.Single(p => p.Status == RequestStatus.Restricted);
        Assert.True(restricted.Closed);
        Assert.Equal("lift-restriction", restricted.CurrentStep);
        Assert.Equal(LinkActions.LiftRestriction, restricted.CurrentActions);
        Assert.Equal(PartnerActions.Restriction, Assert.Single(_fakes.Inputs<PartnerNoticeInput>(nameof(NotifyPartners))).Action);
        Assert.Equal(0, _fakes.Count(nameof(LiftRestriction)));

        // What the lift link does once the workflow has ended: start the lift's own workflow.
        var lift = new LinkDecision("lift-restriction", LinkActions.LiftRestriction, "The accuracy check is finished.", Staff, DateTimeOffset.UtcNow);
        var id = RestrictionLiftOrchestrator.InstanceId(Reference);
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RestrictionLiftOrchestrator),
            new RestrictionLiftInput(Reference, DateTimeOffset.UtcNow, lift, Settings() with { RestrictionLiftNotice = TimeSpan.FromSeconds(2) }),
            new StartOrchestrationOptions(InstanceId: id) { Version = DsrVersions.Current });
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync(id)).Status);
        AssertLiftedAfterTheNotice();
    }

    [Fact]
    public async Task Restriction_StartedBeforeVersions_StillWaitsForTheLiftInItsOwnWorkflow_AndLiftsAsItDid()
    {
        await StartAsync(RequestType.Restriction, settings: Settings() with { RestrictionLiftNotice = TimeSpan.FromSeconds(2) }, version: "");
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await UntilAsync(() => Statuses.Contains(RequestStatus.Restricted), "the restriction");
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await Client.GetInstanceAsync(Reference))!.RuntimeStatus);

        await Client.RaiseEventAsync(Reference, DsrEvents.LiftRestriction, new LinkDecision("lift-restriction", LinkActions.LiftRestriction, "The accuracy check is finished.", Staff, DateTimeOffset.UtcNow));
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
        AssertLiftedAfterTheNotice();
    }

    [Fact]
    public async Task ObjectionToMarketing_TakesEffectWithoutAStaffDecision_PartnersThatMarketAreTold_AndTheRequesterConfirmed_Art21_3()
    {
        await StartAsync(RequestType.Objection);
        await ConfirmAsync();
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.False(outcome.Overdue);
        Assert.Equal(0, _fakes.Count(nameof(SendApprovalRequest))); // no decision phase
        Assert.Equal("objection-marketing", Assert.Single(_fakes.Inputs<RightsInput>(nameof(ApplyObjection))).DecisionStep);
        var notice = Assert.Single(_fakes.Inputs<PartnerNoticeInput>(nameof(NotifyPartners)));
        Assert.Equal(PartnerActions.ObjectionMarketing, notice.Action);
        Assert.Equal([SystemCatalog.Communications, SystemCatalog.Crm], notice.Systems);
        var confirmation = Assert.Single(_fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome)));
        Assert.Equal(SendRightsOutcome.ObjectionMarketing, confirmation.Kind);
        Assert.Equal(["Northwind Implementation Partners"], confirmation.Partners);
        Assert.Equal([RequestStatus.AwaitingIdentity, RequestStatus.Gathering, RequestStatus.Fulfilling, RequestStatus.Completed], Statuses);
        Assert.DoesNotContain(RequestStatus.AwaitingApproval, Statuses);
        Assert.True(Progress[^1].Closed);
    }

    [Theory]
    [InlineData(ObjectionOutcomes.ProcessingStopped, SendRightsOutcome.ObjectionStopped)]
    [InlineData(ObjectionOutcomes.GroundsShown, SendRightsOutcome.ObjectionGrounds)]
    public async Task ObjectionToOtherProcessing_WaitsForStaff_WhoStopItOrRecordCompellingGrounds_Art21_1(string decided, string email)
    {
        _fakes.ObjectionScope = Domain.Requests.ObjectionScope.Other;
        _fakes.ObjectionDecisionOutcome = decided;
        await StartAsync(RequestType.Objection);
        await ConfirmAsync();
        await UntilAsync(() => Statuses.Contains(RequestStatus.AwaitingApproval), "the staff decision to be asked for");
        Assert.Equal(0, _fakes.Count(nameof(ApplyObjection)));

        await DecideAsync("approval-1", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.Equal("approval-1", Assert.Single(_fakes.Inputs<RightsInput>(nameof(ApplyObjection))).DecisionStep);
        Assert.Equal(email, Assert.Single(_fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome))).Kind);
        Assert.Equal(0, _fakes.Count(nameof(NotifyPartners))); // partners are told only of an objection to marketing
        Assert.Contains(Progress, p => p.Step == "approved" && p.Actor == Staff);
    }

    [Fact]
    public async Task ObjectionToOtherProcessing_CanBeRejectedWithReasons_LikeAnyRight()
    {
        _fakes.ObjectionScope = Domain.Requests.ObjectionScope.Other;
        await StartAsync(RequestType.Objection);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Reject, "The processing you object to is based on your contract, not on legitimate interests.");
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Rejected, outcome.Status);
        Assert.Equal(0, _fakes.Count(nameof(ApplyObjection)));
        Assert.Equal(SendCustomerNotice.Rejection, Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice))).Step);
    }

    private void AssertLiftedAfterTheNotice()
    {
        var kinds = _fakes.Calls.Where(c => c.Name is nameof(SendRightsOutcome) or nameof(LiftRestriction))
            .Select(c => c.Input is OutcomeInput o ? o.Kind : c.Name).ToList();
        Assert.Equal([SendRightsOutcome.Restriction, SendRightsOutcome.RestrictionLiftNotice, nameof(LiftRestriction), SendRightsOutcome.RestrictionLifted], kinds);
        var liftNotice = _fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome)).Single(o => o.Kind == SendRightsOutcome.RestrictionLiftNotice);
        Assert.Equal("The accuracy check is finished.", liftNotice.Reason);
        Assert.NotNull(liftNotice.Date);
        Assert.Equal([PartnerActions.Restriction, PartnerActions.RestrictionLifted], _fakes.Inputs<PartnerNoticeInput>(nameof(NotifyPartners)).Select(n => n.Action));
        Assert.Contains(Progress, p => p.Step == "restriction-lifted" && p.Status == RequestStatus.Completed);
    }

    [Fact]
    public async Task Erasure_ThenErasesThePersonFromTheProductsOwnRecords_AfterTheOutcomeEmailAndBeforeItCloses_AndAgainAfterEachScheduledRound()
    {
        _fakes.RetainUntil = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);
        await StartAsync(RequestType.Erasure);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();
        await RunScheduledRoundAsync();

        var calls = _fakes.Calls.ToList();
        int Index(Func<(string Name, object Input), bool> match) => calls.FindIndex(c => match(c));
        var forgets = calls.Select((c, i) => (c, i)).Where(x => x.c.Name == nameof(ForgetAfterErasure)).Select(x => x.i).ToList();
        Assert.Equal(2, forgets.Count);
        Assert.All(_fakes.Inputs<ForgetInput>(nameof(ForgetAfterErasure)), f => Assert.Equal(Reference, f.Reference));
        Assert.True(forgets[0] > Index(c => c.Input is OutcomeInput { Kind: SendRightsOutcome.Erasure }), "the requester is told before her name leaves the case file");
        Assert.True(forgets[0] < Index(c => c.Input is ProgressInput { Step: "completed" }), "the request closes only once its own records are clean");
        Assert.True(forgets[1] > Index(c => c.Input is ProgressInput { Step: "erasure-scheduled-done-1" }));
    }

    [Fact]
    public async Task Erasure_RunsInEverySystem_TellsPartnersAndTheRequester_ThenSchedulesTheRetainedData_AndARoundErasesItWhenItsRetentionEnds()
    {
        var until = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);
        _fakes.RetainUntil = until;
        await StartAsync(RequestType.Erasure);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        var scheduled = Assert.Single(_fakes.Inputs<ScheduleErasureInput>(nameof(ScheduleErasure)));
        Assert.Equal(1, scheduled.Round);
        Assert.Equal(SystemCatalog.Contracts, Assert.Single(scheduled.Retained).SystemId);
        Assert.Equal(StatutoryClock.EndOfUkDayUtc(until).AddTicks(1), scheduled.RunAt!.Value.UtcDateTime); // the day after retention ends
        Assert.DoesNotContain(_fakes.Inputs<EraseInput>(nameof(EraseFromSystem)), e => e.Round == 1);

        await RunScheduledRoundAsync();
        Assert.Empty(_fakes.Inputs<ScheduleErasureInput>(nameof(ScheduleErasure))[^1].Retained); // nothing left: the schedule ends
        var erasures = _fakes.Inputs<EraseInput>(nameof(EraseFromSystem));
        Assert.Equal(FakeActivities.AllSystems.Order(), erasures.Where(e => e.Round == 0).Select(e => e.SystemId).Order());
        Assert.Equal(SystemCatalog.Contracts, Assert.Single(erasures, e => e.Round == 1).SystemId);
        Assert.Equal(PartnerActions.Erasure, Assert.Single(_fakes.Inputs<PartnerNoticeInput>(nameof(NotifyPartners))).Action);
        var emails = _fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome));
        Assert.Equal([SendRightsOutcome.Erasure, SendRightsOutcome.ErasureScheduled + "-1"], emails.Select(e => e.Kind));
        Assert.Contains(emails[0].Erasure, l => l.Outcome == ErasureOutcomes.Retained && l.SystemId == SystemCatalog.Contracts);
        Assert.All(emails[1].Erasure, l => Assert.Equal(ErasureOutcomes.Erased, l.Outcome));
        Assert.Contains(Progress, p => p.Step == "erasure-scheduled-1");
        Assert.Contains(Progress, p => p.Step == "erasure-scheduled-done-1");
    }

    [Fact]
    public async Task Erasure_ThatFailsInOneSystem_AlertsStaff_WaitsWithoutMarkingItDone_AndCompletesWhenRetried()
    {
        var failing = true;
        _fakes.EraseFails = e => failing && e.SystemId == SystemCatalog.Feedback;
        await StartAsync(RequestType.Erasure);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await UntilAsync(() => _fakes.Count(nameof(AlertStepFailed)) == 1, "the staff alert");

        var alert = Assert.Single(_fakes.Inputs<StepFailedInput>(nameof(AlertStepFailed)));
        Assert.Contains("Customer feedback", alert.What, StringComparison.Ordinal);
        Assert.Contains("refused the erasure", alert.Error, StringComparison.Ordinal);
        Assert.Equal(0, _fakes.Count(nameof(SendRightsOutcome)));
        Assert.DoesNotContain(RequestStatus.Completed, Statuses);

        failing = false;
        await Client.RaiseEventAsync(Reference, DsrEvents.RetryGathering, new LinkDecision(alert.Step, LinkActions.RetryGathering, null, Staff, DateTimeOffset.UtcNow));
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.Equal(FakeActivities.AllSystems.Count, Assert.Single(_fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome))).Erasure.Select(l => l.SystemId).Distinct().Count());
    }

    [Theory]
    [InlineData(DsrVersions.Current)]
    [InlineData("")] // started before versions: the workflow itself waits for the lift
    public async Task Erasure_UnderALegalHold_WaitsForTheHoldToBeLifted_ThenDecidesTheHeldRecordsAgain(string version)
    {
        _fakes.EraseBehaviour = e => new EraseResult(e.SystemId, e.Round,
        [
            e.Round == 0
                ? new ErasureLineResult(e.SystemId, "record", 1, ErasureOutcomes.Retained, "Kept under a legal hold.", null)
                : new ErasureLineResult(e.SystemId, "record", 1, ErasureOutcomes.Erased, "No rule keeps it.", null),
        ]);
        await StartAsync(RequestType.Erasure, version: version);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await UntilAsync(() => Progress.Any(p => p.Step == "erasure-held-1"), "the hold to be recorded");

        Assert.Contains(RequestStatus.Completed, Statuses); // answered on time: the hold is the reason given
        Assert.DoesNotContain(_fakes.Inputs<EraseInput>(nameof(EraseFromSystem)), e => e.Round == 1);
        if (version == DsrVersions.Current)
        {
            await OutcomeAsync();
            Assert.Null(Assert.Single(_fakes.Inputs<ScheduleErasureInput>(nameof(ScheduleErasure))).RunAt); // no date: it waits for the lift
            await RunScheduledRoundAsync(holdLiftedBy: Staff);
        }
        else
        {
            await Client.RaiseEventAsync(Reference, DsrEvents.LegalHoldLifted, new LinkDecision("legal-hold", "lift", null, Staff, DateTimeOffset.UtcNow));
            await OutcomeAsync();
        }

        Assert.Equal(FakeActivities.AllSystems.Order(), _fakes.Inputs<EraseInput>(nameof(EraseFromSystem)).Where(e => e.Round == 1).Select(e => e.SystemId).Order());
        Assert.Equal(SendRightsOutcome.ErasureScheduled + "-1", _fakes.Inputs<OutcomeInput>(nameof(SendRightsOutcome))[^1].Kind);
        Assert.Contains(Progress, p => p.Step == "erasure-scheduled-done-1" && p.Detail.Contains($"lifted by {Staff}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResponseEmail_ThatKeepsFailing_AlertsStaff_TheRequestIsNotMarkedDone_AndARetrySendsIt()
    {
        var down = true;
        _fakes.Fails = name => down && name == nameof(SendAccessFulfilment);
        await StartAsync();
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await UntilAsync(() => _fakes.Count(nameof(AlertStepFailed)) == 1, "the staff alert");

        var alert = Assert.Single(_fakes.Inputs<StepFailedInput>(nameof(AlertStepFailed)));
        Assert.Equal("Sending the response to the requester", alert.What);
        Assert.Equal(2, _fakes.Count(nameof(SendAccessFulfilment))); // GatherAttempts: retried before staff are told
        Assert.DoesNotContain(RequestStatus.Completed, Statuses);

        down = false;
        await Client.RaiseEventAsync(Reference, DsrEvents.RetryGathering, new LinkDecision(alert.Step, LinkActions.RetryGathering, null, Staff, DateTimeOffset.UtcNow));
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
        Assert.Equal(1, _fakes.Count(nameof(BuildAccessExport)));
    }

    [Fact]
    public async Task Erasure_WithNothingRetained_CompletesWithoutASchedule()
    {
        await StartAsync(RequestType.Erasure);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();

        Assert.All(_fakes.Inputs<EraseInput>(nameof(EraseFromSystem)), e => Assert.Equal(0, e.Round));
        Assert.DoesNotContain(Progress, p => p.Step.StartsWith("erasure-scheduled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Clarification_StopsTheClock_FromTheDayAskedToTheDayAnswered_BothIncluded_Art12A()
    {
        await StartAsync();
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Clarify, "Which product's records do you want?");
        await UntilAsync(() => _fakes.Count(nameof(SendClarificationRequest)) == 1, "the clarification request");

        var ask = Assert.Single(_fakes.Inputs<ClarificationInput>(nameof(SendClarificationRequest)));
        Assert.Equal("Which product's records do you want?", ask.Question);
        Assert.Equal(RequestStatus.AwaitingClarification, Statuses[^1]);
        var askedOn = StatutoryClock.UkDate(ask.At);
        await Client.RaiseEventAsync(Reference, DsrEvents.ClarificationAnswered, new LinkDecision(ask.Step, LinkActions.Answer, null, "requester", ask.At.AddDays(5)));
        await DecideAsync("approval-2", LinkActions.Approve);
        await OutcomeAsync();

        var relevant = Progress.Single(p => p.Step == "identity-confirmed").RelevantDate!.Value;
        var answered = Progress.Single(p => p.Step == ask.Step + "-answered");
        var stopped = StatutoryClock.InclusiveDays(askedOn, StatutoryClock.UkDate(ask.At.AddDays(5)));
        Assert.Equal(6, stopped);
        Assert.Equal(StatutoryClock.DueDate(relevant, stopped, false, BankHolidayCalendar.EnglandAndWales), answered.DueDate);
        Assert.Equal(answered.DueDate, _fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest))[1].DueDate);
    }

    [Fact]
    public async Task Fee_StopsTheClock_AndTheMonthRunsFromTheDayItIsPaid_Art12_5_And12A()
    {
        await StartAsync();
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.ChargeFee, "£25 for a further copy of the data we sent you last month.");
        await UntilAsync(() => Statuses.Contains(RequestStatus.AwaitingFee), "the fee request");
        await UntilAsync(() => _fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)).Count > 0, "the fee notice to the requester");

        var asked = Progress.Single(p => p.Status == RequestStatus.AwaitingFee);
        Assert.Equal(LinkActions.FeePaid, asked.CurrentActions);
        var notice = Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.StartsWith(SendCustomerNotice.Fee, notice.Step, StringComparison.Ordinal);
        var paidAt = asked.At.AddDays(10);
        await Client.RaiseEventAsync(Reference, DsrEvents.FeePaid, new LinkDecision(asked.Step, LinkActions.FeePaid, null, Staff, paidAt));
        await DecideAsync("approval-2", LinkActions.Approve);
        await OutcomeAsync();

        var paid = Progress.Single(p => p.Step == asked.Step + "-paid");
        Assert.Equal(StatutoryClock.UkDate(paidAt), paid.RelevantDate);
        Assert.Equal(StatutoryClock.DueDate(StatutoryClock.UkDate(paidAt), 0, false, BankHolidayCalendar.EnglandAndWales), paid.DueDate);
    }

    [Fact]
    public async Task Fee_NotPaidInTheWindow_ClosesWithALetter_AndNothingIsDone()
    {
        await StartAsync(RequestType.Erasure, settings: Settings() with { ClarificationWindow = TimeSpan.FromSeconds(2) });
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.ChargeFee, "£40: the fourth identical request this month.");
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.ClosedFeeUnpaid, outcome.Status);
        Assert.Equal(SendCustomerNotice.FeeUnpaid, _fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice))[^1].Step);
        Assert.Equal(0, _fakes.Count(nameof(EraseFromSystem)));
    }

    [Fact]
    public async Task Clarification_NotAnsweredInTheWindow_ClosesWithALetter()
    {
        await StartAsync(settings: Settings() with { ClarificationWindow = TimeSpan.FromSeconds(2) });
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Clarify, "Which records?");
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.ClosedNoClarification, outcome.Status);
        Assert.Equal(SendCustomerNotice.NoClarification, Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice))).Step);
        Assert.Equal(0, _fakes.Count(nameof(BuildAccessExport)));
        Assert.True(Progress[^1].Closed);
    }

    [Fact]
    public async Task ManifestlyUnfounded_Refusal_GivesReasonsAndRights_Art12_4()
    {
        await StartAsync(RequestType.Erasure);
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Refuse, "The fifth identical request this week, sent to disrupt.");
        var outcome = await OutcomeAsync();

        Assert.Equal(RequestStatus.Refused, outcome.Status);
        var notice = Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.Equal(SendCustomerNotice.Refusal, notice.Step);
        Assert.Equal("The fifth identical request this week, sent to disrupt.", notice.Reason);
        Assert.Equal(0, _fakes.Count(nameof(EraseFromSystem)));
    }

    [Theory]
    [InlineData(new[] { 40, 35 }, 35)] // both passed: one reminder, the later one, not a burst
    [InlineData(new[] { 40, 1 }, 40)]  // one passed, one to come: the passed one now, the other waits for its day
    public async Task Reminder_WhoseTimeHasCome_IsSentOnce_WhileWaitingForStaff(int[] days, int expected)
    {
        await StartAsync(settings: Settings() with { ReminderDaysBefore = days });
        await ConfirmAsync();
        await UntilAsync(() => _fakes.Count(nameof(SendStaffReminder)) == 1, "the reminder");
        await DecideAsync("approval-1", LinkActions.Approve);
        await OutcomeAsync();

        var reminder = Assert.Single(_fakes.Inputs<ReminderInput>(nameof(SendStaffReminder)));
        Assert.Equal(expected, reminder.DaysBefore);
        Assert.Equal(RequestStatus.AwaitingApproval, reminder.Status);
    }

    [Fact]
    public async Task UnclassifiedMessage_WaitsForStaffToClassifyIt_ThenRunsAsThatType()
    {
        await StartAsync(RequestType.Unclassified);
        await UntilAsync(() => _fakes.Count(nameof(SendStaffTriage)) == 1, "the triage email");
        Assert.Equal(0, _fakes.Count(nameof(SendAcknowledgement)));

        await Client.RaiseEventAsync(Reference, DsrEvents.Classified, new ClassifiedEvent(RequestType.Access, Staff, DateTimeOffset.UtcNow));
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);

        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
        Assert.Contains(Progress, p => p.Type == RequestType.Access);
    }

    [Fact]
    public async Task AStepThatKeepsFailing_PutsTheRequestInNeedsAttention_AndIsTriedAgainByItself_WithoutStaff()
    {
        var down = true;
        _fakes.Fails = name => down && name == nameof(SendApprovalRequest);
        await StartAsync(settings: Settings() with { StepAutoRetry = TimeSpan.FromSeconds(2) });
        await ConfirmAsync();
        await UntilAsync(() => Progress.Any(p => p.Attention == "Asking staff for a decision"), "the request to need attention");

        // The attention is recorded first, then staff are alerted: wait for the alert, then make sure it came once.
        await UntilAsync(() => _fakes.Count(nameof(AlertStepFailed)) >= 1, "the alert to staff");
        Assert.Equal(1, _fakes.Count(nameof(AlertStepFailed)));
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await Client.GetInstanceAsync(Reference))!.RuntimeStatus);
        down = false;
        await UntilAsync(() => Progress.Any(p => p.Step == "step-retry-1"), "the automatic retry");
        var retried = Progress.Single(p => p.Step == "step-retry-1");
        Assert.Equal(string.Empty, retried.Attention); // cleared
        Assert.Contains("automatically", retried.Detail, StringComparison.Ordinal);

        await DecideAsync("approval-1", LinkActions.Approve);
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
    }

    [Fact]
    public async Task StatusWritesThatFail_AsInAStorageOutage_NeverFailTheWorkflow_ItGoesOnWhenStorageIsBack()
    {
        var down = false;
        _fakes.Fails = name => down && name is nameof(RecordProgress) or nameof(AlertStepFailed);
        await StartAsync(settings: Settings() with { StepAutoRetry = TimeSpan.FromSeconds(1) });
        await ConfirmAsync();
        await DecideAsync("approval-1", LinkActions.Approve);
        down = true;
        await UntilAsync(() => _fakes.Count(nameof(AlertStepFailed)) >= 1, "a step to fail after its retries");
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await Client.GetInstanceAsync(Reference))!.RuntimeStatus);

        down = false;
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
        Assert.Equal(1, _fakes.Count(nameof(SendAccessFulfilment)));
    }

    [Fact]
    public async Task AStepThatFailsInATail_AfterTheRequestWasAnswered_WaitsForItsRetry_WithoutEscalatingAnyDeadline()
    {
        var down = true;
        _fakes.Fails = name => down && name == nameof(LiftRestriction);
        var id = RestrictionLiftOrchestrator.InstanceId(Reference);
        var lift = new LinkDecision("lift-restriction", LinkActions.LiftRestriction, "The accuracy check is finished.", Staff, DateTimeOffset.UtcNow);
        // Received long ago: a statutory clock started then would be far past its due date.
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RestrictionLiftOrchestrator),
            new RestrictionLiftInput(Reference, new DateTimeOffset(2025, 1, 6, 10, 0, 0, TimeSpan.Zero), lift, Settings() with { RestrictionLiftNotice = TimeSpan.FromMilliseconds(200), StepAutoRetry = TimeSpan.FromSeconds(2) }),
            new StartOrchestrationOptions(InstanceId: id) { Version = DsrVersions.Current });
        await UntilAsync(() => Progress.Any(p => p.Attention == "Lifting the restriction"), "the lift to need attention");
        down = false;

        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync(id)).Status);
        Assert.Equal(0, _fakes.Count(nameof(EscalateDeadline)));
        Assert.Equal(0, _fakes.Count(nameof(SendStaffReminder)));
    }

    [Fact]
    public async Task RestartedFromItsRecordedState_AtTheDecision_TheWorkflowSkipsIdentity_KeepsTheClock_AndAsksForTheNextRound()
    {
        var clock = RequestClock.Start(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero), BankHolidayCalendar.EnglandAndWales)
            .RelevantTimeOn(new DateTimeOffset(2026, 11, 4, 10, 0, 0, TimeSpan.Zero), DateTimeOffset.UtcNow, BankHolidayCalendar.EnglandAndWales);
        var state = new WorkflowState(WorkflowPhases.Decide, clock, RequestType.Access, DecisionRound: 3, Run: 2);
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(DsrOrchestrator),
            new DsrInput(Reference, RequestType.Access, new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero), Settings()) { Resume = state },
            new StartOrchestrationOptions(InstanceId: Reference) { Version = DsrVersions.Current });
        await DecideAsync("approval-3", LinkActions.Approve);

        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync()).Status);
        Assert.Equal(0, _fakes.Count(nameof(SendAcknowledgement)));
        Assert.Equal(0, _fakes.Count(nameof(SendVerificationEmail)));
        Assert.Equal(clock.Due, Assert.Single(_fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest))).DueDate);
        Assert.Contains(Progress, p => p.Step == "workflow-restarted-2");
        var recorded = WorkflowStates.FromJson(Progress.Last(p => p.Workflow is not null).Workflow);
        Assert.Equal(WorkflowPhases.Done, recorded!.Phase);
        Assert.Equal(clock.Relevant, recorded.Clock.Relevant);
    }

    private static DsrSettings Settings(TimeSpan? verificationWindow = null, TimeSpan? linkLifetime = null) =>
        new(verificationWindow ?? Long, linkLifetime ?? Long, TimeSpan.FromDays(30), [], GatherAttempts: 2, GatherFirstRetry: TimeSpan.FromMilliseconds(100));

    /// <summary>Starts the request's workflow at <paramref name="version"/> (this build's by default; "" = an instance started before versions).</summary>
    private Task<string> StartAsync(RequestType type = RequestType.Access, DateTimeOffset? receivedAt = null, DsrSettings? settings = null, string version = DsrVersions.Current) =>
        Client.ScheduleNewOrchestrationInstanceAsync(nameof(DsrOrchestrator),
            new DsrInput(Reference, type, receivedAt ?? DateTimeOffset.UtcNow, settings ?? Settings()),
            new StartOrchestrationOptions(InstanceId: Reference) { Version = version });

    /// <summary>Does what the schedule sweep does when the round's time has come: starts the erasure round the workflow scheduled last, and waits for it.</summary>
    private async Task<DsrOutcome> RunScheduledRoundAsync(string? holdLiftedBy = null)
    {
        var scheduled = _fakes.Inputs<ScheduleErasureInput>(nameof(ScheduleErasure))[^1];
        var id = RetainedErasureOrchestrator.InstanceId(Reference, scheduled.Round);
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetainedErasureOrchestrator),
            new RetainedErasureInput(Reference, scheduled.Round, scheduled.Retained, scheduled.ReceivedAt, holdLiftedBy, Settings()),
            new StartOrchestrationOptions(InstanceId: id) { Version = DsrVersions.Current });
        return await OutcomeAsync(id);
    }

    private async Task ConfirmAsync(DateTimeOffset? at = null)
    {
        await UntilAsync(() => _fakes.Count(nameof(SendVerificationEmail)) == 1, "the verification email");
        var step = Assert.Single(_fakes.Inputs<VerificationEmailInput>(nameof(SendVerificationEmail))).Step;
        Assert.Equal("verify", step);
        await Client.RaiseEventAsync(Reference, DsrEvents.IdentityConfirmed, new LinkDecision(step, LinkActions.ConfirmIdentity, null, "requester", at ?? DateTimeOffset.UtcNow));
    }

    /// <summary>Waits until the requester has been asked for <paramref name="step"/>, then answers it as the link page does.</summary>
    private async Task AnswerIdentityAsync(string step, string action, DateTimeOffset? at = null)
    {
        await UntilAsync(() => _fakes.Inputs<VerificationEmailInput>(nameof(SendVerificationEmail)).Any(v => v.Step == step), $"the identity email {step}");
        await Client.RaiseEventAsync(Reference, DsrEvents.IdentityConfirmed, new LinkDecision(step, action, null, "requester", at ?? DateTimeOffset.UtcNow));
    }

    /// <summary>A stand-in for a linked request's workflow: it completes with the action of the first LinkedAnswered it hears.</summary>
    public static async Task<string> Listener(TaskOrchestrationContext context, string _) =>
        (await context.WaitForExternalEvent<LinkDecision>(DsrEvents.LinkedAnswered)).Action;

    private async Task<string?> OutcomeOfAsync(string id)
    {
        using var cts = new CancellationTokenSource(Patience);
        var meta = await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cts.Token);
        return meta.ReadOutputAs<string>();
    }

    /// <summary>Waits until staff have been asked for <paramref name="step"/>, then answers it.</summary>
    private async Task DecideAsync(string step, string action, string? reason = null)
    {
        await UntilAsync(() => _fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)).Any(a => a.Step == step), $"the approval request {step}");
        await Client.RaiseEventAsync(Reference, DsrEvents.StaffDecision, new LinkDecision(step, action, reason, Staff, DateTimeOffset.UtcNow));
    }

    private async Task<DsrOutcome> OutcomeAsync(string? instanceId = null)
    {
        using var cts = new CancellationTokenSource(Patience);
        OrchestrationMetadata meta;
        try
        {
            meta = await Client.WaitForInstanceCompletionAsync(instanceId ?? Reference, getInputsAndOutputs: true, cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The orchestration did not complete within {Patience}. {Trace()}");
        }

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"Runtime status {meta.RuntimeStatus}: {meta.FailureDetails?.ErrorType} {meta.FailureDetails?.ErrorMessage}. {Trace()}");
        return meta.ReadOutputAs<DsrOutcome>()!;
    }

    private async Task UntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"Timed out after {Patience} waiting for {what}. {Trace()}");
            }

            await Task.Delay(20);
        }
    }

    private string Trace() =>
        "Calls: " + string.Join(", ", _fakes.Calls.Select(c => c.Input is ProgressInput p ? $"{c.Name}({p.Step})" : c.Name));
}
