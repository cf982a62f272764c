using JmlDsr.Domain.Requests;
using JmlDsr.Domain.Retention;
using Xunit;

namespace JmlDsr.Domain.Tests.Retention;

public sealed class RetentionPeriodTests
{
    [Theory]
    [InlineData("P6Y", 6, 0, 0, 0)]
    [InlineData("p18m", 0, 18, 0, 0)]
    [InlineData("P90D", 0, 0, 90, 0)]
    [InlineData("P2W", 0, 0, 14, 0)]
    [InlineData("P1Y2M3DT4H", 1, 2, 3, 4 * 3600)]
    [InlineData("PT30S", 0, 0, 0, 30)]
    [InlineData(" 00:00:05 ", 0, 0, 0, 5)]
    [InlineData("30.00:00:00", 0, 0, 0, 30 * 86400)]
    public void Parses_Iso8601Durations_AndTimeSpans(string text, int years, int months, int days, int seconds)
    {
        Assert.True(RetentionPeriod.TryParse(text, out var p));
        Assert.Equal((years, months, days, TimeSpan.FromSeconds(seconds)), (p.Years, p.Months, p.Days, p.Time));
    }

    [Theory]
    [InlineData("")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P0D")]
    [InlineData("six years")]
    [InlineData("-00:00:05")]
    [InlineData("P6Y junk")]
    public void Refuses_WhatIsNotAPositivePeriod(string text) => Assert.False(RetentionPeriod.TryParse(text, out _));

    [Fact]
    public void Parse_NamesTheBadValue() =>
        Assert.Contains("'six years'", Assert.Throws<FormatException>(() => RetentionPeriod.Parse("six years")).Message, StringComparison.Ordinal);

    [Fact]
    public void Years_AreCalendarYears_ALeapDayEndsOnThe28th()
    {
        var closed = new DateTimeOffset(2024, 2, 29, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2030, 2, 28, 10, 0, 0, TimeSpan.Zero), RetentionPeriod.SixYears.After(closed));
    }

    [Fact]
    public void ReadsAsWords() => Assert.Equal("6 years", RetentionPeriod.SixYears.ToString());
}

