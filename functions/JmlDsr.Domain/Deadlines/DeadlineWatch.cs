using System.Globalization;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Deadlines;

/// <summary>What the Durable engine says about a request's workflow instance.</summary>
public enum InstanceState
{
    /// <summary>The engine has no instance under the request's reference.</summary>
    Missing,
    Pending,
    Running,
    Completed,
    Failed,
    Terminated,
    Suspended,
}

/// <summary>The watchdog's verdict on one open request's workflow.</summary>
public enum WatchVerdict
{
    /// <summary>Alive and waiting where the index says (or starting, within the grace period).</summary>
    Watched,
    Failed,
    Terminated,

    /// <summary>The request is open in the index and the engine has no workflow for it.</summary>
    Missing,

    /// <summary>There is a workflow, but it is not moving as it should (see the reason).</summary>
    Stuck,
}

/// <summary>What the request index says about an open request.</summary>
/// <param name="Status">The index status (a <see cref="RequestStatus"/> wire name).</param>
/// <param name="Clock">The statutory clock as recorded (its due date is the one watched).</param>
/// <param name="ReceivedAt">When the request was received.</param>
/// <param name="ClockRuns">Whether the statutory clock runs at this status (see <see cref="DeadlineWatch.ClockRuns"/>).</param>
/// <param name="LastProgressAt">The orchestration time of the last change the workflow wrote to the index.</param>
/// <param name="NeedsAttention">Whether a step failed after its retries and waits for staff or its automatic retry (a visible wait, not stuck).</param>
public sealed record WatchedRequest(string Status, RequestClock Clock, DateTimeOffset ReceivedAt, bool ClockRuns, DateTimeOffset? LastProgressAt, bool NeedsAttention = false);

/// <summary>What the engine says about the request's workflow instance.</summary>
/// <param name="CustomStatus">The status the workflow last set for itself (the index status it was recording), if any.</param>
public sealed record WorkflowInstance(InstanceState State, string? CustomStatus, DateTimeOffset? CreatedAt, DateTimeOffset? LastUpdatedAt)
{
    public static WorkflowInstance None { get; } = new(InstanceState.Missing, null, null, null);
}

/// <summary>The watchdog's settings.</summary>
/// <param name="Grace">
/// How long a disagreement may last before it counts: the workflow writes its custom status and then the index, a new request
/// waits a moment for its workflow to start, a timer fires a little late.
/// </param>
/// <param name="ReminderDaysBefore">The reminder days, as the workflow uses them.</param>
/// <param name="StepLimit">
/// How long a workflow may stay at a status where it works by itself (received, gathering, fulfilling — not waiting for a
/// person) with no step finishing before it counts as stuck: an activity whose result never came (e.g. lost in a storage
/// outage) leaves the workflow running and the index agreeing with it.
/// </param>
public sealed record WatchSettings(TimeSpan Grace, IReadOnlyList<int> ReminderDaysBefore, TimeSpan? StepLimit = null)
{
    /// <summary>The step limit, an hour unless set: far longer than any step with all its retries.</summary>
    public TimeSpan WorkingLimit => StepLimit ?? TimeSpan.FromHours(1);
}

/// <summary>The watchdog's decision on one open request.</summary>
/// <param name="Verdict">Whether the workflow is under watch, and if not, what is wrong with it.</param>
/// <param name="Reason">The verdict in words (statuses and times only, never personal data).</param>
/// <param name="Since">When the problem began (null when watched): it names the alert, so each problem is alerted once.</param>
/// <param name="ReminderDaysBefore">The reminder the watchdog sends now, as days before the due date; null for none.</param>
/// <param name="EscalationDue">Whether the watchdog sends the due-date escalation now.</param>
public sealed record WatchDecision(WatchVerdict Verdict, string Reason, DateTimeOffset? Since, int? ReminderDaysBefore, bool EscalationDue)
{
    public bool IsWatched => Verdict == WatchVerdict.Watched;

    /// <summary>The step of this problem's alert and restart link (null when watched).</summary>
    public string? AlertStep => Since is { } since && !IsWatched ? DeadlineWatch.AlertStep(Verdict, since) : null;
}

/// <summary>
/// The independent deadline watchdog's rules (issue 15): the workflow is one guard of a request's deadline, the watchdog the
/// second. For each open request it compares what the engine says about the workflow with what the index says, allowing a
/// grace period for the moment between the two writes, and decides which reminder or escalation (UK GDPR Art 12(3)) it
/// must send itself because the workflow did not. The same rules as the workflow: <see cref="RequestClock.ReminderDue"/>
/// and <see cref="RequestClock.EscalationDue"/>, with what the Sends record says was sent. No clock is read here.
/// </summary>
public static class DeadlineWatch
{
    /// <summary>The recipients of an escalation, as the suffixes of its Sends keys: the privacy team and the DPO.</summary>
    public static IReadOnlyList<string> EscalationRecipients { get; } = ["team", "dpo"];

