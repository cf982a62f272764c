using System.Text.RegularExpressions;
using System.Net;
using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using UglyToad.PdfPig;
using Xunit;

namespace JmlDsr.Domain.Tests.Export;

/// <summary>The copy a person reads, as one model (<see cref="AccessExportDocument"/>), and the PDF drawn from it.</summary>
public sealed class AccessExportDocumentTests
{
    private static readonly JmlDsr.Pages.HtmlCopyFormat HtmlCopy = new(JmlDsr.Pages.PageRenderer.For(null));

    private static readonly AccessExportHeader Header = new("DSR-2026-000007", "jane@example.com", "Jane", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), new DateOnly(2026, 11, 20));

    private static readonly PersonalRecord Login = new("cookie log-in", new Dictionary<string, string?> { ["At"] = "2026-10-02T08:14:00Z", ["IpAddress"] = "203.0.113.24", ["Browser"] = "Edge 141", ["Note"] = null });

    [Fact]
    public void Opening_NamesTheControllerAndReference_AndSaysWhatIsTrueOfAllTheData()
    {
        var blocks = AccessExportDocument.Opening(Header, redacting: false);

        Assert.Equal("Your personal data held by JML Software Solutions Ltd", Assert.IsType<TitleBlock>(blocks[0]).Text);
        Assert.Contains(blocks.OfType<ParagraphBlock>(), p => p.Text.Contains("Reference DSR-2026-000007", StringComparison.Ordinal) && p.Text.Contains("20 November 2026", StringComparison.Ordinal));
        var facts = blocks.OfType<FactsBlock>().Single().Facts.ToDictionary(f => f.Term, f => f.Value);
        Assert.Equal(["Automated decisions", "International transfers", "Your rights", "Complaints"], facts.Keys);
        Assert.Contains("Information Commissioner", facts["Complaints"], StringComparison.Ordinal);
        Assert.DoesNotContain(blocks.OfType<ParagraphBlock>(), p => p.Strong);
    }

    [Fact]
    public void Opening_WhenRedacting_SaysSoInBoldBeforeAnythingElseIsSaid()
    {
        var blocks = AccessExportDocument.Opening(Header, redacting: true).ToList();

        var notice = blocks.FindIndex(b => b is ParagraphBlock { Strong: true } p && p.Text == AccessExportWriter.ThirdPartyNotice);
        Assert.True(notice > 0);
        Assert.True(notice < blocks.FindIndex(b => b is HeadingBlock { Text: "About all of your data" }));
    }

    [Fact]
    public void ASystem_OpensWithItsArt15Information_ItsRecordsAreLabelled_AndItCloses()
    {
        var system = DataMap.Shipped.Get(SystemCatalog.WebsiteAccounts);
        var opening = AccessExportDocument.SystemOpening(system);
        Assert.Equal(system.Name, Assert.IsType<SectionStartBlock>(opening[0]).Heading);
        var facts = Assert.IsType<FactsBlock>(opening[1]).Facts.ToDictionary(f => f.Term, f => f.Value);
        Assert.Equal(["Why we use it", "Lawful basis", "Categories", "Who receives it", "How long we keep it", "Where it came from"], facts.Keys);
        Assert.Equal("No one outside JML.", facts["Who receives it"]);

        var first = AccessExportDocument.Record(system, Login, 0);
        Assert.Equal("What Website accounts and cookies holds about you", Assert.IsType<RecordsStartBlock>(first[0]).Caption);
        var row = Assert.IsType<RecordBlock>(first[1]);
        Assert.Equal("cookie log-in", row.Kind);
        Assert.Equal([new("Signed in at", "2026-10-02T08:14:00Z"), new("IP address", "203.0.113.24"), new("Browser", "Edge 141"), new ExportFact("Note", string.Empty)], row.Fields);
        Assert.IsType<RecordBlock>(Assert.Single(AccessExportDocument.Record(system, Login, 1)));

        Assert.Equal([new RecordsEndBlock(), new ParagraphBlock("Records found: 2."), new SectionEndBlock()], AccessExportDocument.SystemClosing(2));
        Assert.Equal([new ParagraphBlock("We hold no personal data about you in this system."), new SectionEndBlock()], AccessExportDocument.SystemClosing(0));
    }

    [Fact]
    public async Task TheHtmlAndThePdf_SayEverythingTheModelSays()
    {
        var html = WebUtility.HtmlDecode(await HtmlAsync(Systems(3)));
        var pdf = Squeezed(Text(Assert.Single(await PdfAsync(Systems(3)))));

        var blocks = AccessExportDocument.Opening(Header, false).ToList();
        foreach (var id in new[] { SystemCatalog.WebsiteAccounts, SystemCatalog.Crm })
        {
            var system = DataMap.Shipped.Get(id);
            blocks.AddRange(AccessExportDocument.SystemOpening(system));
            for (var i = 0; i < 3; i++)
            {
                blocks.AddRange(AccessExportDocument.Record(system, RecordAt(i), i));
            }

            blocks.AddRange(AccessExportDocument.SystemClosing(3));
        }

        foreach (var text in blocks.SelectMany(Texts))
        {
            Assert.Contains(text, html, StringComparison.Ordinal);
            Assert.Contains(Squeezed(text), pdf, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Pdf_IsSearchableText_WithHeadingsAsBookmarks_RecordValues_TheIco_AndPageNumbers()
    {
        var bytes = Assert.Single(await PdfAsync(Systems(120)));

        using var doc = PdfDocument.Open(bytes);
        Assert.True(doc.NumberOfPages > 2, $"{doc.NumberOfPages} page(s)");
        var pages = doc.GetPages().Select(Words).ToList();
        Assert.Contains("Your personal data held by JML Software Solutions Ltd", pages[0], StringComparison.Ordinal);
        Assert.Contains("Information Commissioner", pages[0], StringComparison.Ordinal);
        Assert.Contains("About all of your data", pages[0], StringComparison.Ordinal);
        Assert.Contains($"Page 1 of {doc.NumberOfPages}", pages[0], StringComparison.Ordinal);
        Assert.Contains($"Page {doc.NumberOfPages} of {doc.NumberOfPages}", pages[^1], StringComparison.Ordinal);
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {doc.NumberOfPages}", pages[i], StringComparison.Ordinal);
        }

        var all = string.Join("\n", pages);
        Assert.Contains("IP address: 203.0.113.24", all, StringComparison.Ordinal);
        Assert.Contains("Customer relationship management (CRM)", all, StringComparison.Ordinal);
        Assert.Contains("Records found: 120.", all, StringComparison.Ordinal);
        Assert.DoesNotContain("IpAddress", all, StringComparison.Ordinal);
        Assert.Equal("Your personal data — DSR-2026-000007", doc.Information.Title);
        Assert.True(doc.TryGetBookmarks(out var bookmarks));
        var titles = bookmarks.GetNodes().Select(n => n.Title).ToList();
        Assert.Contains("About all of your data", titles);
        Assert.Contains("Website accounts and cookies", titles);
        Assert.Contains("Customer relationship management (CRM)", titles);
    }

    [Fact]
    public async Task Pdf_WithRedaction_RemovesOtherPeoplesInformation_AndSaysSo()
    {
        var feedback = new PersonalRecord("feedback answer", new Dictionary<string, string?> { ["Answer"] = "Support was great; Tom Baker from your team fixed the import quickly." });
        var text = Text(Assert.Single(await PdfAsync(One(SystemCatalog.Feedback, feedback), ["Tom Baker"])));

        Assert.DoesNotContain("Baker", text, StringComparison.Ordinal);
        Assert.Contains("Your answer: Support was great;", Normalised(text), StringComparison.Ordinal);
        Assert.Contains("Art 15(4)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_LongerThanAPart_IsSplitIntoParts_EachNumberedAndSayingWhereItContinues()
    {
        var parts = await PdfAsync(Systems(150), pagesPerPart: 2);

        Assert.True(parts.Count > 2, $"{parts.Count} part(s)");
        var texts = parts.Select(p => Normalised(Text(p))).ToList();
        Assert.Contains("part 1, continued in part 2", texts[0], StringComparison.Ordinal);
        Assert.Contains("Your personal data held by JML Software Solutions Ltd — part 2", texts[1], StringComparison.Ordinal);
        Assert.Contains("This part continues from part 1", texts[1], StringComparison.Ordinal);
        Assert.DoesNotContain("continued in part", texts[^1], StringComparison.Ordinal);
        foreach (var part in parts)
        {
            using var doc = PdfDocument.Open(part);
            Assert.InRange(doc.NumberOfPages, 1, 3); // a part ends at the first record after its limit
            Assert.Contains($"Page {doc.NumberOfPages} of {doc.NumberOfPages}", Words(doc.GetPage(doc.NumberOfPages)), StringComparison.Ordinal);
        }

        // Every record is in exactly one part (each of the two systems has one "Edge i").
        var all = string.Join("\n", texts);
        for (var i = 0; i < 150; i++)
        {
            Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(all, $@"Browser: Edge {i}\b"));
        }
    }

    [Fact]
    public async Task AllThreeCopiesInOnePass_AreTheSameAsEachWrittenOnItsOwn()
    {
        using var json = new MemoryStream();
        var html = new StringBuilder();
        var pdfs = new List<MemoryStream>();
        await using (var w = new StringWriter(html))
        {
            var parts = await AccessExportWriter.WriteAllAsync(json, w, HtmlCopy, (_, _) => { var m = new MemoryStream(); pdfs.Add(m); return Task.FromResult<Stream>(m); }, Header, Systems(5));
            Assert.Equal(1, parts);
        }

        using var jsonAlone = new MemoryStream();
        await AccessExportWriter.WriteJsonAsync(jsonAlone, Header, Systems(5));
        Assert.Equal(Encoding.UTF8.GetString(jsonAlone.ToArray()), Encoding.UTF8.GetString(json.ToArray()));
        Assert.Equal(await HtmlAsync(Systems(5)), html.ToString());
        Assert.Equal(Text(Assert.Single(await PdfAsync(Systems(5)))), Text(Assert.Single(pdfs).ToArray()));
    }

    [Fact]
    public async Task Json_KeepsFieldNamesAsKeys_AndDescribesEachWithItsLabel()
    {
        using var json = new MemoryStream();
        await AccessExportWriter.WriteJsonAsync(json, Header, Systems(2));
        using var doc = JsonDocument.Parse(json.ToArray());

        var accounts = doc.RootElement.GetProperty("systems")[0];
        Assert.Equal("203.0.113.24", accounts.GetProperty("records")[0].GetProperty("IpAddress").GetString());
        var labels = accounts.GetProperty("fieldLabels");
        Assert.Equal("IP address", labels.GetProperty("IpAddress").GetString());
        Assert.Equal("Signed in at", labels.GetProperty("At").GetString());
        Assert.Equal("Note", labels.GetProperty("Note").GetString());
        Assert.Equal(4, labels.EnumerateObject().Count());
    }

    private static IEnumerable<string> Texts(ExportBlock block) => block switch
    {
        TitleBlock t => [t.Text],
        HeadingBlock h => [h.Text],
        SectionStartBlock s => [s.Heading],
        ParagraphBlock p => [p.Text],
        FactsBlock f => f.Facts.SelectMany(x => new[] { x.Term, x.Value }),
        RecordsStartBlock r => [r.Caption, r.KindHeading, r.ContentHeading],
        RecordBlock r => r.Fields.SelectMany(x => new[] { x.Term, x.Value }).Where(x => x.Length > 0).Prepend(r.Kind),
        _ => [],
    };

    [Fact]
    public async Task TheHtmlCopy_IsOneWholeDocument_WithTheSiteStylesheet_AndEveryRowInItsTable_HoweverManyThereAre()
    {
        var rows = JmlDsr.Pages.HtmlCopyFormat.Batch * 2 + 7;
        var html = await HtmlAsync(Systems(rows));

        Assert.StartsWith("<!doctype html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("</section></main></body></html>", html.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("<title>Your personal data &#x2014; DSR-2026-000007</title>", html, StringComparison.Ordinal);
        Assert.Contains("<body class=\"copy\">", html, StringComparison.Ordinal);
        Assert.Contains(JmlDsr.Pages.Stylesheet.Css, html, StringComparison.Ordinal);
        Assert.DoesNotContain(JmlDsr.Pages.HtmlCopyFormat.Hole, html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(html, "<section>"));
        Assert.Equal(2, Regex.Count(html, "</section>"));
        var tables = Regex.Matches(html, "<tbody>(.*?)</tbody></table>", RegexOptions.Singleline);
        Assert.Equal(2, tables.Count);
        Assert.All(tables, t => Assert.Equal(rows, Regex.Count(t.Groups[1].Value, "<tr>")));
        Assert.Contains($"Edge {rows - 1}", html, StringComparison.Ordinal);
    }

    /// <summary>Website accounts and CRM, each with <paramref name="n"/> log-in records.</summary>
    private static async IAsyncEnumerable<SystemRecords> Systems(int n)
    {
        foreach (var id in new[] { SystemCatalog.WebsiteAccounts, SystemCatalog.Crm })
        {
            await Task.Yield();
            yield return new SystemRecords(DataMap.Shipped.Get(id), new SystemSearch(id, Header.GeneratedAt, "test"), Records(n));
        }
    }

    private static async IAsyncEnumerable<PersonalRecord> Records(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return RecordAt(i);
        }
    }

    private static PersonalRecord RecordAt(int i) => Login with { Fields = new Dictionary<string, string?>(Login.Fields) { ["Browser"] = $"Edge {i}" } };

    private static async IAsyncEnumerable<SystemRecords> One(string id, PersonalRecord record)
    {
        await Task.Yield();
        yield return new SystemRecords(DataMap.Shipped.Get(id), new SystemSearch(id, Header.GeneratedAt, "test"), Records(record));
    }

    private static async IAsyncEnumerable<PersonalRecord> Records(PersonalRecord record)
    {
        await Task.Yield();
        yield return record;
    }

    private static async Task<string> HtmlAsync(IAsyncEnumerable<SystemRecords> systems)
    {
        var sb = new StringBuilder();
        await using (var w = new StringWriter(sb))
        {
            await AccessExportWriter.WriteHtmlAsync(w, HtmlCopy, Header, systems);
        }

        return sb.ToString();
    }

    private static async Task<List<byte[]>> PdfAsync(IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact = null, int pagesPerPart = AccessExportWriter.PdfPagesPerPart)
    {
        var parts = new List<MemoryStream>();
        var count = await AccessExportWriter.WritePdfAsync((part, _) =>
        {
            Assert.Equal(parts.Count + 1, part);
            var m = new MemoryStream();
            parts.Add(m);
            return Task.FromResult<Stream>(m);
        }, Header, systems, redact, pagesPerPart, CancellationToken.None);
        Assert.Equal(parts.Count, count);
        return parts.Select(p => p.ToArray()).ToList();
    }

    private static string Text(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Join("\n", doc.GetPages().Select(Words));
    }

    /// <summary>A page's text as a reader's search finds it: its words, in reading order, one space apart.</summary>
    private static string Words(UglyToad.PdfPig.Content.Page page) => string.Join(' ', page.GetWords().Select(w => w.Text));

    private static string Normalised(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private static string Squeezed(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", string.Empty);
}
