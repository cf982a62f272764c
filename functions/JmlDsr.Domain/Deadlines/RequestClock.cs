using System.Globalization;

namespace JmlDsr.Domain.Deadlines;

/// <summary>
/// The statutory clock of one request (UK GDPR Art 12(3), Art 12A), as a value: when it was received, the relevant
/// time, the days that did not count, the extension, the due date, and which reminders and escalation have gone out.
/// Every change is a method that returns the next clock; nothing here reads the time, the caller passes each instant.
/// The workflow keeps one of these and asks it; the request index records it, so a restarted workflow resumes it.
/// </summary>
public sealed record RequestClock
{
    /// <summary>UK date the request was received.</summary>
    public DateOnly Received { get; init; }

    /// <summary>UK date of the relevant time (Art 12A): the latest of receipt, of the identity confirmation and of a fee.</summary>
    public DateOnly Relevant { get; init; }

    /// <summary>Days the clock was stopped while the requester was asked to clarify (both ends included, Art 12A).</summary>
    public int ClarificationDays { get; init; }

    /// <summary>Whether the two-month extension (Art 12(3)) was given.</summary>
    public bool Extended { get; init; }

    /// <summary>The due date: the last UK day on which the response may be sent.</summary>
    public DateOnly Due { get; init; }

    /// <summary>Whether the privacy team and the DPO were told that <see cref="Due"/> passed.</summary>
    public bool Escalated { get; init; }

    /// <summary>Reminders sent or passed over, as <c>due/daysBefore</c> keys (a new due date re-arms them).</summary>
    public IReadOnlyList<string> RemindersDone { get; init; } = [];

    /// <summary>Days from receipt to the relevant time (waiting for identity or a fee): they do not count either.</summary>
    public int PausedDays => Relevant.DayNumber - Received.DayNumber;

    /// <summary>All days that did not count towards the month.</summary>
    public int DaysNotCounted => PausedDays + ClarificationDays;

    /// <summary>The instant the deadline passes: the end of the due day, UK time.</summary>
    public DateTime DeadlineUtc => StatutoryClock.EndOfUkDayUtc(Due);

    /// <summary>The clock of a request received at <paramref name="receivedAt"/>: the month runs from that day until something stops it.</summary>
    public static RequestClock Start(DateTimeOffset receivedAt, BankHolidayCalendar calendar)
    {
        var received = StatutoryClock.UkDate(receivedAt);
        return new RequestClock { Received = received, Relevant = received }.WithDue(calendar);
    }

    /// <summary>Whether the due date has passed at <paramref name="now"/>.</summary>
    public bool IsOverdue(DateTimeOffset now) => now.UtcDateTime > DeadlineUtc;

    /// <summary>Whether the passing of the due date still has to be escalated at <paramref name="now"/>.</summary>
    public bool EscalationDue(DateTimeOffset now) => !Escalated && IsOverdue(now);

    /// <summary>The escalation was sent.</summary>
    public RequestClock Escalate() => this with { Escalated = true };

    /// <summary>
    /// The relevant time moves to <paramref name="on"/> (Art 12A): the identity information asked for, or the fee, arrived
    /// that day. It never moves back. An escalation stands only while the new due date is still past at <paramref name="now"/>.
    /// </summary>
    public RequestClock RelevantTimeOn(DateTimeOffset on, DateTimeOffset now, BankHolidayCalendar calendar)
    {
        var day = StatutoryClock.UkDate(on);
        return (this with { Relevant = day > Relevant ? day : Relevant }).WithDue(calendar).Rewatch(now);
    }

    /// <summary>
    /// The requester answered a request for clarification: the days from <paramref name="askedOn"/> to
    /// <paramref name="answeredOn"/>, both included, do not count (Art 12A).
    /// </summary>
    public RequestClock Clarified(DateOnly askedOn, DateOnly answeredOn, DateTimeOffset now, BankHolidayCalendar calendar) =>
        (this with { ClarificationDays = ClarificationDays + StatutoryClock.InclusiveDays(askedOn, answeredOn) }).WithDue(calendar).Rewatch(now);

    /// <summary>Whether the extension may be given at <paramref name="now"/>, and if not, why.</summary>
    public ExtensionCheck CanExtend(DateTimeOffset now) =>
        Extended ? ExtensionCheck.AlreadyExtended
        : !StatutoryClock.ExtensionAllowed(StatutoryClock.UkDate(now), Due) ? ExtensionCheck.TooLate
        : ExtensionCheck.Allowed;

