using System.Globalization;

namespace JmlDsr.Domain.Deadlines;

/// <summary>
/// When staff are reminded of a request's statutory due date (Art 12(3)): a number of days before it, at
/// 09:00 UK time.
/// </summary>
public static class ReminderSchedule
{
    private static readonly TimeZoneInfo UkZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static readonly IReadOnlyList<int> Default = [7, 2];

    /// <summary>
    /// Parses configured days ("7,2"; commas, semicolons or spaces) into distinct positive numbers, largest
    /// first; [7, 2] when nothing is configured. Anything else is a configuration error.
    /// </summary>
    /// <exception cref="FormatException">An entry is not a whole number greater than zero.</exception>
    public static IReadOnlyList<int> Parse(string? csv)
    {
        if (string.IsNullOrWhiteSpace(csv))
        {
            return Default;
        }

        var days = new SortedSet<int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var part in csv.Split([',', ';', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d <= 0)
            {
                throw new FormatException($"'{part}' is not a number of days greater than zero.");
            }

            days.Add(d);
        }

        return [.. days];
    }

    /// <summary>09:00 Europe/London on the day <paramref name="daysBefore"/> days before <paramref name="due"/>, as UTC.</summary>
    public static DateTime ReminderAtUtc(DateOnly due, int daysBefore)
    {
        var local = due.AddDays(-daysBefore).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Unspecified);
        return TimeZoneInfo.ConvertTimeToUtc(local, UkZone);
    }
}
