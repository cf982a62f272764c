using JmlDsr.Domain.Deadlines;
using Xunit;

namespace JmlDsr.Domain.Tests.Deadlines;

public sealed class BankHolidayCalendarTests
{
    [Theory]
    [InlineData(2024)]
    [InlineData(2025)]
    [InlineData(2026)]
    [InlineData(2027)]
    [InlineData(2028)]
    [InlineData(2029)]
    [InlineData(2030)]
    public void ShippedList_HasEightEnglandAndWalesBankHolidays_EachYear(int year) =>
        Assert.Equal(8, BankHolidayCalendar.EnglandAndWales.Holidays.Count(d => d.Year == year));

    [Fact]
    public void With_AddsAConfiguredOneOffHoliday()
    {
        var extra = new DateOnly(2026, 6, 8);
        Assert.True(BankHolidayCalendar.EnglandAndWales.IsWorkingDay(extra));
        Assert.False(BankHolidayCalendar.EnglandAndWales.With([extra]).IsWorkingDay(extra));
    }

    [Fact]
    public void ParseList_ReadsConfiguredDates_AndRefusesJunk()
    {
        Assert.Equal([new DateOnly(2026, 6, 8), new DateOnly(2027, 1, 4)], BankHolidayCalendar.ParseList("2026-06-08, 2027-01-04"));
        Assert.Empty(BankHolidayCalendar.ParseList(""));
        Assert.Throws<FormatException>(() => BankHolidayCalendar.ParseList("next tuesday"));
    }
}
