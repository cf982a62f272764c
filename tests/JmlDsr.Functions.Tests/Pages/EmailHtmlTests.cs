using System.Net;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Pages;
using Xunit;

namespace JmlDsr.Functions.Tests.Pages;

/// <summary>The HTML part of our emails, as a mail client shows it: drawn from the same body as the text part, every value encoded.</summary>
public sealed class EmailHtmlTests
{
    private const string Ref = "DSR-2026-000042";

    private static readonly PageRenderer Renderer = PageRenderer.For(null);

    [Fact]
    public async Task What_the_requester_typed_is_encoded()
    {
        var mail = EmailComposer.Acknowledgement("a@example.com", "<script>alert(1)</script>", Ref, RequestType.Access, new DateOnly(2026, 11, 24), new DateOnly(2026, 12, 24));

        var html = await EmailHtml.RenderAsync(Renderer, mail.Body);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<p>Dear &lt;script&gt;alert(1)&lt;/script&gt;,</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_html_says_what_the_text_says_with_the_links_as_buttons_in_the_same_order()
    {
        var mail = EmailComposer.AccessFulfilled("a@example.com", "Alice", Ref,
            new EmailLink("Your personal data as a PDF document", "https://x/api/exports?token=t&format=pdf"),
            new EmailLink("Open your personal data in a web browser", "https://x/api/exports?token=t"),
            new DateTimeOffset(2026, 12, 24, 9, 0, 0, TimeSpan.Zero), [new SystemSummary("crm", "CRM", 2, true, null)]);

        var html = await EmailHtml.RenderAsync(Renderer, mail.Body);

        Assert.StartsWith("<!doctype html>", html, StringComparison.OrdinalIgnoreCase);
        var pdf = html.IndexOf("href=\"https://x/api/exports?token=t&amp;format=pdf\"", StringComparison.Ordinal);
        var page = html.IndexOf("href=\"https://x/api/exports?token=t\"", StringComparison.Ordinal);
        Assert.True(pdf > 0 && page > pdf, "the PDF link comes first, then the page");
        Assert.Contains(">Your personal data as a PDF document</a>", html, StringComparison.Ordinal);
        var shown = WebUtility.HtmlDecode(html);
        foreach (var paragraph in mail.Body.Paragraphs)
        {
            Assert.Contains(paragraph, shown, StringComparison.Ordinal);
        }

        Assert.Contains(Ref, shown, StringComparison.Ordinal);
        Assert.Contains("Information Commissioner", shown, StringComparison.Ordinal);
        Assert.Contains("<p>Privacy team, JML Software Solutions Ltd</p>", html, StringComparison.Ordinal);
    }
}
