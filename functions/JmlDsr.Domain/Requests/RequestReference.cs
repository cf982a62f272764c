using System.Globalization;
using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Requests;

/// <summary>Request references: DSR-yyyy-nnnnnn, numbered per year.</summary>
public static partial class RequestReference
{
    public static string Format(int year, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"DSR-{year:D4}-{sequence:D6}");

    public static bool IsValid(string? reference) => reference is not null && Pattern().IsMatch(reference);

    [GeneratedRegex(@"^DSR-\d{4}-\d{6,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
