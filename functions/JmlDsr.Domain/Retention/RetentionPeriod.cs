using System.Globalization;
using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Retention;

/// <summary>
/// A retention period as people write it: an ISO 8601 duration (<c>P6Y</c>, <c>P18M</c>, <c>P90D</c>, <c>PT30S</c>), years and
/// months counted on the calendar (six years after 29 February ends on 28 February), or a .NET time span
/// (<c>90.00:00:00</c>) for short test periods.
/// </summary>
public sealed partial record RetentionPeriod(int Years, int Months, int Days, TimeSpan Time)
{
    public static RetentionPeriod SixYears { get; } = new(6, 0, 0, TimeSpan.Zero);

    public DateTimeOffset After(DateTimeOffset start) => start.AddYears(Years).AddMonths(Months).AddDays(Days).Add(Time);

    public static bool TryParse(string? text, out RetentionPeriod period)
    {
        period = SixYears;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            return false;
        }

        var m = Iso().Match(s.ToUpperInvariant());
        if (m.Success && m.Groups.Cast<Group>().Skip(1).Any(g => g.Success))
        {
            int Part(string name) => m.Groups[name].Success ? int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
            period = new RetentionPeriod(Part("y"), Part("mo"), (Part("w") * 7) + Part("d"),
                new TimeSpan(Part("h"), Part("mi"), Part("s")));
            return period.After(DateTimeOffset.UnixEpoch) > DateTimeOffset.UnixEpoch;
        }

        if (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            period = new RetentionPeriod(0, 0, 0, span);
            return true;
        }

        return false;
    }

    public static RetentionPeriod Parse(string? text) =>
        TryParse(text, out var p) ? p : throw new FormatException($"'{text}' is not a retention period: write an ISO 8601 duration such as P6Y, P90D or PT1H.");

    public override string ToString()
    {
        var parts = new List<string>();
        foreach (var (n, unit) in new[] { (Years, "year"), (Months, "month"), (Days, "day") })
        {
            if (n > 0)
            {
                parts.Add(Plural(n, unit));
            }
        }

        if (Time > TimeSpan.Zero)
        {
            parts.Add(Time.ToString("c", CultureInfo.InvariantCulture));
        }

        return string.Join(", ", parts);
    }

    private static string Plural(int n, string unit) => string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? string.Empty : "s")}");

    [GeneratedRegex(@"^P(?:(?<y>\d{1,4})Y)?(?:(?<mo>\d{1,5})M)?(?:(?<w>\d{1,5})W)?(?:(?<d>\d{1,6})D)?(?:T(?:(?<h>\d{1,6})H)?(?:(?<mi>\d{1,6})M)?(?:(?<s>\d{1,7})S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso();
}
