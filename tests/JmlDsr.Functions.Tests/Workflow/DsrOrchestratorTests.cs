using System.Diagnostics;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Verification;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Xunit;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>The real orchestrator on the in-process Durable Task host, with fake activities.</summary>
public sealed class DsrOrchestratorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeActivities _fakes = new();
    private DurableTaskTestHost _host = null!;

    private DurableTaskClient Client => _host.Client;

    public async Task InitializeAsync() =>
        _host = await DurableTaskTestHost.StartAsync(r =>
        {
            DsrTasks.RegisterOrchestrators(r);
            _fakes.Register(r);
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static DsrSettings Settings(TimeSpan? verificationWindow = null) =>
        new(verificationWindow ?? TimeSpan.FromHours(1), TimeSpan.FromHours(1), TimeSpan.FromDays(30), [], 2, TimeSpan.FromMilliseconds(100));

    private async Task<string> StartAsync(RequestType type = RequestType.Access, DateTimeOffset? receivedAt = null, DsrSettings? settings = null)
    {
        var id = "DSR-2026-" + Random.Shared.Next(100000, 999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(DsrOrchestrator),
            new DsrInput(id, type, receivedAt ?? DateTimeOffset.UtcNow, settings ?? Settings()), new StartOrchestrationOptions(InstanceId: id));
        return id;
    }

    private async Task UntilAsync(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > Wait)
            {
                throw new TimeoutException($"Timed out waiting for {what}. Calls: {string.Join(", ", _fakes.Calls.Select(c => c.Name))}");
            }

            await Task.Delay(20);
        }
    }

    private async Task ConfirmAsync(string id, DateTimeOffset? at = null)
    {
        await UntilAsync(() => _fakes.Count(nameof(SendVerificationEmail)) == 1, "the verification email");
        await Client.RaiseEventAsync(id, DsrEvents.IdentityConfirmed, new LinkDecision("verify", LinkActions.ConfirmIdentity, null, "requester", at ?? DateTimeOffset.UtcNow));
    }

    private async Task DecideAsync(string id, int round, string action, string? reason = null)
    {
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) >= round, $"approval request {round}");
        await Client.RaiseEventAsync(id, DsrEvents.StaffDecision, new LinkDecision($"approval-{round}", action, reason, "privacy team", DateTimeOffset.UtcNow));
    }

    private async Task<DsrOutcome> OutcomeAsync(string id)
    {
        using var cts = new CancellationTokenSource(Wait);
        var meta = await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        return meta.ReadOutputAs<DsrOutcome>()!;
    }

    private IReadOnlyList<string?> Statuses => _fakes.Inputs<ProgressInput>(nameof(RecordProgress)).Select(p => p.Status).Where(s => s is not null).ToList();

    [Fact]
    public async Task AccessRequest_HappyPath_VerifiesGathersEverySystemInParallel_IsApproved_AndFulfilled()
    {
        var id = await StartAsync();
        await ConfirmAsync(id);
        await DecideAsync(id, 1, LinkActions.Approve);
        var outcome = await OutcomeAsync(id);

        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.False(outcome.Overdue);
        Assert.Equal(1, _fakes.Count(nameof(JmlDsr.Functions.Intake.SendAcknowledgement)));
        Assert.Equal(FakeActivities.AllSystems.Order(), _fakes.Inputs<GatherInput>(nameof(GatherFromSystem)).Select(g => g.SystemId).Order());
        var approval = Assert.Single(_fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)));
        Assert.Equal(7, approval.Systems.Count);
        Assert.All(approval.Systems, s => Assert.True(s.Succeeded));
        Assert.Equal(1, _fakes.Count(nameof(BuildAccessExport)));
        Assert.Equal(1, _fakes.Count(nameof(SendAccessFulfilment)));
        Assert.Equal(0, _fakes.Count(nameof(EscalateDeadline)));
        Assert.Equal([RequestStatus.AwaitingIdentity, RequestStatus.Gathering, RequestStatus.AwaitingApproval, RequestStatus.Fulfilling, RequestStatus.Completed], Statuses);
    }

    [Fact]
    public async Task NoConfirmationWithinTheWindow_ClosesUnverified_WithoutGathering()
    {
        var id = await StartAsync(settings: Settings(verificationWindow: TimeSpan.FromSeconds(2)));
        var outcome = await OutcomeAsync(id);
        Assert.Equal(RequestStatus.ClosedUnverified, outcome.Status);
        Assert.True(Assert.Single(_fakes.Inputs<CloseUnverifiedInput>(nameof(CloseUnverified))).NoReply);
        Assert.Equal(0, _fakes.Count(nameof(GatherFromSystem)));
    }

    [Fact]
    public async Task ConfirmedButUnknownAddress_ClosesUnverified_WithTheUnknownAddressLetter()
    {
        _fakes.IdentityKnown = false;
        var id = await StartAsync();
        await ConfirmAsync(id);
        var outcome = await OutcomeAsync(id);
        Assert.Equal(RequestStatus.ClosedUnverified, outcome.Status);
        Assert.False(Assert.Single(_fakes.Inputs<CloseUnverifiedInput>(nameof(CloseUnverified))).NoReply);
        Assert.Equal(0, _fakes.Count(nameof(GatherFromSystem)));
    }

    [Fact]
    public async Task ClockRunsFromConfirmation_Art12A()
    {
        var received = new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero);
        var confirmed = new DateTimeOffset(2026, 9, 10, 9, 0, 0, TimeSpan.Zero);
        var id = await StartAsync(receivedAt: received);
        await ConfirmAsync(id, confirmed);
        await DecideAsync(id, 1, LinkActions.Approve);
        await OutcomeAsync(id);
        var clock = _fakes.Inputs<ProgressInput>(nameof(RecordProgress)).Single(p => p.Step == "identity-confirmed");
        Assert.Equal(new DateOnly(2026, 9, 10), clock.RelevantDate);
        Assert.Equal(9, clock.PausedDays);
        Assert.Equal(StatutoryClock.DueDate(new DateOnly(2026, 9, 10), 0, false, BankHolidayCalendar.EnglandAndWales), clock.DueDate);
    }

    [Fact]
    public async Task DeadlineReached_WhileWaitingForStaff_EscalatesOnce_AndTheRequestStillCompletes()
    {
        // Confirmed on 6 Jan 2026: due 6 Feb 2026, long past, so the deadline timer fires at once.
        var id = await StartAsync(receivedAt: new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        await ConfirmAsync(id, new DateTimeOffset(2026, 1, 6, 10, 0, 0, TimeSpan.Zero));
        await UntilAsync(() => _fakes.Count(nameof(EscalateDeadline)) == 1, "the escalation");
        Assert.Equal(new DateOnly(2026, 2, 6), Assert.Single(_fakes.Inputs<EscalationInput>(nameof(EscalateDeadline))).DueDate);
        await DecideAsync(id, 1, LinkActions.Approve);
        var outcome = await OutcomeAsync(id);
        Assert.Equal(RequestStatus.Completed, outcome.Status);
        Assert.True(outcome.Overdue);
        Assert.Equal(1, _fakes.Count(nameof(EscalateDeadline)));
    }

    [Fact]
    public async Task Rejected_WithReason_TellsTheRequester_AndExportsNothing()
    {
        var id = await StartAsync();
        await ConfirmAsync(id);
        await DecideAsync(id, 1, LinkActions.Reject, "Manifestly unfounded: sent to disrupt.");
        var outcome = await OutcomeAsync(id);
        Assert.Equal(RequestStatus.Rejected, outcome.Status);
        var notice = Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.Equal(SendCustomerNotice.Rejection, notice.Step);
        Assert.Equal("Manifestly unfounded: sent to disrupt.", notice.Reason);
        Assert.Equal(0, _fakes.Count(nameof(BuildAccessExport)));
    }

    [Fact]
    public async Task FailingSystem_IsRetried_ThenPutToStaff_AndNeverSkipped()
    {
        _fakes.GatherFails = g => g.SystemId == "feedback" && g.Round == 1;
        var id = await StartAsync();
        await ConfirmAsync(id);
        await UntilAsync(() => _fakes.Count(nameof(AlertGatheringFailed)) == 1, "the staff alert");
        var alert = Assert.Single(_fakes.Inputs<GatheringFailedInput>(nameof(AlertGatheringFailed)));
        Assert.Equal("feedback", Assert.Single(alert.Failed).SystemId);
        Assert.Equal(2, _fakes.Inputs<GatherInput>(nameof(GatherFromSystem)).Count(g => g.SystemId == "feedback"));
        Assert.Equal(0, _fakes.Count(nameof(SendApprovalRequest)));

        await Client.RaiseEventAsync(id, DsrEvents.RetryGathering, new LinkDecision(alert.Step, LinkActions.RetryGathering, null, "privacy team", DateTimeOffset.UtcNow));
        await DecideAsync(id, 1, LinkActions.Approve);
        var outcome = await OutcomeAsync(id);
        Assert.Equal(RequestStatus.Completed, outcome.Status);
        var approval = Assert.Single(_fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)));
        Assert.Equal(7, approval.Systems.Count);
        Assert.All(approval.Systems, s => Assert.True(s.Succeeded));
        Assert.Equal(7, _fakes.Inputs<ExportInput>(nameof(BuildAccessExport)).Single().Systems.Count);
    }

    [Fact]
    public async Task Extension_WithinTheFirstMonth_NotifiesTheRequester_WithTheNewDate_AndAsksAgain()
    {
        var id = await StartAsync();
        await ConfirmAsync(id);
        await DecideAsync(id, 1, LinkActions.Extend, "Records in seven systems need review.");
        await DecideAsync(id, 2, LinkActions.Approve);
        var outcome = await OutcomeAsync(id);
        Assert.Equal(RequestStatus.Completed, outcome.Status);
        var notice = Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.Equal(SendCustomerNotice.Extension, notice.Step);
        var today = StatutoryClock.UkDate(DateTimeOffset.UtcNow);
        Assert.Equal(StatutoryClock.DueDate(today, 0, true, BankHolidayCalendar.EnglandAndWales), notice.DueDate);
        Assert.Equal(["approval-1", "approval-2"], _fakes.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)).Select(a => a.Step));
    }

    [Fact]
    public async Task SecondExtension_IsRefused()
    {
        var id = await StartAsync();
        await ConfirmAsync(id);
        await DecideAsync(id, 1, LinkActions.Extend, "Complex.");
        await DecideAsync(id, 2, LinkActions.Extend, "Still complex.");
        await DecideAsync(id, 3, LinkActions.Approve);
        await OutcomeAsync(id);
        Assert.Single(_fakes.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)));
        Assert.Contains(_fakes.Inputs<ProgressInput>(nameof(RecordProgress)), p => p.Step == "extension-refused");
    }

    [Fact]
    public async Task DecisionForAStaleStep_IsIgnored()
    {
        var id = await StartAsync();
        await ConfirmAsync(id);
        await UntilAsync(() => _fakes.Count(nameof(SendApprovalRequest)) == 1, "approval request");
        await Client.RaiseEventAsync(id, DsrEvents.StaffDecision, new LinkDecision("approval-9", LinkActions.Approve, null, "privacy team", DateTimeOffset.UtcNow));
        await UntilAsync(() => _fakes.Inputs<ProgressInput>(nameof(RecordProgress)).Any(p => p.Step == "event-ignored"), "the stale event to be ignored");
        var meta = await Client.GetInstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Running, meta!.RuntimeStatus);
        Assert.Equal(0, _fakes.Count(nameof(BuildAccessExport)));
        await DecideAsync(id, 1, LinkActions.Approve);
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync(id)).Status);
    }

    [Fact]
    public async Task UnclassifiedMessage_WaitsForStaffToClassify_ThenRunsAsThatType()
    {
        var id = await StartAsync(RequestType.Unclassified);
        await UntilAsync(() => _fakes.Count("SendStaffTriage") == 1, "the triage email");
        Assert.Equal(0, _fakes.Count(nameof(JmlDsr.Functions.Intake.SendAcknowledgement)));
        await Client.RaiseEventAsync(id, DsrEvents.Classified, new ClassifiedEvent(RequestType.Access, "privacy team", DateTimeOffset.UtcNow));
        await ConfirmAsync(id);
        await DecideAsync(id, 1, LinkActions.Approve);
        Assert.Equal(RequestStatus.Completed, (await OutcomeAsync(id)).Status);
        Assert.Contains(_fakes.Inputs<ProgressInput>(nameof(RecordProgress)), p => p.Type == RequestType.Access);
    }
}
