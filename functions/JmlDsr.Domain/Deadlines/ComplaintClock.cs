namespace JmlDsr.Domain.Deadlines;

/// <summary>
/// The time limit for acknowledging a complaint: DPA 2018 s 164A(3), "within the period of 30 days beginning when
/// the complaint is received". The ICO's complaints guidance counts the 30 days from the day after receipt, and a
/// last day on a weekend or bank holiday moves to the next working day. The outcome has no fixed limit: it is due
/// "without undue delay" (s 164A(4)), starting from receipt, not from the acknowledgement.
/// </summary>
public static class ComplaintClock
{
    /// <summary>Days JML has to acknowledge a complaint (s 164A(3)).</summary>
    public const int AcknowledgementDays = 30;

    /// <summary>The last day to acknowledge a complaint received on <paramref name="received"/> (a UK date).</summary>
    public static DateOnly AcknowledgementDue(DateOnly received, BankHolidayCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return calendar.OnOrNextWorkingDay(received.AddDays(AcknowledgementDays));
    }
}
