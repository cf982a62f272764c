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

    private int _failures;

    /// <summary>An outside service that fails (mail, storage) is retried with backoff: 5 tries over about 4 minutes.</summary>
    private static TaskOptions Retry => TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(15), backoffCoefficient: 2.0));

    /// <summary>
    /// Every activity call: the retry policy, then — if it still fails — the complaint needs attention: the privacy team
    /// gets an alert with a retry link, and the step is tried again when they press it or by itself after the automatic
    /// retry interval. The workflow never fails on a step.
    /// </summary>
    private async Task<TOut> CallAsync<TIn, TOut>(ActivityCall<TIn, TOut> activity, TIn activityInput)
    {
        while (true)
        {
            try
            {
                return await ctx.CallActivityAsync<TOut>(activity.Name, activityInput, Retry);
            }
            catch (TaskFailedException e)
            {
                var failure = ++_failures;
                var step = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step-failed-{failure}");
                var retryAt = Now + input.Settings.StepAutoRetry;
                await TryAsync(DsrActivities.RecordProgress, new ProgressInput(Ref, Now, $"needs-attention-{failure}",
                    $"{activity.What} failed after every retry; tried again when staff press retry, or by itself at {retryAt:yyyy-MM-dd HH:mm} UTC.") { Attention = activity.What });
                await TryAsync(DsrActivities.AlertStepFailed, new StepFailedInput(Ref, step, activity.What, e.FailureDetails.ErrorMessage, retryAt, Now));
                var retry = await WaitAsync(step, retryAt, DsrEvents.RetryGathering);
                await TryAsync(DsrActivities.RecordProgress, new ProgressInput(Ref, Now, $"step-retry-{failure}",
                    retry is null ? $"Tried again automatically: {activity.What}." : $"{retry.Actor} asked to try again: {activity.What}.", retry?.Actor ?? "system") { Attention = string.Empty });
            }
        }
    }

    private async Task TryAsync<TIn, TOut>(ActivityCall<TIn, TOut> activity, TIn activityInput)
    {
        try
        {
            await ctx.CallActivityAsync<TOut>(activity.Name, activityInput, Retry);
        }
        catch (TaskFailedException)
        {
            // The alert or the note could not be written either: the automatic retry still comes.
        }
    }

    public async Task<ComplaintResult> RunAsync()
    {
        // s 164A(3): acknowledge within 30 days; JML does it at once. The due date is kept for the evidence pack.
        await CallAsync(Acknowledge, new ComplaintAcknowledgementInput(Ref, _acknowledgeBy, Now));
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
            await CallAsync(ToStaff, new ComplaintStaffInput(Ref, step, _acknowledgeBy, expires, Now));
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
            await CallAsync(Outcome, new ComplaintOutcomeInput(Ref, step, Now));
            var days = StatutoryClock.UkDate(Now).DayNumber - _received.DayNumber;
            await ProgressAsync(RequestStatus.ComplaintClosed, "complaint-closed",
                $"Outcome sent to the complainant by {decision.Actor}, {days} day(s) after the complaint was received; they were told of their right to complain to the ICO.",
                actor: decision.Actor, closed: true);
            return new ComplaintResult(Ref, RequestStatus.ComplaintClosed, _acknowledgeBy.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), inTime);
        }
    }

    /// <summary>Waits for the staff decision for <paramref name="step"/> until <paramref name="expires"/>; null when the link expired unused.</summary>
    private async Task<LinkDecision?> WaitAsync(string step, DateTimeOffset expires, string eventName = DsrEvents.StaffDecision)
    {
        using var cts = new CancellationTokenSource();
        var expiry = ctx.CreateTimer(expires.UtcDateTime, cts.Token);
        var evt = ctx.WaitForExternalEvent<LinkDecision>(eventName, cts.Token);
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

            await AuditAsync("event-ignored", $"A {eventName} for another step was ignored.");
            evt = ctx.WaitForExternalEvent<LinkDecision>(eventName, cts.Token);
        }
    }

    private static readonly ActivityCall<ComplaintAcknowledgementInput, bool> Acknowledge = new(nameof(SendComplaintAcknowledgement), "Acknowledging the complaint");
    private static readonly ActivityCall<ComplaintStaffInput, bool> ToStaff = new(nameof(SendComplaintToStaff), "Asking the privacy team to look into the complaint");
    private static readonly ActivityCall<ComplaintOutcomeInput, bool> Outcome = new(nameof(SendComplaintOutcome), "Sending the complaint's outcome");

    private Task<bool> AuditAsync(string step, string detail, string actor = "system") =>
        CallAsync(DsrActivities.RecordProgress, new ProgressInput(Ref, Now, step, detail, actor));

    private Task<bool> ProgressAsync(string status, string step, string detail, string actor = "system", DateOnly? due = null, bool closed = false)
    {
        ctx.SetCustomStatus(status);
        return CallAsync(DsrActivities.RecordProgress, new ProgressInput(Ref, Now, step, detail, actor, status, DueDate: due, Overdue: false, Closed: closed));
    }
}
