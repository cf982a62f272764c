using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace JmlDsr.Domain.Deadlines;

/// <summary>
/// Working days in England and Wales: Monday to Friday, less the bank holidays shipped with the
/// product (2024–2030) and any dates added by configuration.
/// </summary>
public sealed class BankHolidayCalendar
{
    private readonly FrozenSet<DateOnly> _holidays;

    public BankHolidayCalendar(IEnumerable<DateOnly> holidays)
    {
        ArgumentNullException.ThrowIfNull(holidays);
        _holidays = holidays.ToFrozenSet();
    }

    /// <summary>England and Wales bank holidays 2024–2030, as shipped.</summary>
    public static BankHolidayCalendar EnglandAndWales { get; } = new(LoadShipped());

    public IReadOnlyCollection<DateOnly> Holidays => _holidays;

    /// <summary>A calendar with the shipped dates plus <paramref name="extra"/> (e.g. a one-off bank holiday).</summary>
    public BankHolidayCalendar With(IEnumerable<DateOnly> extra) => new(_holidays.Concat(extra));

    public bool IsHoliday(DateOnly date) => _holidays.Contains(date);

    public bool IsWorkingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(date);

    /// <summary>The date itself if it is a working day, otherwise the next working day.</summary>
    public DateOnly OnOrNextWorkingDay(DateOnly date)
    {
        while (!IsWorkingDay(date))
        {
            date = date.AddDays(1);
        }

        return date;
    }

    /// <summary>Parses configured dates ("yyyy-MM-dd", separated by commas, semicolons or spaces).</summary>
    public static IReadOnlyList<DateOnly> ParseList(string? dates)
    {
        if (string.IsNullOrWhiteSpace(dates))
        {
            return [];
        }

        var result = new List<DateOnly>();
        foreach (var part in dates.Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!DateOnly.TryParseExact(part, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                throw new FormatException($"'{part}' is not a date in the form yyyy-MM-dd.");
            }

            result.Add(d);
        }

        return result;
    }

    private static List<DateOnly> LoadShipped()
    {
        using var stream = typeof(BankHolidayCalendar).Assembly.GetManifestResourceStream("JmlDsr.Domain.BankHolidays.json")
            ?? throw new InvalidOperationException("The shipped bank holiday list is missing from the assembly.");
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("dates").EnumerateArray()
            .Select(e => DateOnly.ParseExact(e.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture))
            .ToList();
    }
}
