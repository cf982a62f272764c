using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Reporting;

/// <summary>What the dashboard needs to know of one request.</summary>
public sealed record RequestFacts(string Reference, RequestType Type, string Status, DateOnly Received, DateOnly Due, DateOnly? Closed);

/// <summary>One month of the chart: requests received, and requests closed on time and late.</summary>
public sealed record MonthBar(int Year, int Month, int Received, int ClosedOnTime, int ClosedLate);

/// <summary>The privacy team's dashboard figures.</summary>
public sealed record Dashboard(
    IReadOnlyDictionary<RequestType, int> OpenByType,
    int Open,
    int DueThisWeek,
    int Overdue,
    int ClosedLast12Months,
    double? OnTimeRate,
    double? MedianDaysToClose,
    IReadOnlyList<MonthBar> Months)
{
    /// <summary>Complaints (DPA 2018 s 164A) not yet answered; they are not requests and have no statutory DSR deadline.</summary>
    public int OpenComplaints { get; init; }
}

public static class DashboardStats
{
    /// <summary>
    /// Computes the dashboard for <paramref name="today"/> (a UK date). "Due this week" is due from today
    /// to the coming Sunday; on time means closed on or before the due date; the 12 months are the
    /// current month and the eleven before it. Complaints (DPA 2018 s 164A) are counted apart: they have no Art 12(3)
    /// due date, so they never count as open, due, overdue or on time among the requests.
    /// </summary>
    public static Dashboard Compute(IEnumerable<RequestFacts> requests, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var everything = requests.ToList();
        var openComplaints = everything.Count(r => r.Type == RequestType.Complaint && r.Closed is null && !RequestStatus.IsClosed(r.Status));
        var all = everything.Where(r => r.Type != RequestType.Complaint).ToList();
        var open = all.Where(r => r.Closed is null && !RequestStatus.IsClosed(r.Status)).ToList();
        var endOfWeek = today.AddDays(((int)DayOfWeek.Sunday - (int)today.DayOfWeek + 7) % 7);
        var firstMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-11);
        var closed = all.Where(r => r.Closed is { } c && c >= firstMonth).ToList();

        var months = Enumerable.Range(0, 12).Select(i =>
        {
            var m = firstMonth.AddMonths(i);
            bool InMonth(DateOnly d) => d.Year == m.Year && d.Month == m.Month;
            return new MonthBar(m.Year, m.Month,
                all.Count(r => InMonth(r.Received)),
                closed.Count(r => InMonth(r.Closed!.Value) && r.Closed <= r.Due),
                closed.Count(r => InMonth(r.Closed!.Value) && r.Closed > r.Due));
        }).ToList();

        var durations = closed.Select(r => (double)(r.Closed!.Value.DayNumber - r.Received.DayNumber)).Order().ToList();
        double? median = durations.Count == 0 ? null
            : durations.Count % 2 == 1 ? durations[durations.Count / 2]
            : (durations[(durations.Count / 2) - 1] + durations[durations.Count / 2]) / 2;

        return new Dashboard(
            Enum.GetValues<RequestType>().Where(t => t != RequestType.Complaint).ToDictionary(t => t, t => open.Count(r => r.Type == t)),
            open.Count,
            open.Count(r => r.Due >= today && r.Due <= endOfWeek),
            open.Count(r => r.Due < today && !RequestStatus.IsPaused(r.Status)),
            closed.Count,
            closed.Count == 0 ? null : (double)closed.Count(r => r.Closed <= r.Due) / closed.Count,
            median,
            months)
        {
            OpenComplaints = openComplaints,
        };
    }
}
