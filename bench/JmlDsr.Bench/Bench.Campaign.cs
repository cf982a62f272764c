using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace JmlDsr.Bench;

/// <summary>
/// 7. A campaign: a request-generator service sends JML <c>n</c> near-identical access requests at once, each from a
/// different customer JML knows (seeded into the CRM first). Measured from the first post until every request has asked
/// the privacy team for its decision ("Decision needed"): intake, acknowledgement, identity confirmed by the requester's
/// link (answered as soon as it is captured), gathering from every system in the data map, the decision's email.
/// </summary>
internal sealed partial class Bench
{
    public async Task CampaignAsync(int n, StringBuilder report, List<string> failures)
    {
        var crm = new TableServiceClient(azurite.ConnectionString).GetTableClient("SysCrm");
        var people = Enumerable.Range(1, n).Select(i => (Email: string.Create(CultureInfo.InvariantCulture, $"campaign.customer{i:D5}@example.net"), Name: $"Customer {i:D5}")).ToList();
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (p, ct) =>
            await crm.UpsertEntityAsync(new TableEntity(p.Email, "contact") { ["Category"] = "customer contact", ["Name"] = p.Name, ["Company"] = "Campaign Ltd" }, TableUpdateMode.Replace, ct));

        var posted = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var links = new LinkPresser(http, host.BaseUrl, approve: false);
        var sw = Stopwatch.StartNew();
        var meter = CpuMeter.Start(host.Process!, azurite);
        var intake = Task.Run(async () =>
        {
            await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (p, ct) =>
            {
                using var response = await SendInboundAsync(CampaignEmail(p.Email, p.Name));
                response.EnsureSuccessStatusCode();
                var reference = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("reference").GetString()!;
                lock (posted)
                {
                    posted[reference] = DateTimeOffset.UtcNow;
                }
            });
            return sw.Elapsed;
        });

        var limit = TimeSpan.FromMinutes(Math.Max(10, n / 20.0));
        while (links.Decisions.Count < n && sw.Elapsed < limit)
        {
            await links.PressNewAsync();
            await Task.Delay(250);
        }

        var elapsed = sw.Elapsed;
        var cpu = meter.Read();
        var postedIn = await intake;
        if (links.Decisions.Count < n)
        {
            failures.Add($"campaign: {n - links.Decisions.Count} of {n} requests had not asked for a decision after {limit.TotalMinutes:0} minutes");
        }

        var latencies = links.Decisions.Where(d => posted.ContainsKey(d.Key)).Select(d => (d.Value - posted[d.Key]).TotalSeconds).Order().ToList();
        double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        report.AppendLine("## 7. A campaign of requests");
        report.AppendLine(CultureInfo.InvariantCulture, $"{n} near-identical access requests from a request-generator template, each from a different known customer, posted {Concurrency} at a time as Inbound Parse delivers (all posted in {postedIn.TotalSeconds:0.0} s); each requester's confirmation link answered as soon as it was captured; {DataMapSystems} systems searched for each.");
        report.AppendLine(CultureInfo.InvariantCulture, $"From the first post to the last \"Decision needed\": **{elapsed.TotalSeconds:0.0} s** ({links.Decisions.Count / elapsed.TotalMinutes:0} requests/min); per request, post to decision email: median {P(0.5):0.0} s, 95th percentile {P(0.95):0.0} s, slowest {P(1):0.0} s.");
        report.AppendLine(CultureInfo.InvariantCulture, $"CPU per request: host {cpu.Host.TotalMilliseconds / n:0} ms, Azurite {cpu.Azurite.TotalMilliseconds / n:0} ms; machine busy {cpu.Total / elapsed / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores.");
        await ConsoleAsync([.. links.Decisions.Keys], report, failures);
        report.AppendLine();
    }

    /// <summary>How many requests the console's queue holds while it is timed (the campaign's, and closed ones seeded around them).</summary>
    public const int QueueRequests = 10_000;

    /// <summary>The target for the queue's page (a staff member waits for it), at <see cref="QueueRequests"/> requests.</summary>
    public static readonly TimeSpan QueueTarget = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The console with the campaign in it: the Requests table filled to <see cref="QueueRequests"/> (closed requests of
    /// earlier years), then the queue's first page, the campaign found by its subject, and a far page, each timed as a staff
    /// member's browser gets it; then one bulk approval of the whole campaign, timed to the last requester's copy.
    /// </summary>
    private async Task ConsoleAsync(IReadOnlyList<string> campaign, StringBuilder report, List<string> failures)
    {
        var requests = new TableServiceClient(azurite.ConnectionString).GetTableClient("Requests");
        var seed = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(0, QueueRequests - campaign.Count)), new ParallelOptions { MaxDegreeOfParallelism = Concurrency * 2 }, async (i, ct) =>
            await requests.UpsertEntityAsync(new TableEntity("request", string.Create(CultureInfo.InvariantCulture, $"DSR-2024-{i + 1:D6}"))
            {
                ["Type"] = (i % 5) switch { 0 => "erasure", 1 => "rectification", _ => "access" },
                ["Status"] = "completed",
                ["RequesterEmail"] = string.Create(CultureInfo.InvariantCulture, $"earlier.customer{i:D5}@example.org"),
                ["RequesterName"] = string.Create(CultureInfo.InvariantCulture, $"Earlier Customer {i:D5}"),
                ["Subject"] = i % 3 == 0 ? "Subject access request" : "Please delete my account",
                ["Details"] = "Please send me a copy of the personal data you hold about me, with the information Article 15 gives me a right to.",
                ["Channel"] = "email",
                ["ReceivedAt"] = new DateTimeOffset(2024, 1 + (i % 12), 1 + (i % 28), 9, 0, 0, TimeSpan.Zero),
                ["ClosedAt"] = new DateTimeOffset(2024, 1 + (i % 12), 1 + (i % 28), 15, 0, 0, TimeSpan.Zero),
                ["DueDate"] = string.Create(CultureInfo.InvariantCulture, $"2024-{1 + (i % 12):D2}-{1 + (i % 28):D2}"),
            }, TableUpdateMode.Replace, ct));
        var seeded = seed.Elapsed;

        using var browser = new HttpClient(new SocketsHttpHandler { UseCookies = true, CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = true }) { Timeout = TimeSpan.FromMinutes(5) };
        using (var signIn = await browser.PostAsync($"{host.BaseUrl}/console/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Priya Patel", ["key"] = StaffKey, ["returnTo"] = "/console" })))
        {
            signIn.EnsureSuccessStatusCode();
        }

        async Task<(TimeSpan Median, TimeSpan Max, int Bytes, string Page)> TimeAsync(Dictionary<string, string> filter)
        {
            var times = new List<TimeSpan>();
            var page = string.Empty;
            for (var run = 0; run < 6; run++)
            {
                var sw = Stopwatch.StartNew();
                using var response = await browser.PostAsync($"{host.BaseUrl}/console", new FormUrlEncodedContent(filter));
                page = await response.Content.ReadAsStringAsync();
                response.EnsureSuccessStatusCode();
                if (run > 0)
                {
                    times.Add(sw.Elapsed); // the first is a warm-up
                }
            }

            times.Sort();
            return (times[times.Count / 2], times[^1], Encoding.UTF8.GetByteCount(page), page);
        }

        var all = await TimeAsync(new() { ["show"] = "all" });
        var found = await TimeAsync(new() { ["show"] = "open", ["subject"] = "Article 15" });
        var far = await TimeAsync(new() { ["show"] = "all", ["page"] = "150" });
        var campaignShown = System.Text.RegularExpressions.Regex.Match(WebUtilityDecode(found.Page), @"(\d[\d,]*) requests?, soonest due first").Groups[1].Value;
        report.AppendLine(CultureInfo.InvariantCulture, $"The console's queue with {QueueRequests:N0} requests in the table ({QueueRequests - campaign.Count:N0} closed ones seeded in {seeded.TotalSeconds:0.0} s), 50 a page, as the signed-in browser gets it (median and slowest of 5, after a warm-up). Target: < {QueueTarget.TotalSeconds:0} s.");
        report.AppendLine();
        report.AppendLine("| page | median | slowest | HTML |");
        report.AppendLine("|---|---|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| all {QueueRequests:N0}, page 1 | {all.Median.TotalMilliseconds:0} ms | {all.Max.TotalMilliseconds:0} ms | {all.Bytes / 1024.0:0} KiB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| the campaign by its subject ({campaignShown} open) | {found.Median.TotalMilliseconds:0} ms | {found.Max.TotalMilliseconds:0} ms | {found.Bytes / 1024.0:0} KiB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| all, page 150 | {far.Median.TotalMilliseconds:0} ms | {far.Max.TotalMilliseconds:0} ms | {far.Bytes / 1024.0:0} KiB |");
        report.AppendLine();
        foreach (var (what, t) in new[] { ("first page", all.Median), ("campaign filter", found.Median), ("far page", far.Median) })
        {
            if (t > QueueTarget)
            {
                failures.Add($"campaign: the console's {what} took {t.TotalMilliseconds:0} ms with {QueueRequests:N0} requests (target {QueueTarget.TotalMilliseconds:0} ms)");
            }
        }

        // One bulk approval of the whole campaign, as staff would press it, to the last requester's copy.
        var bulk = Stopwatch.StartNew();
        using (var approve = await browser.PostAsync($"{host.BaseUrl}/console/bulk", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["show"] = "open", ["subject"] = "Article 15", ["action"] = "approve", ["all"] = "yes",
        })))
        {
            approve.EnsureSuccessStatusCode();
        }

        var pressed = bulk.Elapsed;
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var limit = TimeSpan.FromMinutes(Math.Max(5, campaign.Count / 20.0));
        while (answered.Count < campaign.Count && bulk.Elapsed < limit)
        {
            var outbox = await http.GetFromJsonAsync<JsonElement>($"{host.BaseUrl}/api/dev/outbox");
            foreach (var mail in outbox.GetProperty("messages").EnumerateArray())
            {
                if (mail.GetProperty("subject").GetString()!.Contains("Your personal data", StringComparison.Ordinal) && mail.TryGetProperty("reference", out var r) && r.GetString() is { } reference)
                {
                    answered.Add(reference);
                }
            }

            await Task.Delay(500);
        }

        if (answered.Count < campaign.Count)
        {
            failures.Add($"campaign: {campaign.Count - answered.Count} of {campaign.Count} approved requests had no copy sent after {limit.TotalMinutes:0} minutes");
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"One bulk approval of the {campaign.Count} campaign requests (each its own decision, signed, spent and audited): the form answered in {pressed.TotalSeconds:0.0} s ({pressed.TotalMilliseconds / Math.Max(1, campaign.Count):0} ms a request); the last requester's copy was sent {bulk.Elapsed.TotalSeconds:0.0} s after the press ({answered.Count} of {campaign.Count}).");
    }

    private static string WebUtilityDecode(string html) => System.Net.WebUtility.HtmlDecode(html);

    private static int DataMapSystems => Domain.Gathering.DataMap.Shipped.Systems.Count;

    /// <summary>A request-generator's template: the same words for everyone, the person's name and address filled in.</summary>
    private static (byte[] Bytes, string ContentType) CampaignEmail(string from, string name)
    {
        using var content = new MultipartFormDataContent("campaignBoundary");
        void Add(string field, string value) => content.Add(new StringContent(value, Encoding.UTF8) { Headers = { ContentType = null } }, field);
        const string subject = "Data Subject Access Request - Article 15 UK GDPR";
        Add("headers", $"Message-Id: <campaign-{Guid.NewGuid():N}@requests.example.org>\r\nFrom: {name} <{from}>\r\nTo: privacy@jmlsoftware.co.uk\r\nSubject: {subject}\r\n");
        Add("from", $"{name} <{from}>");
        Add("to", "privacy@jmlsoftware.co.uk");
        Add("subject", subject);
        Add("text", $"""
            Dear Data Protection Officer,

            I am writing to make a subject access request under Article 15 of the UK General Data Protection Regulation.
            Please provide a copy of all personal data you hold about me, together with the purposes of the processing,
            the categories of data, the recipients, how long it will be kept, and where it came from.

            My name is {name} and my email address is {from}.

            Please respond within one calendar month, as the law requires.

            Kind regards,
            {name}

            Sent on my behalf by a data rights service at my request.
            """);
        Add("envelope", $"{{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":\"{from}\"}}");
        Add("charsets", "{\"to\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}");
        using var ms = new MemoryStream();
        content.CopyTo(ms, null, CancellationToken.None);
        return (ms.ToArray(), content.Headers.ContentType!.ToString());
    }
}