public sealed class CaseFileScheduleTests
{
    private static readonly DateTimeOffset Closed = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);
    private static readonly RetentionSettings Settings = new(RetentionPeriod.SixYears, RetentionPeriod.Parse("P90D"), TimeSpan.FromDays(30));

    [Fact]
    public void WorkingCopies_GoAtClose_ExceptACopySent_WhichLastsAsLongAsItsDownloadLink()
    {
        Assert.Equal(Closed, CaseFileSchedule.CopiesEndAt(RequestType.Erasure, RequestStatus.Completed, Closed, TimeSpan.FromDays(30)));
        Assert.Equal(Closed, CaseFileSchedule.CopiesEndAt(RequestType.Rectification, RequestStatus.Completed, Closed, TimeSpan.FromDays(30)));
        Assert.Equal(Closed.AddDays(30), CaseFileSchedule.CopiesEndAt(RequestType.Access, RequestStatus.Completed, Closed, TimeSpan.FromDays(30)));
        Assert.Equal(Closed, CaseFileSchedule.CopiesEndAt(RequestType.Access, RequestStatus.Rejected, Closed, TimeSpan.FromDays(30))); // no copy was sent
    }

    [Fact]
    public void TheCaseFile_EndsSixYearsAfterClose_OnlyOnceItsWorkflowHasEnded_AndNeverUnderALegalHold()
    {
        var end = new DateTimeOffset(2032, 3, 10, 15, 0, 0, TimeSpan.Zero);
        Assert.Equal(end, CaseFileSchedule.CaseFileEndsAt(Closed, RetentionPeriod.SixYears));
        Assert.False(CaseFileSchedule.CaseFileEnded(Closed, RetentionPeriod.SixYears, end.AddTicks(-1), workflowEnded: true, legalHold: false));
        Assert.True(CaseFileSchedule.CaseFileEnded(Closed, RetentionPeriod.SixYears, end, workflowEnded: true, legalHold: false));
        Assert.False(CaseFileSchedule.CaseFileEnded(Closed, RetentionPeriod.SixYears, end.AddYears(1), workflowEnded: false, legalHold: false)); // a restriction still in place
        Assert.False(CaseFileSchedule.CaseFileEnded(Closed, RetentionPeriod.SixYears, end.AddYears(1), workflowEnded: true, legalHold: true));
    }

    [Fact]
    public void SetAsideMail_EndsAfterItsPeriod() =>
        Assert.Equal(Closed.AddDays(90), CaseFileSchedule.SetAsideEndsAt(Closed, RetentionPeriod.Parse("P90D")));

    [Theory]
    [InlineData("2026-03-10T23:30:00+00:00", "2026-03-10", true)]   // 23:30 UTC on 10 March is still 10 March in London (GMT)
    [InlineData("2026-06-10T23:30:00+00:00", "2026-06-10", false)]  // in summer time it is already 11 June in London
    [InlineData("2026-03-09T09:00:00+00:00", "2026-03-10", true)]
    public void OnTime_IsAnsweredOnOrBeforeTheDueDate_InUkTime(string closedAt, string due, bool onTime) =>
        Assert.Equal(onTime, CaseFileSchedule.OnTime(DateTimeOffset.Parse(closedAt, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Statistics_KeepTypeStatusDatesAndOnTime_NoReferenceNoPerson()
    {
        var s = CaseFileSchedule.Statistics(RequestType.Erasure, RequestStatus.Completed, Closed.AddDays(-20), new DateOnly(2026, 3, 20), Closed, extended: false);

        Assert.Equal(new CaseStatistics(RequestType.Erasure, RequestStatus.Completed, new DateOnly(2026, 2, 18), new DateOnly(2026, 3, 20), new DateOnly(2026, 3, 10), true, false), s);
        Assert.DoesNotContain(typeof(CaseStatistics).GetProperties(), p => p.Name.Contains("Reference", StringComparison.Ordinal) || p.Name.Contains("Email", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSchedule_NamesEveryStore_WithItsEnd()
    {
        var lines = CaseFileSchedule.Schedule(Settings);

        foreach (var store in new[] { "gathered/", "exports/", "inbound-raw/", "Requests", "Audit", "Decisions", "Durable", "SetAside", "MailRate", "Statistics", "OwnerTasks", "RequestSystems", "SystemWaits" })
        {
            Assert.Contains(lines, l => l.Store.Contains(store, StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.Until.Contains("6 years after the request closes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Store.StartsWith("SetAside", StringComparison.Ordinal) && l.Until.StartsWith("90 days", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Store.StartsWith("exports/", StringComparison.Ordinal) && l.Until.Contains("30 days", StringComparison.Ordinal));
    }

    [Fact]
    public void ARequestsOwnSchedule_GivesItsDates_AndSaysWhenAnErasureTookTheValues()
    {
        Assert.Contains("open", Assert.Single(CaseFileSchedule.ForRequest(Settings, RequestType.Access, RequestStatus.Gathering, null, null)).Until, StringComparison.Ordinal);

        var access = CaseFileSchedule.ForRequest(Settings, RequestType.Access, RequestStatus.Completed, Closed, null);
        Assert.Equal("9 April 2026", access[0].Until);
        Assert.StartsWith("10 March 2032", access[1].Until, StringComparison.Ordinal);

        var forgotten = CaseFileSchedule.ForRequest(Settings, RequestType.Access, RequestStatus.Completed, Closed, Closed.AddDays(3));
        Assert.Equal("13 March 2026", forgotten[0].Until);
        Assert.Contains("erasure", forgotten[1].Keeps, StringComparison.Ordinal);
    }
}
