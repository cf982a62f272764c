using System.Globalization;
using JmlDsr.Domain.Deadlines;
using Xunit;

namespace JmlDsr.Domain.Tests.Deadlines;

public sealed class ReminderScheduleTests
{
    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("7,2", new[] { 7, 2 })]
    [InlineData("2,7", new[] { 7, 2 })]
    [InlineData(" 7 , 2 , 7 ", new[] { 7, 2 })]
    [InlineData("14;7;1", new[] { 14, 7, 1 })]
    [InlineData("3", new[] { 3 })]
    [InlineData(null, new[] { 7, 2 })]
    [InlineData("", new[] { 7, 2 })]
    [InlineData("   ", new[] { 7, 2 })]
    public void Parse_GivesDistinctPositiveDays_LargestFirst_DefaultingTo7And2(string? csv, int[] expected) =>
        Assert.Equal(expected, ReminderSchedule.Parse(csv));

    [Theory]
    [InlineData("0")]
    [InlineData("7,-2")]
    [InlineData("seven")]
    [InlineData("7,2.5")]
    public void Parse_RejectsAnythingButPositiveWholeDays(string csv) =>
        Assert.Throws<FormatException>(() => ReminderSchedule.Parse(csv));

    [Theory]
    [InlineData("2026-12-24", 2, "2026-12-22T09:00:00")] // GMT: 09:00 London is 09:00 UTC
    [InlineData("2026-07-17", 7, "2026-07-10T08:00:00")] // BST: 09:00 London is 08:00 UTC
    [InlineData("2026-04-01", 7, "2026-03-25T09:00:00")] // before the clocks go forward (29 March 2026)
    [InlineData("2026-04-02", 2, "2026-03-31T08:00:00")] // after
    [InlineData("2026-11-02", 7, "2026-10-26T09:00:00")] // after the clocks go back (25 October 2026)
    public void ReminderAtUtc_Is9amLondonTime_DaysBeforeTheDueDate(string due, int daysBefore, string expectedUtc)
    {
        var at = ReminderSchedule.ReminderAtUtc(D(due), daysBefore);

        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(expectedUtc, CultureInfo.InvariantCulture), DateTimeKind.Utc), at);
        Assert.Equal(DateTimeKind.Utc, at.Kind);
    }
}
