using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests;

/// <summary>A host that writes what its telemetry exports (after redaction) to a capture file, as Application Insights would get it.</summary>
public sealed class TelemetryCaptureFixture : LocalHostFixture
{
    public string CaptureFile { get; } = Path.Combine(Path.GetTempPath(), "jmldsr-telemetry-" + Guid.NewGuid().ToString("N") + ".jsonl");

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Telemetry__CaptureFile"] = CaptureFile };

    public IReadOnlyList<JsonElement> Captured()
    {
        using var stream = new FileStream(CaptureFile, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return lines;
    }
}

/// <summary>
/// What a support engineer gets for one whole access request (email in, acknowledgement, confirmation, a system down and
/// retried, approval, the copy downloaded): spans and log lines tagged with the request reference, the exception with its
/// stack, and no email address, token, key or query string anywhere in what leaves the process.
/// </summary>
public sealed partial class TelemetryTests(TelemetryCaptureFixture host, ITestOutputHelper output) : IClassFixture<TelemetryCaptureFixture>
{
    private const string Alice = "alice.smith@example.com";
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task OneWholeRequest_TelemetryCarriesTheReferenceAndTheException_AndNoAddressTokenOrQuery()
    {
        var secrets = new List<string> { LocalHostFixture.StaffKey, LocalHostFixture.InboundKey };
        string reference;
        await host.SetOutageAsync("feedback", down: true);
        try
        {
            using var post = await host.Http.PostAsync(InboundPost.Url(host),
                InboundPost.Unauthenticated("telemetry-1@mail.example.com", "Alice Smith <Alice.Smith@example.com>", "Subject access request", "Please send me a copy of my personal data. Write to alice.smith@example.com."));
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
            await host.WaitForMailAsync(reference, Alice, "We have received your request");
            var verify = await host.WaitForMailAsync(reference, Alice, "Please confirm your request");
            var verifyLink = LocalHostFixture.Links(verify)[0];
            secrets.AddRange(Tokens(verifyLink));
            using (var confirm = await host.PressAsync(verifyLink, "confirm-identity"))
            {
                Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            }

            var alert = await host.WaitForMailAsync(reference, Privacy, "could not be searched");
            await host.SetOutageAsync("feedback", down: false);
            secrets.AddRange(Tokens(LocalHostFixture.Links(alert)[0]));
            using (var retry = await host.PressAsync(LocalHostFixture.Links(alert)[0], "retry-gathering"))
            {
                Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            }
        }
        finally
        {
            await host.SetOutageAsync("feedback", down: false);
        }

        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        secrets.AddRange(Tokens(LocalHostFixture.Links(decision)[0]));
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var done = await host.WaitForMailAsync(reference, Alice, "Your personal data");
        var download = LocalHostFixture.DownloadLink(done);
        secrets.AddRange(Tokens(download));
        var copy = await host.Http.GetFromJsonAsync<JsonElement>(download + "&format=json");
        Assert.Equal(reference, copy.GetProperty("reference").GetString());
        using (var staff = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}")))
        {
            Assert.Equal(HttpStatusCode.OK, staff.StatusCode);
        }

        // The download's spans end after its response is sent: wait for them, not for a fixed time.
        await host.WaitUntilAsync(() => Task.FromResult(host.Captured().Any(l => Kind(l) == "span" && Tag(l, "url.path") == "/api/exports" && Tag(l, "dsr.reference") == reference)),
            TimeSpan.FromSeconds(30), "the download's span");
        var captured = host.Captured();
        var spans = captured.Where(l => Kind(l) == "span").ToList();
        var logs = captured.Where(l => Kind(l) == "log").ToList();
        output.WriteLine($"{spans.Count} spans, {logs.Count} log lines for the whole run; for {reference}: " +
            $"{spans.Count(s => Tag(s, "dsr.reference") == reference)} spans and {logs.Count(l => Attribute(l, "dsr.reference") == reference)} log lines tagged.");
        foreach (var group in spans.GroupBy(s => s.GetProperty("source").GetString() + " | " + Regex.Replace(s.GetProperty("name").GetString()!, @"DSR-\d{4}-\d+", "{reference}")).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  span  {group.Count(),4}  {group.Key}");
        }

        foreach (var group in logs.GroupBy(l => l.GetProperty("category").GetString() + " " + l.GetProperty("level").GetString()).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  log   {group.Count(),4}  {group.Key}");
        }

        // Nothing personal or secret left the process.
        var text = string.Join('\n', captured.Select(l => l.GetRawText()));
        Assert.DoesNotMatch(EmailAddress(), text);
        Assert.DoesNotContain("%40", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("format=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_\-]{10,}", text);
        Assert.All(secrets.Distinct(), s => Assert.DoesNotContain(s, text, StringComparison.Ordinal));
        Assert.All(spans, s => Assert.All(new[] { "url.full", "url.query", "http.url", "http.target" }.Select(t => Tag(s, t)), v => Assert.True(v is null || !v.Contains('?', StringComparison.Ordinal), $"A query string in {s}")));
        Assert.DoesNotContain(spans, s => Tag(s, "url.query") is not null);

        // What support needs is there: the reference on the request's HTTP spans, activities and log lines, and the exception with its stack.
        Assert.Contains(spans, s => Tag(s, "dsr.reference") == reference && Tag(s, "url.path") == "/api/links");
        Assert.Contains(spans, s => Tag(s, "dsr.reference") == reference && s.GetProperty("name").GetString() == "activity GatherFromSystem");
        Assert.Contains(spans, s => Tag(s, "dsr.reference") == reference && s.GetProperty("name").GetString() == "activity SendAcknowledgement");
        Assert.Contains(logs, l => Attribute(l, "dsr.reference") == reference && l.GetProperty("message").GetString()!.Contains("acknowledgement", StringComparison.OrdinalIgnoreCase));
        var failure = Assert.Single(logs.Where(l => Attribute(l, "dsr.reference") == reference && l.GetProperty("exception").ValueKind == JsonValueKind.Object)
            .Select(l => l.GetProperty("exception")).Where(e => e.GetProperty("type").GetString()!.EndsWith("SystemUnavailableException", StringComparison.Ordinal)).Take(1));
        Assert.Contains("Customer feedback is not answering.", failure.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"\n\s+at JmlDsr\.Functions\.Gathering\.", failure.GetProperty("stack").GetString()!);
    }

    private static string? Kind(JsonElement line) => line.GetProperty("kind").GetString();

    private static string? Tag(JsonElement span, string name) =>
        span.GetProperty("tags").TryGetProperty(name, out var v) ? v.GetString() : null;

    private static string? Attribute(JsonElement log, string name) =>
        log.GetProperty("attributes") is { ValueKind: JsonValueKind.Object } a && a.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static IEnumerable<string> Tokens(string link) =>
        Regex.Matches(link, @"[?&](?:token|t|link)=([^&]+)").Select(m => Uri.UnescapeDataString(m.Groups[1].Value)).Where(t => t.Length >= 16);

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")]
    private static partial Regex EmailAddress();
}

/// <summary>GET api/health: the status for anyone, the checks for staff; 503 with the failing check while storage is down.</summary>
public sealed class HealthTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Healthy_AnonymousGetTheStatusOnly_StaffGetEveryCheck()
    {
        await host.WaitUntilAsync(async () => (await host.Http.GetAsync($"{host.BaseUrl}/api/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "health 200");
        using var anonymous = await host.Http.GetAsync($"{host.BaseUrl}/api/health");
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var summary = await anonymous.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", summary.GetProperty("status").GetString());
        Assert.False(summary.TryGetProperty("checks", out _));

        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, $"{host.BaseUrl}/api/health");
        wrongKey.Headers.Add("x-functions-key", "not-a-key");
        using var guessed = await host.Http.SendAsync(wrongKey);
        Assert.False((await guessed.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("checks", out _));

        using var staff = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/health"));
        Assert.Equal(HttpStatusCode.OK, staff.StatusCode);
        var details = await staff.Content.ReadFromJsonAsync<JsonElement>();
        var checks = details.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["sendGrid"] = "Healthy", ["storage"] = "Healthy", ["taskHub"] = "Healthy" }, checks);
    }

    [Fact]
    public async Task StorageDown_Answers503_AndStaffSeeWhichCheckFailed()
    {
        await host.StopStorageAsync();
        try
        {
            using var anonymous = await host.Http.GetAsync($"{host.BaseUrl}/api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, anonymous.StatusCode);
            var summary = await anonymous.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Unhealthy", summary.GetProperty("status").GetString());
            Assert.False(summary.TryGetProperty("checks", out _));

            using var staff = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/health"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, staff.StatusCode);
            var checks = (await staff.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").EnumerateArray()
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", checks["storage"]);
            Assert.Equal("Healthy", checks["sendGrid"]);
        }
        finally
        {
            await host.StartStorageAsync();
        }

        await host.WaitUntilAsync(async () => (await host.Http.GetAsync($"{host.BaseUrl}/api/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "health back to 200");
    }
}
