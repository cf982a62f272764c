using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Export;

public sealed class AccessExportWriterTests
{
    private static readonly AccessExportHeader Header = new("DSR-2026-000007", "jane@example.com", "Jane", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), new DateOnly(2026, 11, 20));

    private static async IAsyncEnumerable<SystemRecords> Systems()
    {
        await Task.Yield();
        yield return new SystemRecords(SystemCatalog.Get(SystemCatalog.Crm), new SystemSearch("crm", Header.GeneratedAt, "test"),
            Records(new PersonalRecord("contact", new Dictionary<string, string?> { ["Name"] = "Jane <b>Doe</b>", ["Phone"] = "01632 960000" })));
        yield return new SystemRecords(SystemCatalog.Get(SystemCatalog.Feedback), new SystemSearch("feedback", Header.GeneratedAt, "test"), Records());
    }

    private static async IAsyncEnumerable<PersonalRecord> Records(params PersonalRecord[] records)
    {
        foreach (var r in records)
        {
            await Task.Yield();
            yield return r;
        }
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
            await AccessExportWriter.WriteHtmlAsync(w, Header, Systems());
        }

        var html = sb.ToString();
        foreach (var part in new[] { "Why we use it", "Who receives it", "How long we keep it", "Where it came from", "Automated decisions", "Information Commissioner", "rectify", "object" })
        {
            Assert.Contains(part, html, StringComparison.Ordinal);
        }

        Assert.Contains("Jane &lt;b&gt;Doe&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("We hold no personal data about you in this system.", html, StringComparison.Ordinal);
    }
}
