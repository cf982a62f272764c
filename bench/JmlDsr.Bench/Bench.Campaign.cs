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
        report.AppendLine();
    }

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
