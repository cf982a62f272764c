using System.Globalization;
using System.Text;
using JmlDsr.Domain.Reporting;
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

    public static IResult Render(HttpContext context, int status, string title, string? staffName, string active, string main)
    {
        ArgumentNullException.ThrowIfNull(context);
        var h = context.Response.Headers;
        h.CacheControl = "no-store";
        h["Referrer-Policy"] = "no-referrer";
        h["X-Content-Type-Options"] = "nosniff";
        h["X-Frame-Options"] = "DENY";
        h.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'";
        var nav = staffName is null ? string.Empty : $"""
            <nav aria-label="Console"><ul>
            <li><a href="/console"{(active == "queue" ? " aria-current=\"page\"" : "")}>Queue</a></li>
            <li><a href="/console/dashboard"{(active == "dashboard" ? " aria-current=\"page\"" : "")}>Dashboard</a></li>
            <li><a href="/console/set-aside"{(active == "set-aside" ? " aria-current=\"page\"" : "")}>Set aside</a></li>
            </ul>
            <form method="post" action="/console/signout" class="signout"><span>Signed in as <strong>{E(staffName)}</strong></span> <button type="submit" class="link">Sign out</button></form>
            </nav>
            """;
        var html = $$"""
            <!doctype html>
            <html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(title)}} — JML privacy console</title>
            <style>
            :root{--ink:#1b1b1b;--muted:#4a4a4a;--line:#b1b4b6;--brand:#0b4f8a;--bad:#a4161a;--ok:#1d6b35;--warn:#7a4f00;--bg:#f4f6f8}
            *{box-sizing:border-box} body{margin:0;font-family:"Segoe UI",Arial,sans-serif;color:var(--ink);background:#fff;line-height:1.45;font-size:16px}
            a{color:var(--brand)} a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #ffbf47;outline-offset:1px}
            .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:9}
            header{background:var(--brand);color:#fff;padding:.6rem 1.5rem;display:flex;flex-wrap:wrap;align-items:center;gap:1rem 2rem}
            header .brand{font-weight:700;font-size:1.1rem;color:#fff;text-decoration:none}
            nav{display:flex;flex:1;align-items:center;gap:1.5rem;flex-wrap:wrap} nav ul{list-style:none;display:flex;gap:1.2rem;margin:0;padding:0}
            nav a{color:#fff;font-weight:600} nav a[aria-current=page]{text-decoration:underline 3px}
            .signout{margin-left:auto;color:#fff} button.link{background:none;border:1px solid #fff;color:#fff;padding:.2rem .6rem;border-radius:4px;cursor:pointer;font:inherit}
            main{max-width:78rem;margin:0 auto;padding:1.2rem 1.5rem 3rem} h1{font-size:1.6rem;margin:.4rem 0 1rem} h2{font-size:1.25rem;margin-top:1.8rem}
            table{border-collapse:collapse;width:100%;background:#fff} th,td{border-bottom:1px solid var(--line);padding:.45rem .6rem;text-align:left;vertical-align:top}
            th{background:var(--bg);font-weight:600} tr.overdue td{background:#fde8e8} .overdue-flag{color:var(--bad);font-weight:700}
            .paused{color:var(--warn);font-weight:600} .muted{color:var(--muted)} .pill{display:inline-block;padding:.05rem .5rem;border-radius:999px;background:var(--bg);border:1px solid var(--line);font-size:.9rem}
            form.filters{display:flex;flex-wrap:wrap;gap:.8rem 1.2rem;align-items:flex-end;margin:0 0 1rem;padding:.8rem;background:var(--bg);border-radius:6px}
            label{display:block;font-weight:600;margin-bottom:.2rem} input,select,textarea{font:inherit;padding:.35rem .5rem;border:2px solid var(--ink);border-radius:3px}
            textarea{width:100%;min-height:4.5rem} button.primary,button.secondary{font:inherit;padding:.5rem 1rem;border-radius:4px;cursor:pointer;border:2px solid var(--brand)}
            button.primary{background:var(--brand);color:#fff} button.secondary{background:#fff;color:var(--brand)}
            .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:1rem} .card{border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;background:#fff}
            .card .n{font-size:2rem;font-weight:700;display:block} .actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
            .actions form{border:1px solid var(--line);border-radius:6px;padding:.8rem;min-width:0} .actions form:has(fieldset){grid-column:1/-1}
            fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 .8rem;padding:.6rem .8rem} fieldset table{width:100%} fieldset input:not([type=checkbox]),fieldset select{width:100%;box-sizing:border-box} ol.timeline{list-style:none;padding:0;border-left:3px solid var(--line);margin-left:.4rem}
            ol.timeline li{padding:.3rem 0 .5rem 1rem} ol.timeline time{font-weight:600} dl.facts{display:grid;grid-template-columns:12rem 1fr;gap:.25rem 1rem} dt{font-weight:600}
            .error{border-left:5px solid var(--bad);padding:.5rem 1rem;background:#fde8e8}
            </style></head><body>
            <a class="skip" href="#main">Skip to content</a>
            <header><a class="brand" href="/console">JML privacy requests</a>{{nav}}</header>
            <main id="main">{{main}}</main>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
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