    /// <summary>Art 12(3): two further months. The new due date is watched afresh.</summary>
    /// <exception cref="InvalidOperationException">The extension was already given.</exception>
    public RequestClock Extend(BankHolidayCalendar calendar)
    {
        if (Extended)
        {
            throw new InvalidOperationException("The request was already extended.");
        }

        return (this with { Extended = true, Escalated = false }).WithDue(calendar);
    }

    /// <summary>
    /// The reminder to send at <paramref name="now"/>, as days before the due date, if one is due: the latest whose time
    /// has come and that was not sent. Earlier ones whose time also passed are passed over (a late start sends one reminder,
    /// not a burst). None once the due date has passed: the escalation speaks then.
    /// </summary>
    public int? ReminderDue(DateTimeOffset now, IReadOnlyList<int> daysBefore)
    {
        var passed = Pending(daysBefore).Where(r => r.At <= now.UtcDateTime).ToList();
        return IsOverdue(now) || passed.Count == 0 ? null : passed.MaxBy(r => r.At).DaysBefore;
    }

    /// <summary>The reminder <paramref name="daysBefore"/> days before the due date was sent; earlier ones are passed over.</summary>
    public RequestClock Reminded(int daysBefore, IReadOnlyList<int> reminderDays)
    {
        var at = ReminderSchedule.ReminderAtUtc(Due, daysBefore);
        var done = Pending(reminderDays).Where(r => r.At <= at).Select(r => ReminderKey(r.DaysBefore)).Append(ReminderKey(daysBefore));
        return this with { RemindersDone = [.. RemindersDone.Union(done)] };
    }

    /// <summary>When the next reminder still to come is due, if any (none once overdue).</summary>
    public DateTime? NextReminderAt(DateTimeOffset now, IReadOnlyList<int> daysBefore) =>
        IsOverdue(now) ? null : Pending(daysBefore).Where(r => r.At > now.UtcDateTime).Select(r => (DateTime?)r.At).Min();

    /// <summary>
    /// When the workflow must next wake for the clock while it waits with the clock running: the next reminder or the
    /// deadline, whichever is first; none when the deadline was escalated already.
    /// </summary>
    public DateTime? NextWakeUtc(DateTimeOffset now, IReadOnlyList<int> daysBefore)
    {
        if (Escalated)
        {
            return null;
        }

        var reminder = NextReminderAt(now, daysBefore);
        return reminder is { } r && r < DeadlineUtc ? r : DeadlineUtc;
    }

    /// <summary>The key under which a reminder for the current due date is recorded (and sent once).</summary>
    public string ReminderKey(int daysBefore) => string.Create(CultureInfo.InvariantCulture, $"{Due:yyyy-MM-dd}/{daysBefore}");

    /// <summary>Value equality, <see cref="RemindersDone"/> included by its keys (a record compares a list by reference).</summary>
    public bool Equals(RequestClock? other) =>
        other is not null && Received == other.Received && Relevant == other.Relevant && ClarificationDays == other.ClarificationDays
        && Extended == other.Extended && Due == other.Due && Escalated == other.Escalated && RemindersDone.SequenceEqual(other.RemindersDone, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Received, Relevant, ClarificationDays, Extended, Due, Escalated, RemindersDone.Count);

    private IEnumerable<(int DaysBefore, DateTime At)> Pending(IReadOnlyList<int> daysBefore) =>
        daysBefore.Where(d => !RemindersDone.Contains(ReminderKey(d)))
            .Select(d => (DaysBefore: d, At: ReminderSchedule.ReminderAtUtc(Due, d)))
            .Where(r => r.At <= DeadlineUtc);

    private RequestClock WithDue(BankHolidayCalendar calendar) => this with { Due = StatutoryClock.DueDate(Relevant, ClarificationDays, Extended, calendar) };

    private RequestClock Rewatch(DateTimeOffset now) => this with { Escalated = Escalated && IsOverdue(now) };
}

/// <summary>Whether the Art 12(3) extension may be given.</summary>
public enum ExtensionCheck
{
    Allowed,
    AlreadyExtended,
    TooLate,
}
