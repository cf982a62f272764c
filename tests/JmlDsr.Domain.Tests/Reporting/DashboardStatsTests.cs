using JmlDsr.Domain.Reporting;
using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Reporting;

public sealed class DashboardStatsTests
{
    private static readonly DateOnly Today = new(2026, 11, 24); // a Tuesday

    [Fact]
    public void Dashboard_CountsOpenDueOverdue_OnTimeRate_AndMedian()
    {
        RequestFacts F(string r, string status, string received, string due, string? closed = null) =>
            new(r, RequestType.Access, status, DateOnly.Parse(received, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
                closed is null ? null : DateOnly.Parse(closed, System.Globalization.CultureInfo.InvariantCulture));
        var d = DashboardStats.Compute(
        [
            F("1", RequestStatus.AwaitingApproval, "2026-10-27", "2026-11-27"),    // due this week
            F("2", RequestStatus.AwaitingApproval, "2026-10-01", "2026-11-02"),    // overdue
            F("3", RequestStatus.AwaitingIdentity, "2026-10-01", "2026-11-02"),    // paused: not overdue
            F("4", RequestStatus.Completed, "2026-09-01", "2026-10-01", "2026-09-11"), // 10 days, on time
            F("5", RequestStatus.Completed, "2026-08-01", "2026-09-01", "2026-09-03"), // 33 days, late
            F("6", RequestStatus.Completed, "2026-07-01", "2026-08-03", "2026-07-21"), // 20 days, on time
        ], Today);

        Assert.Equal(3, d.Open);
        Assert.Equal(3, d.OpenByType[RequestType.Access]);
        Assert.Equal(1, d.DueThisWeek);
        Assert.Equal(1, d.Overdue);
        Assert.Equal(3, d.ClosedLast12Months);
        Assert.Equal(2.0 / 3, d.OnTimeRate!.Value, 3);
        Assert.Equal(20, d.MedianDaysToClose);
        Assert.Equal(12, d.Months.Count);
        Assert.Equal((2026, 11), (d.Months[^1].Year, d.Months[^1].Month));
        Assert.Equal(1, d.Months.Single(m => m.Month == 9).ClosedLate);
    }

    [Fact]
    public void Complaints_AreCountedApart_AndNeverAsOpenDueOrOverdueRequests()
    {
        static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var d = DashboardStats.Compute(
        [
            new("1", RequestType.Access, RequestStatus.AwaitingApproval, D("2026-10-27"), D("2026-11-27"), null),
            new("2", RequestType.Complaint, RequestStatus.ComplaintOpen, D("2026-09-01"), D("2026-10-01"), null),      // acknowledgement date long past
            new("3", RequestType.Complaint, RequestStatus.ComplaintOpen, D("2026-11-20"), D("2026-11-27"), null),
            new("4", RequestType.Complaint, RequestStatus.ComplaintClosed, D("2026-08-01"), D("2026-08-31"), D("2026-10-30")),
        ], Today);

        Assert.Equal(1, d.Open);
        Assert.Equal(1, d.DueThisWeek);
        Assert.Equal(0, d.Overdue);
        Assert.Equal(0, d.ClosedLast12Months);
        Assert.Null(d.OnTimeRate);
        Assert.Equal(2, d.OpenComplaints);
        Assert.False(d.OpenByType.ContainsKey(RequestType.Complaint));
        Assert.Equal(1, d.Months.Sum(m => m.Received));
    }

    [Fact]
    public void Objections_AreCountedLikeTheOtherRights()
    {
        static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var d = DashboardStats.Compute(
        [
            new("1", RequestType.Objection, RequestStatus.AwaitingApproval, D("2026-10-27"), D("2026-11-27"), null),
            new("2", RequestType.Objection, RequestStatus.Completed, D("2026-10-01"), D("2026-11-02"), D("2026-10-02")),
            new("3", RequestType.Access, RequestStatus.Gathering, D("2026-10-27"), D("2026-11-27"), null),
        ], Today);

        Assert.Equal(1, d.OpenByType[RequestType.Objection]);
        Assert.Equal(2, d.Open);
        Assert.Equal(1, d.ClosedLast12Months);
        Assert.Equal(1.0, d.OnTimeRate);
    }

    [Fact]
    public void Dashboard_WithNothingClosed_HasNoRate() => Assert.Null(DashboardStats.Compute([], Today).OnTimeRate);
}
