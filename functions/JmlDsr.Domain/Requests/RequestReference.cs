using System.Globalization;
using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Requests;

/// <summary>Request references: DSR-yyyy-nnnnnn, numbered per year.</summary>
public static partial class RequestReference
{
    public static string Format(int year, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"DSR-{year:D4}-{sequence:D6}");

    public static bool IsValid(string? reference) => reference is not null && Pattern().IsMatch(reference);

    /// <summary>The year and number of a well-formed reference (DSR-yyyy-nnnnnn).</summary>
    public static bool TryParse(string? reference, out int year, out long number)
    {
        year = 0;
        number = 0;
        return IsValid(reference)
            && int.TryParse(reference.AsSpan(4, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year)
            && long.TryParse(reference.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>
    /// The first request reference quoted in <paramref name="text"/> (e.g. a complaint about "my request dsr-2026-000041"),
    /// normalised to DSR-yyyy-nnnnnn; null when there is none. People retype references, so case and the separator
    /// (hyphen, en dash, slash or space) are forgiven.
    /// </summary>
    public static string? FindIn(string? text) => FindAllIn(text) is [var first, ..] ? first : null;

    /// <summary>Every distinct reference quoted in <paramref name="text"/>, in the order they appear, normalised.</summary>
    public static IReadOnlyList<string> FindAllIn(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        return Quoted().Matches(text)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"DSR-{m.Groups["year"].Value}-{m.Groups["number"].Value}"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    [GeneratedRegex(@"^DSR-\d{4}-\d{6,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"(?<![\w-])DSR[-–/ ]?(?<year>\d{4})[-–/ ](?<number>\d{6,})(?!\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Quoted();
}
