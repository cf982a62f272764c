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

    /// <summary>How many distinct references are looked up from one text at most: a real message quotes one or two.</summary>
    public const int MaxQuoted = 5;

    /// <summary>How much of a text is searched for references (sender-controlled text can be megabytes).</summary>
    public const int MaxSearchedChars = 64 * 1024;

    /// <summary>
    /// The first request reference quoted in <paramref name="text"/> (e.g. a complaint about "my request dsr-2026-000041"),
    /// normalised to DSR-yyyy-nnnnnn; null when there is none.
    /// </summary>
    public static string? FindIn(string? text) => FindAllIn(text) is [var first, ..] ? first : null;

    /// <summary>
    /// The distinct references quoted in <paramref name="text"/>, in the order they appear, normalised: only the exact
    /// DSR-yyyy-nnnnnn shape (any case; a hyphen or the en dash word processors turn it into), in the first
    /// <see cref="MaxSearchedChars"/> characters, at most <see cref="MaxQuoted"/>. The pattern runs without backtracking,
    /// so hostile text costs time linear in the bounded prefix.
    /// </summary>
    public static IReadOnlyList<string> FindAllIn(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var found = new List<string>(MaxQuoted);
        var searched = text.Length > MaxSearchedChars ? text[..MaxSearchedChars] : text;
        foreach (Match m in Quoted().Matches(searched))
        {
            var reference = string.Create(CultureInfo.InvariantCulture, $"DSR-{m.Groups["year"].Value}-{m.Groups["number"].Value}");
            if (!found.Contains(reference, StringComparer.Ordinal))
            {
                found.Add(reference);
                if (found.Count == MaxQuoted)
                {
                    break;
                }
            }
        }

        return found;
    }

    [GeneratedRegex(@"^DSR-\d{4}-\d{6,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"\bDSR[-–](?<year>\d{4})[-–](?<number>\d{6,9})\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Quoted();
}
