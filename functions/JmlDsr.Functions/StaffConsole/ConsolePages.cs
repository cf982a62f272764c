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

    /// <summary>A bar chart of the last twelve months as inline SVG, with the same figures in a table for screen readers.</summary>
    public static string Chart(IReadOnlyList<MonthBar> months)
    {
        ArgumentNullException.ThrowIfNull(months);
        const int width = 720, height = 220, left = 36, bottom = 28, top = 10;
        // Four gridlines at whole numbers: the scale is a multiple of four.
        var peak = months.Count == 0 ? 0 : months.Max(m => Math.Max(m.Received, m.ClosedOnTime + m.ClosedLate));
        var max = Math.Max(4, (peak + 3) / 4 * 4);
        var slot = (width - left) / (double)months.Count;
        var bar = slot / 3.2;
        var plot = height - bottom - top;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px\">");
        svg.Append("<title id=\"chart-title\">Requests received and closed per month, last 12 months</title>");
        for (var g = 0; g <= 4; g++)
        {
            var y = top + plot - (plot * g / 4.0);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#d0d3d6\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y + 4:0.#}\" font-size=\"11\" text-anchor=\"end\" fill=\"#4a4a4a\">{Math.Round(max * g / 4.0):0}</text>");
        }

        for (var i = 0; i < months.Count; i++)
        {
            var m = months[i];
            var x = left + (i * slot) + (slot * 0.12);
            double H(int v) => plot * v / (double)max;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{top + plot - H(m.Received):0.#}\" width=\"{bar:0.#}\" height=\"{H(m.Received):0.#}\" fill=\"#0b4f8a\"/>");
            var x2 = x + bar + 2;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x2:0.#}\" y=\"{top + plot - H(m.ClosedOnTime):0.#}\" width=\"{bar:0.#}\" height=\"{H(m.ClosedOnTime):0.#}\" fill=\"#1d6b35\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x2:0.#}\" y=\"{top + plot - H(m.ClosedOnTime) - H(m.ClosedLate):0.#}\" width=\"{bar:0.#}\" height=\"{H(m.ClosedLate):0.#}\" fill=\"#a4161a\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + bar:0.#}\" y=\"{height - 10}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1b1b1b\">{new DateOnly(m.Year, m.Month, 1).ToString("MMM", Uk)}</text>");
        }

        svg.Append("</svg>");
        svg.Append("<p class=\"muted\"><span style=\"color:#0b4f8a\">■</span> received &nbsp; <span style=\"color:#1d6b35\">■</span> closed on time &nbsp; <span style=\"color:#a4161a\">■</span> closed late</p>");
        svg.Append("<details><summary>The chart's figures as a table</summary><table><caption class=\"muted\">Requests per month</caption><thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Received</th><th scope=\"col\">Closed on time</th><th scope=\"col\">Closed late</th></tr></thead><tbody>");
        foreach (var m in months)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{new DateOnly(m.Year, m.Month, 1).ToString("MMMM yyyy", Uk)}</th><td>{m.Received}</td><td>{m.ClosedOnTime}</td><td>{m.ClosedLate}</td></tr>");
        }

        svg.Append("</tbody></table></details>");
        return svg.ToString();
    }
}
