using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Complaints;

/// <summary>
/// One complaint (DPA 2018 s 164A), from receipt to outcome: acknowledge at once (the law allows 30 days), ask the
/// privacy team to look into it with a single-use respond link (a new one whenever it expires unused), then send the
/// outcome, which repeats the right to complain to the ICO. No statutory DSR clock: the outcome is due "without undue
/// delay". Deterministic: time from the context, settings from the input, no I/O.
/// </summary>
public static class ComplaintOrchestrator
{
    [Function(nameof(ComplaintOrchestrator))]
    public static Task<ComplaintResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<ComplaintInput>() ?? throw new InvalidOperationException("ComplaintOrchestrator needs its input.");
        return RunAsync(context, input);
    }

    public static Task<ComplaintResult> RunAsync(TaskOrchestrationContext context, ComplaintInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        return new ComplaintFlow(context, input).RunAsync();
    }
}

/// <summary>The state of one run of <see cref="ComplaintOrchestrator"/>.</summary>
internal sealed class ComplaintFlow
{
    // A plain constructor, not a primary one: the DurableTask analyzers follow calls from the
    // orchestrator into this class and fail on primary constructors.
    private readonly TaskOrchestrationContext ctx;
    private readonly ComplaintInput input;
    private readonly DateOnly _received;
    private readonly DateOnly _acknowledgeBy;

    public ComplaintFlow(TaskOrchestrationContext context, ComplaintInput input)
    {
        ctx = context;
        this.input = input;
        _received = StatutoryClock.UkDate(input.ReceivedAt);
        _acknowledgeBy = ComplaintClock.AcknowledgementDue(_received, BankHolidayCalendar.EnglandAndWales.With(input.Settings.ExtraBankHolidays));
    }

    private string Ref => input.Reference;

    private DateTimeOffset Now => new(ctx.CurrentUtcDateTime, TimeSpan.Zero);

    /// <summary>An outside service that fails (mail, storage) is retried with backoff: 5 tries over about 4 minutes.</summary>
    private static TaskOptions Retry => TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(15), backoffCoefficient: 2.0));

    public async Task<ComplaintResult> RunAsync()
    {
        // s 164A(3): acknowledge within 30 days; JML does it at once. The due date is kept for the evidence pack.
        await ctx.CallActivityAsync<bool>(nameof(SendComplaintAcknowledgement), new ComplaintAcknowledgementInput(Ref, _acknowledgeBy, Now), Retry);
        var acknowledgedOn = StatutoryClock.UkDate(Now);
        var inTime = acknowledgedOn <= _acknowledgeBy;
        await ProgressAsync(RequestStatus.ComplaintOpen, "complaint-acknowledged",
            $"Complaint acknowledged on {acknowledgedOn:yyyy-MM-dd} ({(inTime ? "within" : "AFTER")} the 30 days of DPA 2018 s 164A(3): due by {_acknowledgeBy:yyyy-MM-dd}). " +
            "Waiting for the privacy team to look into it and send the outcome without undue delay (s 164A(4)).",
            due: _acknowledgeBy);

        for (var round = 1; ; round++)
        {
            var step = $"complaint-{round}";
            var expires = Now + input.Settings.LinkLifetime;
            await ctx.CallActivityAsync<bool>(nameof(SendComplaintToStaff), new ComplaintStaffInput(Ref, step, _acknowledgeBy, expires, Now), Retry);
            var decision = await WaitAsync(step, expires);
            if (decision is null)
            {
                await AuditAsync("complaint-links-expired", "The respond link expired unused; a new one was sent to the privacy team.");
                continue;
            }

            if (decision.Action != LinkActions.Respond)
            {
                await AuditAsync("decision-ignored", $"Action '{decision.Action}' does not answer a complaint; ignored.", decision.Actor);
                continue;
            }

            // s 164A(4)(b): tell the complainant the outcome; the email repeats the right to complain to the ICO.
            await ctx.CallActivityAsync<bool>(nameof(SendComplaintOutcome), new ComplaintOutcomeInput(Ref, step, Now), Retry);
            var days = StatutoryClock.UkDate(Now).DayNumber - _received.DayNumber;
            await ProgressAsync(RequestStatus.ComplaintClosed, "complaint-closed",
                $"Outcome sent to the complainant by {decision.Actor}, {days} day(s) after the complaint was received; they were told of their right to complain to the ICO.",
                actor: decision.Actor, closed: true);
            return new ComplaintResult(Ref, RequestStatus.ComplaintClosed, _acknowledgeBy.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), inTime);
        }
    }

    /// <summary>Waits for the staff decision for <paramref name="step"/> until <paramref name="expires"/>; null when the link expired unused.</summary>
    private async Task<LinkDecision?> WaitAsync(string step, DateTimeOffset expires)
    {
        using var cts = new CancellationTokenSource();
        var expiry = ctx.CreateTimer(expires.UtcDateTime, cts.Token);
        var evt = ctx.WaitForExternalEvent<LinkDecision>(DsrEvents.StaffDecision, cts.Token);
        while (true)
        {
            var winner = await Task.WhenAny(evt, expiry);
            if (winner == expiry)
            {
                cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                return null;
            }

            if (evt.Result is { } decision && decision.Step == step)
            {
                cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                return decision;
            }

            await AuditAsync("event-ignored", $"A {DsrEvents.StaffDecision} for another step was ignored.");
            evt = ctx.WaitForExternalEvent<LinkDecision>(DsrEvents.StaffDecision, cts.Token);
        }
    }

    private Task<bool> AuditAsync(string step, string detail, string actor = "system") =>
        ctx.CallActivityAsync<bool>(nameof(RecordProgress), new ProgressInput(Ref, Now, step, detail, actor), Retry);

    private Task<bool> ProgressAsync(string status, string step, string detail, string actor = "system", DateOnly? due = null, bool closed = false)
    {
        ctx.SetCustomStatus(status);
        return ctx.CallActivityAsync<bool>(nameof(RecordProgress), new ProgressInput(Ref, Now, step, detail, actor, status, DueDate: due, Overdue: false, Closed: closed), Retry);
    }
}
