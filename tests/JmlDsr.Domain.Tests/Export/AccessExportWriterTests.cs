using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Export;

public sealed class AccessExportWriterTests
{
    private static readonly JmlDsr.Pages.HtmlCopyFormat HtmlCopy = new(JmlDsr.Pages.PageRenderer.For(null));

    private static readonly AccessExportHeader Header = new("DSR-2026-000007", "jane@example.com", "Jane", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), new DateOnly(2026, 11, 20));

    private static async IAsyncEnumerable<SystemRecords> Systems()
    {
        await Task.Yield();
        yield return new SystemRecords(DataMap.Shipped.Get(SystemCatalog.Crm), new SystemSearch("crm", Header.GeneratedAt, "test"),
            Records(new PersonalRecord("contact", new Dictionary<string, string?> { ["Name"] = "Jane <b>Doe</b>", ["Phone"] = "01632 960000" })));
        yield return new SystemRecords(DataMap.Shipped.Get(SystemCatalog.Feedback), new SystemSearch("feedback", Header.GeneratedAt, "test"), Records());
    }

    private static async IAsyncEnumerable<PersonalRecord> Records(params PersonalRecord[] records)
    {
        foreach (var r in records)
        {
            await Task.Yield();
            yield return r;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BothCopiesInOnePass_AreTheSameAsEachWrittenOnItsOwn_AndReadEachRecordOnce(bool redacting)
    {
        var redact = redacting ? Terms : null;
        using var jsonAlone = new MemoryStream();
        await AccessExportWriter.WriteJsonAsync(jsonAlone, Header, MixedSystems(), redact: redact);
        var htmlAlone = new StringBuilder();
        await using (var w = new StringWriter(htmlAlone))
        {
            await AccessExportWriter.WriteHtmlAsync(w, HtmlCopy, Header, MixedSystems(), redact: redact);
        }

        var reads = 0;
        async IAsyncEnumerable<SystemRecords> Counted()
        {
            await foreach (var s in MixedSystems())
            {
                yield return s with { Records = Count(s.Records) };
            }
        }

        async IAsyncEnumerable<PersonalRecord> Count(IAsyncEnumerable<PersonalRecord> records)
        {
            await foreach (var r in records)
            {
                reads++;
                yield return r;
            }
        }

        using var json = new MemoryStream();
        var html = new StringBuilder();
        await using (var w = new StringWriter(html))
        {
            await AccessExportWriter.WriteJsonAndHtmlAsync(json, w, HtmlCopy, Header, Counted(), redact);
        }

        Assert.Equal(Encoding.UTF8.GetString(jsonAlone.ToArray()), Encoding.UTF8.GetString(json.ToArray()));
        Assert.Equal(htmlAlone.ToString(), html.ToString());
        Assert.Equal(await CountAsync(MixedSystems()), reads);
        Assert.True(reads > 0);
    }

    /// <summary>A system with records to redact, one with records and one with none.</summary>
    private static async IAsyncEnumerable<SystemRecords> MixedSystems()
    {
        await foreach (var s in FeedbackSystems())
        {
            yield return s;
        }

        await foreach (var s in Systems())
        {
            yield return s;
        }
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<SystemRecords> systems)
    {
        var n = 0;
        await foreach (var s in systems)
        {
            await foreach (var _ in s.Records)
            {
                n++;
            }
        }

        return n;
    }

    [Fact]
    public async Task Json_HasEachSystem_WithItsSupplementaryInformation_AndRecords()
    {
        using var stream = new MemoryStream();
        await AccessExportWriter.WriteJsonAsync(stream, Header, Systems());
        using var doc = JsonDocument.Parse(stream.ToArray());
        var systems = doc.RootElement.GetProperty("systems").EnumerateArray().ToList();
        Assert.Equal(2, systems.Count);
        var crm = systems[0];
        foreach (var field in new[] { "purposes", "lawfulBasis", "retention", "source" })
        {
            Assert.False(string.IsNullOrWhiteSpace(crm.GetProperty(field).GetString()), field);
        }

        Assert.NotEmpty(crm.GetProperty("recipients").EnumerateArray());
        Assert.Equal("01632 960000", crm.GetProperty("records")[0].GetProperty("Phone").GetString());
        Assert.Contains("Art 22", doc.RootElement.GetProperty("automatedDecisionMaking").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_CarriesArt15Information_EscapesValues_AndSaysWhenNothingIsHeld()
    {
        var sb = new StringBuilder();
        await using (var w = new StringWriter(sb))
        {
            await AccessExportWriter.WriteHtmlAsync(w, HtmlCopy, Header, Systems());
        }

        var html = sb.ToString();
        foreach (var part in new[] { "Why we use it", "Who receives it", "How long we keep it", "Where it came from", "Automated decisions", "Information Commissioner", "rectify", "object" })
        {
            Assert.Contains(part, html, StringComparison.Ordinal);
        }

        Assert.Contains("Jane &lt;b&gt;Doe&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("We hold no personal data about you in this system.", html, StringComparison.Ordinal);
    }

    private const string Feedback = "Support was great; Tom Baker from your team fixed the import quickly. Call him on 07700 900123.";

    private static async IAsyncEnumerable<SystemRecords> FeedbackSystems()
    {
        await Task.Yield();
        yield return new SystemRecords(DataMap.Shipped.Get(SystemCatalog.Feedback), new SystemSearch("feedback", Header.GeneratedAt, "test"),
            Records(
                new PersonalRecord("feedback answer", new Dictionary<string, string?> { ["Asked"] = "2025-09-10", ["Rating"] = "4", ["Answer"] = Feedback }),
                new PersonalRecord("feedback answer", new Dictionary<string, string?> { ["Answer"] = "TOM BAKER again", ["Note"] = null })));
    }

    private static readonly string[] Terms = ["Tom Baker", "07700 900123"];

    [Fact]
    public async Task Json_WithRedaction_RemovesOtherPeoplesInformationFromEveryValue_AndSaysSo()
    {
        using var stream = new MemoryStream();
        await AccessExportWriter.WriteJsonAsync(stream, Header, FeedbackSystems(), redact: Terms);
        var json = Encoding.UTF8.GetString(stream.ToArray());
        using var doc = JsonDocument.Parse(json);

        var records = doc.RootElement.GetProperty("systems")[0].GetProperty("records");
        Assert.Equal($"Support was great; {ThirdPartyRedactor.Marker} from your team fixed the import quickly. Call him on {ThirdPartyRedactor.Marker}.",
            records[0].GetProperty("Answer").GetString());
        Assert.Equal($"{ThirdPartyRedactor.Marker} again", records[1].GetProperty("Answer").GetString());
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("Note").ValueKind);
        Assert.Equal("4", records[0].GetProperty("Rating").GetString());
        Assert.Contains("Art 15(4)", doc.RootElement.GetProperty("thirdPartyInformation").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Baker", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("900123", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_WithRedaction_RemovesOtherPeoplesInformation_AndSaysSoOnceNearTheTop()
    {
        var html = await HtmlAsync(FeedbackSystems(), Terms);

        Assert.DoesNotContain("Baker", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("900123", html, StringComparison.Ordinal);
        var shown = System.Net.WebUtility.HtmlDecode(html);
        var notice = AccessExportWriter.ThirdPartyNotice;
        var at = shown.IndexOf(notice, StringComparison.Ordinal);
        Assert.True(at >= 0, "the notice is missing");
        Assert.Equal(at, shown.LastIndexOf(notice, StringComparison.Ordinal));
        Assert.True(at < shown.IndexOf("About all of your data", StringComparison.Ordinal), "the notice is not near the top");
        Assert.Contains("Art 15(4)", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutRedaction_TheCopyIsUnchanged_AndSaysNothingWasRemoved(bool emptyList)
    {
        var html = await HtmlAsync(FeedbackSystems(), emptyList ? [] : null);
        using var stream = new MemoryStream();
        await AccessExportWriter.WriteJsonAsync(stream, Header, FeedbackSystems(), default, emptyList ? [] : null);
        var json = Encoding.UTF8.GetString(stream.ToArray());

        Assert.Contains("Tom Baker", html, StringComparison.Ordinal);
        Assert.Contains("Tom Baker", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Art 15(4)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("thirdPartyInformation", json, StringComparison.Ordinal);
    }

    private static async Task<string> HtmlAsync(IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact)
    {
        var sb = new StringBuilder();
        await using (var w = new StringWriter(sb))
        {
            await AccessExportWriter.WriteHtmlAsync(w, HtmlCopy, Header, systems, redact: redact);
        }

        return sb.ToString();
    }
}
