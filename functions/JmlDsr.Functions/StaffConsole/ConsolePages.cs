using System.Globalization;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>What the console's pages (components in JmlDsr.Pages.Console) share: dates as staff read them, and safe return paths.</summary>
public static class ConsolePages
{
    private static readonly CultureInfo Uk = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Only console paths are allowed as a place to return to after a link's POST.</summary>
    public static string? SafeReturnPath(string? path) =>
        path is { Length: > 0 and < 300 } && path.StartsWith("/console", StringComparison.Ordinal) && !path.Contains("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal)
            ? path
            : null;

    public static string Date(DateTimeOffset? d) => d is null ? "—" : d.Value.ToString("d MMM yyyy HH:mm", Uk);

    public static string Date(string? isoDate) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d.ToString("ddd d MMM yyyy", Uk) : "—";
}
