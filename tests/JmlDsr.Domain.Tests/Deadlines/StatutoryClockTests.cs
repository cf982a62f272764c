using JmlDsr.Domain.Deadlines;
using Xunit;

namespace JmlDsr.Domain.Tests.Deadlines;

public sealed class StatutoryClockTests
{
    private static readonly BankHolidayCalendar Calendar = BankHolidayCalendar.EnglandAndWales;

    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-09-03", "2026-10-05")] // ICO: 3 Sept -> 3 Oct; 3 Oct 2026 is a Saturday -> Monday 5 Oct
    [InlineData("2025-09-03", "2025-10-03")] // the ICO's own example, a Friday
    [InlineData("2026-01-31", "2026-03-02")] // no 31 Feb -> 28 Feb, a Saturday -> Monday 2 Mar
    [InlineData("2028-01-31", "2028-02-29")] // leap year, a Tuesday
    public void DueDate_IsTheCorrespondingDate_OrLastDay_OnAWorkingDay(string received, string expected) =>
        Assert.Equal(D(expected), StatutoryClock.DueDate(D(received), 0, false, Calendar));

    [Theory]
    [InlineData("2026-01-31", "2026-02-28")]
    [InlineData("2028-01-31", "2028-02-29")] // leap year
    [InlineData("2026-03-31", "2026-04-30")]
    [InlineData("2026-12-15", "2027-01-15")] // year boundary
    [InlineData("2026-08-31", "2026-09-30")]
    public void AddCalendarMonths_UsesTheLastDay_WhenTheMonthIsShorter(string start, string expected) =>
        Assert.Equal(D(expected), StatutoryClock.AddCalendarMonths(D(start), 1));

    [Theory]
    [InlineData("2026-11-28", "2026-12-29")] // 28 Dec 2026 is the Boxing Day substitute -> 29 Dec
    [InlineData("2026-11-25", "2026-12-29")] // 25 Dec (Fri) -> Sat, Sun, Mon 28 (substitute) -> Tue 29
    [InlineData("2027-11-27", "2027-12-29")] // 27 Dec 2027 is the Christmas substitute, 28 the Boxing Day one
    [InlineData("2027-12-03", "2028-01-04")] // 3 Jan 2028 is the New Year substitute
    [InlineData("2026-03-03", "2026-04-07")] // 3 Apr 2026 Good Friday, 6 Apr Easter Monday
    [InlineData("2026-07-31", "2026-09-01")] // 31 Aug 2026 summer bank holiday
    public void DueDate_MovesToTheNextWorkingDay_OverWeekendsAndBankHolidays(string received, string expected) =>
        Assert.Equal(D(expected), StatutoryClock.DueDate(D(received), 0, false, Calendar));

    [Fact]
    public void DueDate_AddsPausedDays_BeforeTheWorkingDayRule()
    {
        // 2 Sept -> 2 Oct 2026 (Friday); +3 paused days -> 5 Oct (Monday).
        Assert.Equal(D("2026-10-02"), StatutoryClock.DueDate(D("2026-09-02"), 0, false, Calendar));
        Assert.Equal(D("2026-10-05"), StatutoryClock.DueDate(D("2026-09-02"), 3, false, Calendar));
        // +1 paused day -> 3 Oct is a Saturday -> 5 Oct.
        Assert.Equal(D("2026-10-05"), StatutoryClock.DueDate(D("2026-09-02"), 1, false, Calendar));
    }

    [Fact]
    public void DueDate_WhenExtended_IsThreeCalendarMonthsFromTheRelevantDate()
    {
        Assert.Equal(D("2026-12-02"), StatutoryClock.DueDate(D("2026-09-02"), 0, true, Calendar));
        Assert.Equal(D("2026-04-30"), StatutoryClock.DueDate(D("2026-01-31"), 0, true, Calendar));
    }

    [Fact]
    public void UkDate_IsTheNextDay_ForLateEveningUtcInSummer_AndTheSameDayInWinter()
    {
        Assert.Equal(D("2026-07-11"), StatutoryClock.UkDate(new DateTimeOffset(2026, 7, 10, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal(D("2026-01-10"), StatutoryClock.UkDate(new DateTimeOffset(2026, 1, 10, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void EndOfUkDayUtc_IsMidnightLondonTime()
    {
        Assert.Equal(new DateTime(2026, 7, 10, 22, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999), StatutoryClock.EndOfUkDayUtc(D("2026-07-10")));
        Assert.Equal(new DateTime(2026, 1, 10, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999), StatutoryClock.EndOfUkDayUtc(D("2026-01-10")));
    }

    [Theory]
    [InlineData("2026-11-02", "2026-11-05", 4)]
    [InlineData("2026-11-02", "2026-11-02", 1)]
    [InlineData("2026-11-05", "2026-11-02", 0)]
    public void InclusiveDays_CountsBothEnds(string from, string to, int expected) =>
        Assert.Equal(expected, StatutoryClock.InclusiveDays(D(from), D(to)));

    [Theory]
    [InlineData("2026-12-01", "2026-12-29", true)]
    [InlineData("2026-12-29", "2026-12-29", true)] // the last day of the first month still counts
    [InlineData("2026-12-30", "2026-12-29", false)]
    public void ExtensionAllowed_OnlyWithinTheFirstMonth(string today, string firstMonthDue, bool allowed) =>
        Assert.Equal(allowed, StatutoryClock.ExtensionAllowed(D(today), D(firstMonthDue)));
}