    /// <summary>
    /// Whether the statutory clock runs at <paramref name="status"/>: not while the requester is asked for identity, a
    /// clarification or a fee (Art 12A), not once answered, and never for a complaint (DPA 2018 s 164A has no Art 12(3) date).
    /// </summary>
    public static bool ClockRuns(RequestType type, string status) =>
        type != RequestType.Complaint && !RequestStatus.IsPaused(status) && !RequestStatus.IsClosed(status);

    /// <summary>The Sends key of the reminder <paramref name="daysBefore"/> days before <paramref name="due"/> (the workflow's and the watchdog's).</summary>
    public static string ReminderSendKey(DateOnly due, int daysBefore) =>
        string.Create(CultureInfo.InvariantCulture, $"reminder-{due:yyyy-MM-dd}-{daysBefore}");

    /// <summary>The Sends key of the escalation of <paramref name="due"/> to one of <see cref="EscalationRecipients"/>.</summary>
    public static string EscalationSendKey(DateOnly due, string recipient) =>
        string.Create(CultureInfo.InvariantCulture, $"overdue-{due:yyyy-MM-dd}-{recipient}");

    /// <summary>The step of a problem's alert and of its single-use restart link: one per request, problem and its start.</summary>
    public static string AlertStep(WatchVerdict verdict, DateTimeOffset since) =>
        string.Create(CultureInfo.InvariantCulture, $"watchdog-{ToWire(verdict)}-{since.UtcDateTime:yyyyMMdd'T'HHmm}");

    /// <summary>The Sends key of a problem's alert to one recipient ("team" or "dpo").</summary>
    public static string AlertSendKey(string alertStep, string recipient) => alertStep + "-" + recipient;

    public static string ToWire(WatchVerdict verdict) => verdict.ToString().ToLowerInvariant();

    public static WatchVerdict? FromWire(string? value) => value switch
    {
        "watched" => WatchVerdict.Watched,
        "failed" => WatchVerdict.Failed,
        "terminated" => WatchVerdict.Terminated,
        "missing" => WatchVerdict.Missing,
        "stuck" => WatchVerdict.Stuck,
        _ => null,
    };

    /// <summary>
    /// The clock as the Sends record says: the reminders recorded for its due date (earlier ones passed over, as the workflow
    /// does) and the escalation only when both its emails are recorded. What the workflow meant to do but did not record does
    /// not count.
    /// </summary>
    public static RequestClock WithRecordedSends(RequestClock clock, IReadOnlySet<string> recorded, IReadOnlyList<int> reminderDays)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(reminderDays);
        var c = clock with { RemindersDone = [], Escalated = EscalationRecipients.All(r => recorded.Contains(EscalationSendKey(clock.Due, r))) };
        foreach (var d in reminderDays.Where(d => recorded.Contains(ReminderSendKey(clock.Due, d))))
        {
            c = c.Reminded(d, reminderDays);
        }

