using System.Globalization;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// The one way the request workflows call an activity. Every call goes through the same retry policy (the settings'
/// attempts, doubling from the first interval). A step that still fails never fails the orchestration: the request is
/// marked "needs attention" (the index's <c>Attention</c>), the privacy team gets an alert with a retry link, and the
/// step is tried again when staff press it or, by itself, after <see cref="DsrSettings.StepAutoRetry"/> — while the
/// deadline keeps racing the wait. Activities are idempotent, so trying again is safe.
/// </summary>
internal sealed class StepRunner
{
    private readonly DsrFlow flow;
    private int _failures;

    public StepRunner(DsrFlow flow) => this.flow = flow;

    /// <summary>The retry policy of every activity call.</summary>
    internal TaskOptions Retry => Policy(flow.Settings);

    internal static TaskOptions Policy(DsrSettings settings) =>
        TaskOptions.FromRetryPolicy(new RetryPolicy(settings.GatherAttempts, settings.GatherFirstRetry, backoffCoefficient: 2.0));

    /// <summary>Calls <paramref name="activity"/> until it succeeds; the request waits visibly while it cannot.</summary>
    internal async Task<TOut> CallAsync<TIn, TOut>(ActivityCall<TIn, TOut> activity, TIn input, string? what = null)
    {
        while (true)
        {
            try
            {
                return await flow.Context.CallActivityAsync<TOut>(activity.Name, input, Retry);
            }
            catch (TaskFailedException e)
            {
                await NeedsAttentionAsync(what ?? activity.What, e.FailureDetails.ErrorMessage);
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="activity"/> with the retry policy; false if it still failed. For sends that something else
    /// makes good (the watchdog sends a reminder or an escalation that is due and not recorded) and for the alerts themselves.
    /// </summary>
    internal async Task<bool> TryAsync<TIn, TOut>(ActivityCall<TIn, TOut> activity, TIn input)
    {
        try
        {
            await flow.Context.CallActivityAsync<TOut>(activity.Name, input, Retry);
            return true;
        }
        catch (TaskFailedException)
        {
            return false;
        }
    }

    private async Task NeedsAttentionAsync(string what, string error)
    {
        var failure = ++_failures;
        var prefix = flow.Run > 1
            ? string.Create(CultureInfo.InvariantCulture, $"step-failed-r{flow.Run}-{failure}")
            : string.Create(CultureInfo.InvariantCulture, $"step-failed-{failure}");
        var current = flow.ShortWorkflow;
        var autoAt = flow.Now + flow.Settings.StepAutoRetry;
        if (current)
        {
            await TryAsync(DsrActivities.RecordProgress, new ProgressInput(flow.Ref, flow.Now, $"needs-attention-{failure}",
                string.Create(CultureInfo.InvariantCulture,
                    $"{what} failed after {flow.Settings.GatherAttempts} tries. The request needs attention: it is tried again when staff press retry, or by itself at {autoAt:yyyy-MM-dd HH:mm} UTC; the deadline is still watched."))
            { Attention = what });
        }

        LinkDecision? retry = null;
        for (var alert = 1; retry is null; alert++)
        {
            var step = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{alert}");
            var expires = flow.Now + flow.Settings.ApprovalLinkLifetime;
            await TryAsync(DsrActivities.AlertStepFailed, new StepFailedInput(flow.Ref, step, what, error, expires, flow.Now));
            var until = current && autoAt < expires ? autoAt : expires;
            retry = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.RetryGathering, until, step, clockStopped: !flow.ClockRuns);
            if (retry is null && current && flow.Now >= autoAt)
            {
                break;
            }
        }

        var detail = retry is null ? $"Tried again automatically: {what}." : $"{retry.Actor} asked to try again: {what}.";
        var actor = retry?.Actor ?? "system";
        var audit = new ProgressInput(flow.Ref, flow.Now, string.Create(CultureInfo.InvariantCulture, $"step-retry-{failure}"), detail, actor);
        await TryAsync(DsrActivities.RecordProgress, current ? audit with { Attention = string.Empty } : audit);
    }
}
