using System.Diagnostics;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Complaints;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Verification;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Xunit;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>
/// The real <see cref="ComplaintOrchestrator"/> (DPA 2018 s 164A) on the in-process Durable Task host, with the same fake
/// activities as the request workflow. Each test gets its own host; tests wait on conditions, never on fixed sleeps.
/// </summary>
public sealed class ComplaintOrchestratorTests : IAsyncLifetime
{
    private const string Reference = "DSR-2026-000050";
    private const string Staff = "Dana Reviewer (console)";
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
    public void ComplaintOrchestrator_IsRegisteredForBothHosts() =>
        Assert.Contains(nameof(ComplaintOrchestrator), DsrTasks.OrchestratorNames);

    [Theory]
    [InlineData(nameof(SendComplaintAcknowledgement))]
    [InlineData(nameof(SendComplaintToStaff))]
    [InlineData(nameof(SendComplaintOutcome))]
    public void ComplaintActivities_AreRegisteredForBothHosts(string name) => Assert.Contains(name, DsrTasks.ActivityNames);

    [Fact]
    public async Task Complaint_IsAcknowledgedAtOnce_WithThe30DayDateRecorded_AndStaffAreAsked()
    {
        var received = DateTimeOffset.UtcNow;
        await StartAsync(received);
        await UntilAsync(() => _fakes.Count(nameof(SendComplaintToStaff)) == 1, "the privacy team's email");

        var ack = Assert.Single(_fakes.Inputs<ComplaintAcknowledgementInput>(nameof(SendComplaintAcknowledgement)));
        var expectedDue = ComplaintClock.AcknowledgementDue(StatutoryClock.UkDate(received), BankHolidayCalendar.EnglandAndWales);
        Assert.Equal(expectedDue, ack.AcknowledgementDue);
        Assert.True(ack.At - received < TimeSpan.FromMinutes(1), "The acknowledgement was not sent at once.");

        var acknowledged = Assert.Single(Progress, p => p.Step == "complaint-acknowledged");
        Assert.Equal(RequestStatus.ComplaintOpen, acknowledged.Status);
        Assert.Equal(expectedDue, acknowledged.DueDate);
        Assert.Contains("s 164A", acknowledged.Detail, StringComparison.Ordinal);

        var asked = Assert.Single(_fakes.Inputs<ComplaintStaffInput>(nameof(SendComplaintToStaff)));
        Assert.Equal("complaint-1", asked.Step);
        Assert.True(asked.LinkExpires > asked.At);

        // A complaint is not a request: no identity check, no searches, no approval, no statutory escalation.
        Assert.Equal(0, _fakes.Count(nameof(SendAcknowledgement)));
        Assert.Equal(0, _fakes.Count(nameof(SendVerificationEmail)));
        Assert.Equal(0, _fakes.Count(nameof(SendApprovalRequest)));
        Assert.Equal(0, _fakes.Count(nameof(SendComplaintOutcome)));
    }

