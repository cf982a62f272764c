using JmlDsr.Domain.Deadlines;
using Xunit;

namespace JmlDsr.Domain.Tests.Deadlines;

/// <summary>DPA 2018 s 164A(3) as the ICO counts it: 30 days from the day after receipt, then the next working day.</summary>
public sealed class ComplaintClockTests
{
    [Theory]
    [InlineData("2026-06-19", "2026-07-20")] // in force 19 June 2026 (Fri): day 30 is Sun 19 July -> Mon 20 July
    [InlineData("2026-07-01", "2026-07-31")] // Wed -> Fri
    [InlineData("2026-11-25", "2026-12-29")] // Thu 24 Dec + 1 = Fri 25 Dec (Christmas), Sat, Sun, Mon 28 Dec (Boxing Day substitute) -> Tue 29 Dec
    [InlineData("2026-03-04", "2026-04-07")] // Fri 3 Apr (Good Friday) ... Mon 6 Apr (Easter Monday) -> Tue 7 Apr
    public void AcknowledgementDue_Is30DaysAfterReceipt_OnAWorkingDay(string received, string expected) =>
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            ComplaintClock.AcknowledgementDue(DateOnly.Parse(received, System.Globalization.CultureInfo.InvariantCulture), BankHolidayCalendar.EnglandAndWales));

    [Fact]
    public void AcknowledgementDue_HonoursExtraBankHolidays()
    {
        var calendar = BankHolidayCalendar.EnglandAndWales.With([new DateOnly(2026, 7, 31)]);
        Assert.Equal(new DateOnly(2026, 8, 3), ComplaintClock.AcknowledgementDue(new DateOnly(2026, 7, 1), calendar));
    }
}
