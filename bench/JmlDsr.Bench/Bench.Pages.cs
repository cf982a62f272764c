using System.Diagnostics;
using System.Globalization;
using System.Text;
using JmlDsr.Pages;
using JmlDsr.Pages.Console;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JmlDsr.Bench;

/// <summary>6. Pages: how long the Razor components take to render the console's and the links' pages, in process.</summary>
internal sealed partial class Bench
{
    /// <summary>The target for a console page a member of staff waits for.</summary>
    private static readonly TimeSpan PageTarget = TimeSpan.FromMilliseconds(200);

    private static readonly string[] SetAsideReasons = ["auto-reply", "bounce", "own-mail"];

    public static async Task PagesAsync(bool quick, StringBuilder report)
    {
        await using var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddPages().BuildServiceProvider();
        var renderer = services.GetRequiredService<PageRenderer>();
        var runs = quick ? 5 : 20;
        report.AppendLine("## 6. Pages (Razor components, `HtmlRenderer`)");
        report.AppendLine(CultureInfo.InvariantCulture, $"Each page rendered to a string in this process {runs}× after 3 warm-up renders (median and max wall time); the pages' sizes are of the HTML. Target: a console page in < {PageTarget.TotalMilliseconds:0} ms.");
        report.AppendLine();
        report.AppendLine("| page | content | HTML KiB | render ms (median / max) | target |");
        report.AppendLine("|---|---|---|---|---|");
        foreach (var rows in new[] { 100, 1_000, 10_000 })
        {
            await TimeAsync(renderer, report, runs, "console queue", $"{rows:N0} requests", () => renderer.RenderAsync<QueuePage>(new Dictionary<string, object?>
            {
                [nameof(QueuePage.StaffName)] = "Priya Patel",
                [nameof(QueuePage.Filter)] = new QueueFilter("open", "", "", ""),
                [nameof(QueuePage.Rows)] = QueueRows(rows),
            }), target: true);
        }

        await TimeAsync(renderer, report, runs, "console request page", "7 systems, 200 timeline entries, 50 redactions proposed", () => renderer.RenderAsync<RequestPage>(new Dictionary<string, object?>
        {
            [nameof(RequestPage.StaffName)] = "Priya Patel",
            [nameof(RequestPage.Request)] = RequestViewOf(200),
            [nameof(RequestPage.Decision)] = new ConsoleDecision("approval", [
                new SignedLinkForm("token", new LinkForm("approve", "Approve") { Extra = new RedactionOffer([.. Enumerable.Range(0, 50).Select(i => new RedactionChoice($"Person {i}", "name", "in a CRM note"))], "[redacted]", 4020, 2000) }),
                new SignedLinkForm("token", new LinkForm("reject", "Reject") { ReasonLabel = "Why" }),
            ], "/console/requests/DSR-2026-000001"),
        }), target: true);
        await TimeAsync(renderer, report, runs, "console set-aside list", "500 emails", () => renderer.RenderAsync<SetAsidePage>(new Dictionary<string, object?>
        {
            [nameof(SetAsidePage.StaffName)] = "Priya Patel",
            [nameof(SetAsidePage.Reasons)] = SetAsideReasons,
            [nameof(SetAsidePage.Rows)] = Enumerable.Range(0, 500).Select(i => new SetAsideRow($"sa-{i:D5}", "1 Dec 2026 10:00", "auto-reply", "someone@example.com",
                "Automatic reply: Out of office", "An automatic reply (Auto-Submitted: auto-replied)", [], null, null)).ToList(),
        }), target: true);
        await TimeAsync(renderer, report, runs, "link notice", "one message", () => renderer.RenderAsync<NoticePage>(new Dictionary<string, object?>
        {
            [nameof(NoticePage.Title)] = "Thank you",
            [nameof(NoticePage.Message)] = "Your request is confirmed.",
            [nameof(NoticePage.Reference)] = "DSR-2026-000123",
        }), target: false);
        report.AppendLine();
    }

    private static async Task TimeAsync(PageRenderer renderer, StringBuilder report, int runs, string page, string content, Func<Task<string>> render, bool target)
    {
        var size = 0;
        for (var i = 0; i < 3; i++)
        {
            size = (await render()).Length;
        }

        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await render();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        var median = times[times.Count / 2];
        var met = !target ? "—" : median < PageTarget.TotalMilliseconds ? "met" : "**missed**";
        report.AppendLine(CultureInfo.InvariantCulture, $"| {page} | {content} | {size / 1024.0:0} | {median:0.0} / {times[^1]:0.0} | {met} |");
        Console.WriteLine($"pages: {page} ({content}) {median:0.0} ms");
        GC.KeepAlive(renderer);
    }

    private static List<QueueRow> QueueRows(int n) =>
        Enumerable.Range(0, n).Select(i => new QueueRow($"DSR-2026-{i:D6}", "Access", "j***@example.com", "awaiting-approval", "Tue 1 Dec 2026",
            "Fri 1 Jan 2027", i % 50 == 0, i % 7 == 0 ? QueueState.Paused : QueueState.Running, 30 - (i % 30))).ToList();

    private static RequestView RequestViewOf(int timeline) => new()
    {
        Reference = "DSR-2026-000123",
        TypeTitle = "Access",
        Status = "awaiting-approval",
        RequesterName = "Jane Doe",
        RequesterEmail = "jane@example.com",
        Channel = "email",
        Received = "1 Dec 2026 10:00",
        Clock = new ClockFacts("Tue 1 Dec 2026", 0, "Fri 1 Jan 2027", false, false),
        Subject = "Subject access request",
        ClassifiedBecause = "asks for a copy of my data",
        SenderAuthentication = "spf=pass dkim=pass",
        OffersCorrections = true,
        Systems = Enumerable.Range(1, 7).Select(s => new SystemRow($"System {s}", 40, [new RecordPreview("contact", "email = jane@example.com; name = Jane Doe")])).ToList(),
        Timeline = Enumerable.Range(0, timeline).Select(i => new TimelineEntry(DateTimeOffset.UnixEpoch.AddMinutes(i), "1 Dec 2026 10:00", "gathered", $"System {i % 7} returned 40 records", "JmlDsr")).ToList(),
    };
}