    [Fact]
    public async Task Respond_SendsTheOutcome_AndClosesTheComplaint()
    {
        await StartAsync();
        await RespondAsync("complaint-1");
        var result = await ResultAsync();

        Assert.Equal(RequestStatus.ComplaintClosed, result.Status);
        Assert.True(result.AcknowledgedInTime);
        var outcome = Assert.Single(_fakes.Inputs<ComplaintOutcomeInput>(nameof(SendComplaintOutcome)));
        Assert.Equal("complaint-1", outcome.DecisionStep);
        Assert.Equal([RequestStatus.ComplaintOpen, RequestStatus.ComplaintClosed], Statuses);
        var closed = Progress[^1];
        Assert.True(closed.Closed);
        Assert.Equal("complaint-closed", closed.Step);
        Assert.Equal(Staff, closed.Actor);
        Assert.Contains("ICO", closed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RespondLinks_ThatExpireUnused_AreSentAgain_AndTheOutcomeOnTheNewLinkIsHeard()
    {
        await StartAsync(settings: new ComplaintSettings(TimeSpan.FromSeconds(3), []));
        await UntilAsync(() => _fakes.Count(nameof(SendComplaintToStaff)) >= 2, "a new respond link after the first expired");

        Assert.Equal(["complaint-1", "complaint-2"], _fakes.Inputs<ComplaintStaffInput>(nameof(SendComplaintToStaff)).Take(2).Select(s => s.Step));
        Assert.Contains(Progress, p => p.Step == "complaint-links-expired");
        Assert.Equal(1, _fakes.Count(nameof(SendComplaintAcknowledgement)));

        var latest = _fakes.Inputs<ComplaintStaffInput>(nameof(SendComplaintToStaff))[^1].Step;
        await Client.RaiseEventAsync(Reference, DsrEvents.StaffDecision, new LinkDecision(latest, LinkActions.Respond, null, Staff, DateTimeOffset.UtcNow));
        var result = await ResultAsync();

        Assert.Equal(RequestStatus.ComplaintClosed, result.Status);
        Assert.Equal(latest, Assert.Single(_fakes.Inputs<ComplaintOutcomeInput>(nameof(SendComplaintOutcome))).DecisionStep);
    }

    [Fact]
    public async Task ResponseForAStaleStep_IsIgnored_AndDoesNotCloseTheComplaint()
    {
        await StartAsync();
        await UntilAsync(() => _fakes.Count(nameof(SendComplaintToStaff)) == 1, "the privacy team's email");
        await Client.RaiseEventAsync(Reference, DsrEvents.StaffDecision, new LinkDecision("complaint-7", LinkActions.Respond, null, Staff, DateTimeOffset.UtcNow));
        await UntilAsync(() => Progress.Any(p => p.Step == "event-ignored"), "the stale response to be ignored");

        Assert.Equal(0, _fakes.Count(nameof(SendComplaintOutcome)));
        await RespondAsync("complaint-1");
        Assert.Equal(RequestStatus.ComplaintClosed, (await ResultAsync()).Status);
    }

    [Fact]
    public async Task ComplaintLoggedLate_IsStillAcknowledged_ButTheEvidenceSaysItWasLate()
    {
        // Received 1 June 2026 and only now being handled: the 30 days are long past.
        await StartAsync(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        await RespondAsync("complaint-1");
        var result = await ResultAsync();

        Assert.False(result.AcknowledgedInTime);
        Assert.Equal("2026-07-01", result.AcknowledgementDue);
        Assert.Contains("AFTER", Progress.Single(p => p.Step == "complaint-acknowledged").Detail, StringComparison.Ordinal);
        Assert.All(Progress, p => Assert.NotEqual(true, p.Overdue));
    }

    private Task<string> StartAsync(DateTimeOffset? receivedAt = null, ComplaintSettings? settings = null) =>
        Client.ScheduleNewOrchestrationInstanceAsync(nameof(ComplaintOrchestrator),
            new ComplaintInput(Reference, receivedAt ?? DateTimeOffset.UtcNow, settings ?? new ComplaintSettings(Long, [])),
            new StartOrchestrationOptions(InstanceId: Reference));

    /// <summary>Waits until staff have been asked for <paramref name="step"/>, then sends the outcome (its text is in the Decisions table).</summary>
    private async Task RespondAsync(string step)
    {
        await UntilAsync(() => _fakes.Inputs<ComplaintStaffInput>(nameof(SendComplaintToStaff)).Any(s => s.Step == step), $"the respond link {step}");
        await Client.RaiseEventAsync(Reference, DsrEvents.StaffDecision, new LinkDecision(step, LinkActions.Respond, null, Staff, DateTimeOffset.UtcNow));
    }

    private async Task<ComplaintResult> ResultAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        OrchestrationMetadata meta;
        try
        {
            meta = await Client.WaitForInstanceCompletionAsync(Reference, getInputsAndOutputs: true, cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The orchestration did not complete within {Patience}. {Trace()}");
        }

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"Runtime status {meta.RuntimeStatus}: {meta.FailureDetails?.ErrorType} {meta.FailureDetails?.ErrorMessage}. {Trace()}");
        return meta.ReadOutputAs<ComplaintResult>()!;
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
