using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Deadlines;

/// <summary>
/// Every wait of a request workflow: for an event, until it expires, with the statutory deadline racing it. Unless the
/// clock is stopped, reaching the due date escalates once and the wait goes on — a deadline never passes silently — and
/// the reminders go out on their days meanwhile. One durable timer serves all three, set for whichever comes first. The
/// dates come from the request's <see cref="Domain.Deadlines.RequestClock"/>; nothing here computes one.
/// </summary>
internal sealed class DeadlineWait
{
    private readonly DsrFlow flow;

    public DeadlineWait(DsrFlow flow) => this.flow = flow;

    private IReadOnlyList<int> ReminderDays => flow.Settings.ReminderDaysBefore;

    /// <summary>
    /// Waits for <paramref name="eventName"/> (a <see cref="LinkDecision"/> must be for <paramref name="step"/>) until
    /// <paramref name="expires"/> (null: no limit); null when it expired.
    /// </summary>
    internal async Task<T?> ForAsync<T>(string eventName, DateTimeOffset? expires, string? step, bool clockStopped = false)
        where T : class =>
        (await ForAnyAsync<T>([eventName], expires, (_, e) => IsForStep(e, step), clockStopped))?.Value;

    /// <summary>
    /// Waits for the first of <paramref name="eventNames"/> that <paramref name="accept"/> takes (others are recorded as
    /// ignored and the wait goes on) until <paramref name="expires"/>; null when it expired. The deadline races it as in
    /// <see cref="ForAsync{T}"/>.
    /// </summary>
    internal async Task<(string Name, T Value)?> ForAnyAsync<T>(IReadOnlyList<string> eventNames, DateTimeOffset? expires, Func<string, T, bool> accept, bool clockStopped = false)
        where T : class
    {
        var ctx = flow.Context;
        using var cts = new CancellationTokenSource();
        var events = eventNames.Select(n => ctx.WaitForExternalEvent<T>(n, cts.Token)).ToArray();
        DateTime? expiryAt = expires?.UtcDateTime;
        Task? timer = null;
        DateTime? timerAt = null;
        while (true)
        {
            DateTime? deadlineAt = null;
            DateTime? reminderAt = null;
            if (!clockStopped && !flow.Clock.Escalated)
            {
                deadlineAt = flow.Clock.DeadlineUtc;
                await SendDueRemindersAsync();
                reminderAt = flow.Clock.NextReminderAt(flow.Now, ReminderDays);
            }

            var wakeAt = new[] { expiryAt, deadlineAt, reminderAt }.Where(t => t is not null).Min();
            if (wakeAt != timerAt)
            {
                timer = wakeAt is null ? null : flow.TimerAt(wakeAt.Value, cts.Token);
                timerAt = wakeAt;
            }

            Task winner = timer is null ? await Task.WhenAny(events) : await Task.WhenAny(events.Append(timer));
            if (Array.FindIndex(events, e => e == winner) is var which and >= 0)
            {
                var result = events[which].Result;
                if (accept(eventNames[which], result))
                {
                    cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                    return (eventNames[which], result);
                }

                await flow.Steps.TryAsync(DsrActivities.RecordProgress, new ProgressInput(flow.Ref, flow.Now, "event-ignored", $"A {eventNames[which]} for another step was ignored."));
                events[which] = ctx.WaitForExternalEvent<T>(eventNames[which], cts.Token);
                continue;
            }

            // The timer fired: it was set for the earliest of the three, so that one (or several at the same instant) is due.
            timer = null;
            timerAt = null;
            if (wakeAt == expiryAt)
            {
                cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                return null;
            }

            if (wakeAt == deadlineAt)
            {
                await EscalateAsync();
            }
            else if (wakeAt == reminderAt && flow.Clock.ReminderDue(flow.Now, ReminderDays) is { } days)
            {
                await RemindAsync(days);
            }
        }
    }

    /// <summary>Escalates if the due date passed and that was not yet escalated (before the request closes).</summary>
    internal async Task CheckDeadlineAsync()
    {
        if (flow.Clock.EscalationDue(flow.Now))
        {
            await EscalateAsync();
        }
    }

    /// <summary>An event answers the wait unless it is a decision for another step (a stale link).</summary>
    private static bool IsForStep<T>(T result, string? step) => step is null || result is not LinkDecision d || d.Step == step;

    private async Task SendDueRemindersAsync()
    {
        while (flow.Clock.ReminderDue(flow.Now, ReminderDays) is { } days)
        {
            await RemindAsync(days);
        }
    }

    // A reminder or escalation that cannot be sent after every retry is not retried here: the watchdog sends what is due
    // and not recorded, under the same once-only key.
    private async Task RemindAsync(int daysBefore)
    {
        flow.Clock = flow.Clock.Reminded(daysBefore, ReminderDays);
        await flow.Steps.TryAsync(DsrActivities.SendStaffReminder, new ReminderInput(flow.Ref, flow.Clock.Due, daysBefore, flow.Status, flow.Now));
    }

    private async Task EscalateAsync()
    {
        flow.Clock = flow.Clock.Escalate();
        await flow.Steps.TryAsync(DsrActivities.EscalateDeadline, new EscalationInput(flow.Ref, flow.Clock.Due, flow.Status, flow.Now));
    }
}
