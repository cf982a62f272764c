using System.Globalization;
using System.Text;
using JmlDsr.Domain.Reporting;
using JmlDsr.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>The console's HTML: one layout, accessible (landmarks, labels, focus, contrast), nothing loaded from elsewhere.</summary>
public static class ConsolePages
{
    private static readonly CultureInfo Uk = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Only console paths are allowed as a place to return to after a link's POST.</summary>
    public static string? SafeReturnPath(string? path) =>
        path is { Length: > 0 and < 300 } && path.StartsWith("/console", StringComparison.Ordinal) && !path.Contains("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal)
            ? path
            : null;

    /// <summary>A console page in the one layout (headers and policy by <see cref="HtmlSecurity"/>'s middleware).</summary>
    public static IResult Render(HttpContext context, int status, string title, string? staffName, string active, string main)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ComponentPageResult<Layout>(status, new Dictionary<string, object?>
        {
            [nameof(Layout.Title)] = title,
            [nameof(Layout.Console)] = true,
            [nameof(Layout.StaffName)] = staffName,
            [nameof(Layout.Active)] = active,
            [nameof(Layout.BodyMarkup)] = new MarkupString(main),
        });
    }

    public static string Date(DateTimeOffset? d) => d is null ? "—" : d.Value.ToString("d MMM yyyy HH:mm", Uk);

    public static string Date(string? isoDate) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d.ToString("ddd d MMM yyyy", Uk) : "—";

    /// <summary>The dashboard's chart of the last twelve months, rendered by its component (<see cref="MonthChart"/>).</summary>
    public static string Chart(HttpContext context, IReadOnlyList<MonthBar> months) =>
        PageRenderer.For(context?.RequestServices).Render<MonthChart>(new Dictionary<string, object?> { [nameof(MonthChart.Months)] = months });
}