        return c;
    }

    /// <summary>
    /// The verdict on one open request, and what the watchdog sends itself. A workflow under watch goes first: the watchdog
    /// sends a reminder or the escalation for it only once that is more than the grace period late; for a workflow that is not
    /// under watch, as soon as it is due. Nothing while the clock is stopped; after the due date the escalation, not a reminder.
    /// </summary>
    public static WatchDecision Decide(WatchedRequest request, WorkflowInstance instance, DateTimeOffset now, WatchSettings settings, IReadOnlySet<string> recordedSends)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(recordedSends);
        var clock = WithRecordedSends(request.Clock, recordedSends, settings.ReminderDaysBefore);
        var (verdict, reason, since) = Health(request, instance, clock, now, settings);
        if (!request.ClockRuns)
        {
            return new WatchDecision(verdict, reason, since, null, false);
        }

        // The workflow under watch sends its own on time; the watchdog steps in only when it is late.
        var late = verdict == WatchVerdict.Watched ? settings.Grace : TimeSpan.Zero;
        var escalate = clock.EscalationDue(now) && now.UtcDateTime - clock.DeadlineUtc > late;
        var reminder = clock.ReminderDue(now, settings.ReminderDaysBefore) is { } d && now.UtcDateTime - ReminderSchedule.ReminderAtUtc(clock.Due, d) >= late ? d : (int?)null;
        return new WatchDecision(verdict, reason, since, reminder, escalate);
    }

    /// <summary>
    /// Whether the console counts a request as under watch: its last verdict is <see cref="WatchVerdict.Watched"/> and the
    /// watchdog saw it within two of its intervals. A request younger than that, not yet seen, is not counted against it.
    /// Returns null when under watch, else the problem in words.
    /// </summary>
    public static string? NotUnderWatchBecause(string? verdict, string? reason, DateTimeOffset? watchedAt, DateTimeOffset receivedAt, DateTimeOffset now, TimeSpan interval)
    {
        var window = interval * 2;
        if (watchedAt is not { } seen)
        {
            return now - receivedAt <= window ? null : string.Create(CultureInfo.InvariantCulture, $"never checked by the watchdog, though received {At(receivedAt)}");
        }

        if (FromWire(verdict) is { } v && v != WatchVerdict.Watched)
        {
            return string.IsNullOrWhiteSpace(reason) ? ToWire(v) : $"{ToWire(v)}: {reason}";
        }

        return now - seen <= window ? null : string.Create(CultureInfo.InvariantCulture, $"not checked by the watchdog since {At(seen)}");
    }

    /// <summary>Statuses at which the workflow works by itself: it is not waiting for the requester or staff.</summary>
    public static bool IsWorking(string status) => status is RequestStatus.Received or RequestStatus.Gathering or RequestStatus.Fulfilling;

    private static (WatchVerdict Verdict, string Reason, DateTimeOffset? Since) Health(WatchedRequest request, WorkflowInstance instance, RequestClock clock, DateTimeOffset now, WatchSettings settings)
    {
        var grace = settings.Grace;
        var status = request.Status;
        switch (instance.State)
        {
            case InstanceState.Missing:
                var lastSeen = request.LastProgressAt ?? request.ReceivedAt;
                return now - lastSeen > grace
                    ? (WatchVerdict.Missing, $"the engine has no workflow for it, while the index says {status} (last progress {At(lastSeen)})", lastSeen)
                    : Overdue(request, clock, now, grace, (WatchVerdict.Watched, "no workflow yet: starting, within the grace period", null));
            case InstanceState.Failed:
                return (WatchVerdict.Failed, $"its workflow failed at {At(instance.LastUpdatedAt)} while the index says {status}", instance.LastUpdatedAt ?? now);
            case InstanceState.Terminated:
                return (WatchVerdict.Terminated, $"its workflow was terminated at {At(instance.LastUpdatedAt)} while the index says {status}", instance.LastUpdatedAt ?? now);
            case InstanceState.Completed:
                return now - (instance.LastUpdatedAt ?? now) > grace
                    ? (WatchVerdict.Stuck, $"its workflow completed at {At(instance.LastUpdatedAt)} but the index says it is still {status}", instance.LastUpdatedAt)
                    : (WatchVerdict.Watched, "its workflow has just completed; the index is being brought up to date", null);
            case InstanceState.Suspended:
                return now - (instance.LastUpdatedAt ?? now) > grace
                    ? (WatchVerdict.Stuck, $"its workflow has been suspended since {At(instance.LastUpdatedAt)}", instance.LastUpdatedAt)
                    : Overdue(request, clock, now, grace, (WatchVerdict.Watched, "its workflow was suspended a moment ago", null));
            case InstanceState.Pending:
                var created = instance.CreatedAt ?? instance.LastUpdatedAt ?? now;
                return now - created > grace
                    ? (WatchVerdict.Stuck, $"its workflow was scheduled at {At(created)} and has not started", created)
                    : Overdue(request, clock, now, grace, (WatchVerdict.Watched, "its workflow is starting", null));
            default:
                // Running. The workflow sets its custom status, then writes the index: a disagreement longer than the grace is stuck.
                var custom = instance.CustomStatus;
                var lastWrite = Max(instance.LastUpdatedAt, request.LastProgressAt) ?? now;
                if (!string.IsNullOrEmpty(custom) && !string.Equals(custom, status, StringComparison.Ordinal) && now - lastWrite > grace)
                {
                    return (WatchVerdict.Stuck, $"its workflow says {custom} but the index says {status}, since {At(lastWrite)}", lastWrite);
                }

                if (IsWorking(status) && !request.NeedsAttention && now - lastWrite > settings.WorkingLimit)
                {
                    return (WatchVerdict.Stuck, $"its workflow has been {status} since {At(lastWrite)} with no step finishing", lastWrite);
                }

                return Overdue(request, clock, now, grace, (WatchVerdict.Watched, $"running, waiting where the index says ({status})", null));
        }
    }

    /// <summary>A workflow that looks alive but let the due date pass by more than the grace without its escalation is stuck.</summary>
    private static (WatchVerdict, string, DateTimeOffset?) Overdue(WatchedRequest request, RequestClock clock, DateTimeOffset now, TimeSpan grace, (WatchVerdict, string, DateTimeOffset?) otherwise)
    {
        if (!request.ClockRuns || !clock.EscalationDue(now) || now.UtcDateTime - clock.DeadlineUtc <= grace)
        {
            return otherwise;
        }

        var deadline = new DateTimeOffset(clock.DeadlineUtc, TimeSpan.Zero);
        return (WatchVerdict.Stuck, $"its due date {clock.Due:yyyy-MM-dd} passed at {At(deadline)} and no escalation was recorded", deadline);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string At(DateTimeOffset? instant) =>
        instant is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "an unknown time";
}
