namespace JmlDsr.Domain.Deadlines;

/// <summary>
/// The time limit for answering a data subject request: UK GDPR Art 12(3) and Art 12A, counted the
/// ICO's way. Pure arithmetic on dates; the caller supplies every instant.
/// </summary>
public static class StatutoryClock
{
    private static readonly TimeZoneInfo UkZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The calendar date in the UK (Europe/London) at <paramref name="instant"/>: the ICO counts UK days.</summary>
    public static DateOnly UkDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, UkZone).DateTime);

    /// <summary>
    /// The corresponding calendar date <paramref name="months"/> later; where that month is too short,
    /// its last day (ICO: "if there is no corresponding calendar date, the date for response is the
    /// last day of the following month").
    /// </summary>
    public static DateOnly AddCalendarMonths(DateOnly start, int months)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(months);
        var firstOfTarget = new DateOnly(start.Year, start.Month, 1).AddMonths(months);
        var day = Math.Min(start.Day, DateTime.DaysInMonth(firstOfTarget.Year, firstOfTarget.Month));
        return new DateOnly(firstOfTarget.Year, firstOfTarget.Month, day);
    }

    /// <summary>
    /// The due date. Art 12A: one month (three if extended under Art 12(3)) beginning with the
    /// relevant time — the day of receipt counts as day one, so the limit is the corresponding date of
    /// the following month. Days during which the clock was stopped for clarification (both ends
    /// included) are added, and a limit that falls on a weekend or bank holiday moves to the next
    /// working day.
    /// </summary>
    /// <param name="relevantDate">The UK date of the relevant time: the latest of receipt of the request,
    /// of the identity information asked for (Art 12(6)) and of a fee.</param>
    /// <param name="pausedDays">Days the clock was stopped for clarification.</param>
    /// <param name="extended">Whether the two-month extension was given.</param>
    public static DateOnly DueDate(DateOnly relevantDate, int pausedDays, bool extended, BankHolidayCalendar calendar)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pausedDays);
        ArgumentNullException.ThrowIfNull(calendar);
        var limit = AddCalendarMonths(relevantDate, extended ? 3 : 1).AddDays(pausedDays);
        return calendar.OnOrNextWorkingDay(limit);
    }

    /// <summary>The last instant of a UK calendar day, as UTC: a deadline passes when that day ends.</summary>
    public static DateTime EndOfUkDayUtc(DateOnly ukDate)
    {
        var nextMidnightLocal = ukDate.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return TimeZoneInfo.ConvertTimeToUtc(nextMidnightLocal, UkZone).AddTicks(-1);
    }

    /// <summary>Whole days from <paramref name="today"/> until <paramref name="due"/> (negative when overdue).</summary>
    public static int DaysLeft(DateOnly today, DateOnly due) => due.DayNumber - today.DayNumber;

    /// <summary>Days from <paramref name="from"/> to <paramref name="to"/>, both included (Art 12A clarification pause).</summary>
    public static int InclusiveDays(DateOnly from, DateOnly to) => to < from ? 0 : to.DayNumber - from.DayNumber + 1;

    /// <summary>
    /// Whether the two-month extension may still be given: Art 12(3) (and Art 12A) require the notice, with
    /// the reasons, within the first month. <paramref name="firstMonthDue"/> is the first-month due date,
    /// which already includes any clarification days (Art 12A: the pause does not count towards the month
    /// for giving notice either).
    /// </summary>
    public static bool ExtensionAllowed(DateOnly today, DateOnly firstMonthDue) => today <= firstMonthDue;
}
