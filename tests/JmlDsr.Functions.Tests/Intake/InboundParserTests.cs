using System.Text;
using JmlDsr.Functions.Intake;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit;

namespace JmlDsr.Functions.Tests.Intake;

public sealed class InboundParserTests
{
    private const string Letter = "Dear JML, under Article 15 UK GDPR please send me a copy of all the personal data you hold about me. Alice Smith";

    static InboundParserTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    // ---- parsed mode: a real post ----

    [Fact]
    public async Task RealSendGridParsedPost_GivesFieldsHeadersEnvelopeAndVerdicts()
    {
        var email = await InboundParser.ParseAsync(RealPost(), "multipart/form-data; boundary=xYzZY");

        Assert.Equal("parsed", email.Mode);
        Assert.Equal("asender <asender@gmail.example>", email.From);
        Assert.Equal("Test email subject…advice", email.Subject);
        Assert.Equal("Test email body…advice", email.Text?.Trim());
        Assert.Equal("256304d3-3be0-4ec0-91a0-ef12f7c3463c@gmail.example", email.MessageId);
        Assert.Equal(0, email.AttachmentCount);

        var facts = email.Facts;
        Assert.Equal("pass", facts.SendGridSpf);
        Assert.Equal("{@gmail.com : pass}", facts.SendGridDkim);
        Assert.Equal("advice@example.co.uk", facts.EnvelopeFrom); // the forwarder: SendGrid's envelope, not the author
        Assert.Equal("text/plain", facts.ContentType);
        Assert.Equal("advice@example.co.uk", facts.To);
        Assert.Equal(3, facts.HeaderValues("Received").Count());
        Assert.Equal("<asender@gmail.example>", facts.Header("return-path"));
        Assert.Equal("NO", facts.Header("X-Spam-Flag"));
        Assert.DoesNotContain(facts.Headers, h => h.Value.Contains('\n', StringComparison.Ordinal));
    }

    [Fact]
    public async Task ParsedPost_NullReturnPathInEnvelope_IsEmptyEnvelopeFrom()
    {
        var post = new Post().Field("from", "MAILER-DAEMON@mx.example.net").Field("text", "bounce").Field("envelope", "{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":null}");
        var email = await post.ParseAsync();
        Assert.Equal(string.Empty, email.Facts.EnvelopeFrom);
    }

    // ---- charsets ----

    public static TheoryData<string, string> Charsets() => new()
    {
        { "windows-1252", "Café — naïve “quotes” £5 €" },
        { "iso-8859-1", "Grüße aus Köln, Ærø" },
        { "ISO-8859-1", "Señor Muñoz" },
        { "cp850", "Bjørn Ångström ü" },
        { "utf-8", "Zoë Ørsted ✓ 日本" },
        { "iso-2022-jp", "個人データの開示請求" },
    };

    [Theory]
    [MemberData(nameof(Charsets))]
    public async Task ParsedFields_AreDecodedWithTheCharsetSendGridNames(string charset, string text)
    {
        var encoding = Encoding.GetEncoding(charset == "cp850" ? "ibm850" : charset);
        var post = new Post()
            .Field("from", "Alice <alice@example.com>")
            .Field("subject", encoding.GetBytes("Re: " + text))
            .Field("text", encoding.GetBytes(text))
            .Field("charsets", $"{{\"to\":\"UTF-8\",\"html\":\"{charset}\",\"subject\":\"{charset}\",\"from\":\"UTF-8\",\"text\":\"{charset}\"}}");

        var email = await post.ParseAsync();

        Assert.Equal(text, email.Text);
        Assert.Equal("Re: " + text, email.Subject);
    }

    [Fact]
    public async Task BytesThatDoNotFitTheNamedCharset_AreReadLeniently_NotRefused()
    {
        // "Café" in windows-1252, labelled UTF-8 (real mailers do this), and bytes that fit nothing.
        var post = new Post()
            .Field("from", "Alice <alice@example.com>")
            .Field("subject", [0x43, 0x61, 0x66, 0xE9])
            .Field("text", [0x53, 0x41, 0x52, 0xC3, 0x28, 0xFF])
            .Field("charsets", "{\"subject\":\"UTF-8\",\"text\":\"UTF-8\",\"from\":\"x-unknown-charset\"}");

        var email = await post.ParseAsync();

        Assert.Equal("Café", email.Subject);
        Assert.StartsWith("SAR", email.Text, StringComparison.Ordinal);
        Assert.Equal("Alice <alice@example.com>", email.From);
    }

    [Fact]
    public async Task HtmlField_IsDecodedWithItsCharset()
    {
        var post = new Post()
            .Field("from", "alice@example.com")
            .Field("html", Encoding.Latin1.GetBytes("<p>Caf\u00e9 request</p>"))
            .Field("charsets", "{\"to\":\"UTF-8\",\"html\":\"iso-8859-1\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"iso-8859-1\"}");
        Assert.Equal("Café request", (await post.ParseAsync()).Text);
    }

    // ---- encoded words ----

    [Fact]
    public async Task EncodedWordSubjectAndFromName_AreDecoded_InBothModes()
    {
        var parsed = await new Post()
            .Field("headers", "From: =?iso-8859-1?Q?Jos=E9_M=FCller?= <jose@example.com>\r\nReply-To: =?utf-8?B?w4lsb2RpZQ==?= <elodie@example.com>\r\nSubject: =?utf-8?B?RGVtYW5kZSBk4oCZYWNjw6hz?=\r\n")
            .Field("text", "Please send my data.")
            .ParseAsync();
        Assert.Equal("José Müller <jose@example.com>", parsed.From);
        Assert.Equal("Élodie <elodie@example.com>", parsed.ReplyTo);
        Assert.Equal("Demande d’accès", parsed.Subject);
        Assert.Equal("Demande d’accès", parsed.Facts.Header("Subject"));

        var raw = await Raw("From: =?iso-8859-1?Q?Jos=E9_M=FCller?= <jose@example.com>\r\nSubject: =?utf-8?Q?Subject_access_request_=E2=80=93_?= =?utf-8?Q?J=C3=B6rg?=\r\nMessage-Id: <a@b>\r\n\r\nBody\r\n");
        Assert.Contains("José Müller", raw.From, StringComparison.Ordinal);
        Assert.Equal("Subject access request – Jörg", raw.Subject);
    }

    [Fact]
    public async Task MalformedEncodedWords_AreReadAsFarAsTheyGo()
    {
        var raw = await Raw("From: =?utf-8?Q?Ren=C3=A9?= <rene@example.com>\r\nSubject: =?utf-8?B?U3ViamVjdCBhY2Nlc3M=?=request =?bogus?X?abc?= =?utf-8?Q?unterminated\r\n\r\nBody\r\n");
        Assert.Contains("René", raw.From, StringComparison.Ordinal);
        Assert.StartsWith("Subject access", raw.Subject, StringComparison.Ordinal);
    }

    // ---- HTML only ----

    [Fact]
    public async Task HtmlOnlyMail_BecomesText_WithoutScriptOrStyle_InBothModes()
    {
        const string html = "<html><head><style>p{color:red}</style><script>var x = '<p>not this</p>';</script></head><body><p>I would like a copy of my personal data.</p><div>Account&nbsp;no. 123 &amp; &#8220;more&#8221;</div>line<br>two</body></html>";
        var parsed = await new Post().Field("from", "alice@example.com").Field("html", html).ParseAsync();
        var raw = await Raw($"From: alice@example.com\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n");

        foreach (var email in new[] { parsed, raw })
        {
            Assert.Contains("I would like a copy of my personal data.", email.Text, StringComparison.Ordinal);
            Assert.Contains("Account\u00a0no. 123 & “more”", email.Text, StringComparison.Ordinal);
            Assert.Contains("line\ntwo", email.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("not this", email.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("color", email.Text, StringComparison.Ordinal);
        }
    }

    // ---- attachments ----

    [Fact]
    public async Task LetterOnlyInATxtAttachment_IsRead_InBothModes()
    {
        var parsed = await new Post()
            .Field("from", "alice@example.com")
            .Field("subject", "Letter attached")
            .Field("attachments", "1")
            .Field("attachment-info", "{\"attachment1\":{\"filename\":\"letter.txt\",\"name\":\"letter.txt\",\"type\":\"text/plain\",\"content-id\":\"f_1\"}}")
            .File("attachment1", "letter.txt", "text/plain; charset=windows-1252", Encoding.GetEncoding(1252).GetBytes(Letter + " – café"))
            .ParseAsync();
        Assert.Equal(1, parsed.AttachmentCount);
        Assert.Contains(Letter + " – café", parsed.Facts.AttachmentText, StringComparison.Ordinal);

        var raw = await Raw(Mixed("Letter attached", ("text/plain; name=letter.txt", "attachment; filename=letter.txt", "base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(Letter)))));
        Assert.Equal(1, raw.AttachmentCount);
        Assert.Contains(Letter, raw.Facts.AttachmentText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LetterOnlyInAPdfAttachment_IsRead_InBothModes()
    {
        var pdf = MakePdf("Subject access request", "Please send me a copy of my personal data.");

        // attachment-info after the file, as SendGrid may order it: the section's own Content-Type decides.
        var parsed = await new Post()
            .Field("from", "alice@example.com")
            .Field("attachments", "1")
            .File("attachment1", "SAR.pdf", "application/pdf", pdf)
            .Field("attachment-info", "{\"attachment1\":{\"filename\":\"SAR.pdf\",\"name\":\"SAR.pdf\",\"type\":\"application/pdf\"}}")
            .ParseAsync();
        Assert.Contains("Please send me a copy of my personal data.", parsed.Facts.AttachmentText, StringComparison.Ordinal);

        var raw = await Raw(Mixed("See attached", ("application/pdf; name=SAR.pdf", "attachment; filename=SAR.pdf", "base64", Convert.ToBase64String(pdf, Base64FormattingOptions.InsertLineBreaks))));
        Assert.Contains("Subject access request", raw.Facts.AttachmentText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABrokenPdf_IsSkipped_NotFatal()
    {
        var email = await new Post().Field("from", "alice@example.com").Field("text", "see pdf")
            .File("attachment1", "broken.pdf", "application/pdf", "%PDF-1.7\n garbage \n%%EOF"u8.ToArray()).ParseAsync();
        Assert.Null(email.Facts.AttachmentText);
        Assert.Equal(1, email.AttachmentCount);
    }

    [Fact]
    public async Task AttachedMessage_GivesItsSenderSubjectAndText_InBothModes()
    {
        const string inner = "From: Bob Jones <bob@example.org>\r\nReply-To: bob.home@example.org\r\nSubject: My access request\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease send me my personal data.\r\n";
        var raw = await Raw(Mixed("Fwd: My access request", ("message/rfc822", "attachment; filename=forward.eml", "7bit", inner)));
        var attached = Assert.Single(raw.Facts.AttachedMessages);
        Assert.Equal("Bob Jones <bob@example.org>", attached.From);
        Assert.Equal("bob.home@example.org", attached.ReplyTo);
        Assert.Equal("My access request", attached.Subject);
        Assert.Contains("Please send me my personal data.", attached.Text, StringComparison.Ordinal);

        var parsed = await new Post().Field("from", "helpdesk@example.com").Field("text", "Forwarding.")
            .File("attachment1", "forward.eml", "message/rfc822", Encoding.UTF8.GetBytes(inner)).ParseAsync();
        Assert.Equal("My access request", Assert.Single(parsed.Facts.AttachedMessages).Subject);
    }

    [Fact]
    public async Task AttachmentsPastTheLimit_AreCountedButNotRead()
    {
        var post = new Post().Field("from", "alice@example.com").Field("text", "many");
        for (var i = 1; i <= 15; i++)
        {
            post.File($"attachment{i}", $"note{i}.txt", "text/plain", Encoding.UTF8.GetBytes($"note number {i}"));
        }

        var email = await post.ParseAsync();
        Assert.Equal(15, email.AttachmentCount);
        Assert.Contains("note number 10", email.Facts.AttachmentText, StringComparison.Ordinal);
        Assert.DoesNotContain("note number 11", email.Facts.AttachmentText, StringComparison.Ordinal);
    }

    // ---- raw mode: encodings, bare LF, reports ----

    [Fact]
    public async Task BareLfRawMessage_WithQuotedPrintableBody_IsRead()
    {
        var email = await Raw("From: Alice Smith <alice@example.com>\nTo: privacy@jmlsoftware.co.uk\nSubject: SAR\nMessage-Id: <lf@example.com>\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nPlease send me my data, caf=E9 au lait.=\n Thanks\n");
        Assert.Equal("\"Alice Smith\" <alice@example.com>", email.From); // MimeKit's mailbox form, as before
        Assert.Equal("SAR", email.Subject);
        Assert.Equal("lf@example.com", email.MessageId);
        Assert.Contains("café au lait. Thanks", email.Text, StringComparison.Ordinal);
        Assert.Equal("Alice Smith <alice@example.com>", email.Facts.From);
        Assert.Equal("privacy@jmlsoftware.co.uk", email.Facts.To);
    }

    [Fact]
    public async Task Base64Body_IsDecoded()
    {
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("Erase my account please — Zoë"), Base64FormattingOptions.InsertLineBreaks);
        var email = await Raw($"From: zoe@example.com\r\nSubject: Erasure\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\nCc: dpo@example.com\r\n\r\n{body}\r\n");
        Assert.Equal("Erase my account please — Zoë", email.Text?.Trim());
        Assert.Equal("dpo@example.com", email.Facts.Cc);
    }

    [Fact]
    public async Task DeliveryStatusNotification_LandsInFacts()
    {
        const string dsn = "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\nTo: privacy@jmlsoftware.co.uk\r\nSubject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"\r\n\r\n" +
            "--dsn\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered.\r\n" +
            "--dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
            "--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: privacy@jmlsoftware.co.uk\r\nSubject: We have received your request\r\n" +
            "--dsn--\r\n";
        var email = await Raw(dsn);

        Assert.Equal("multipart/report", email.Facts.ContentType);
        Assert.Equal("delivery-status", email.Facts.ReportType);
        Assert.Contains("Action: failed", email.Facts.DeliveryStatus, StringComparison.Ordinal);
        Assert.Contains("Status: 5.1.1", email.Facts.DeliveryStatus, StringComparison.Ordinal);
        Assert.Equal(string.Empty, email.Facts.EnvelopeFrom);
        Assert.Equal("auto-replied", email.Facts.Header("auto-submitted"));
        Assert.Contains("could not be delivered", email.Text, StringComparison.Ordinal);
        Assert.Null(email.Facts.SendGridSpf);
    }

    [Fact]
    public async Task ParsedPostWithoutReturnPath_TakesTheEnvelope_AndRawTakesReturnPath()
    {
        var raw = await new Post()
            .Field("email", "Return-Path: <bounce@relay.example.net>\r\nFrom: alice@example.com\r\nSubject: x\r\n\r\nbody\r\n")
            .Field("envelope", "{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":\"other@relay.example.net\"}")
            .ParseAsync();
        Assert.Equal("raw", raw.Mode);
        Assert.Equal("bounce@relay.example.net", raw.Facts.EnvelopeFrom);
    }

    // ---- refusals that stay ----

    [Fact]
    public async Task HeaderInjectionInAParsedField_IsRefused()
    {
        var post = new Post().Field("from", "alice@example.com").Field("subject", "Access\r\nBcc: x@example.net");
        await Assert.ThrowsAsync<InboundFormatException>(() => post.ParseAsync());
    }

    [Fact]
    public async Task NotMultipart_IsRefused() =>
        await Assert.ThrowsAsync<InboundFormatException>(() => InboundParser.ParseAsync("{}"u8.ToArray(), "application/json"));

    [Fact]
    public async Task DedupeKey_IsTheSameFromTheBytesOrTheirHash()
    {
        var post = new Post().Field("from", "alice@example.com").Field("text", "no message id");
        var bytes = post.Bytes();
        var email = await InboundParser.ParseAsync(bytes, Post.ContentType);
        var sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();
        Assert.Equal(InboundParser.DedupeKey(email, bytes), InboundParser.DedupeKey(email, sha));
    }

    // ---- hostile input completes, bounded ----

    [Fact]
    public async Task FiveMegabytesOfScript_HtmlOnly_Completes()
    {
        var html = new StringBuilder(5 * 1024 * 1024 + 100);
        while (html.Length < 5 * 1024 * 1024)
        {
            html.Append("<script>");
        }

        html.Append("</script><p>Please send my data.</p>");
        var email = await new Post().Field("from", "alice@example.com").Field("html", html.ToString()).ParseAsync();
        Assert.True((email.Text?.Length ?? 0) <= MailText.MaxTextChars);
    }

    [Fact]
    public async Task FiveMegabytesOfLessThan_HtmlOnly_Completes()
    {
        var email = await new Post().Field("from", "alice@example.com").Field("html", new string('<', 5 * 1024 * 1024)).ParseAsync();
        Assert.True((email.Text?.Length ?? 0) <= MailText.MaxTextChars);
    }

    [Fact]
    public async Task TwentyFiveMegabytesOfQuotedReferences_IsCappedText()
    {
        var text = new StringBuilder(25 * 1024 * 1024 + 16);
        while (text.Length < 25 * 1024 * 1024)
        {
            text.Append("DSR-2026-000123 ");
        }

        var email = await new Post().Field("from", "alice@example.com").Field("text", text.ToString()).ParseAsync();
        Assert.Equal(MailText.MaxTextChars, email.Text!.Length);
        Assert.StartsWith("DSR-2026-000123 DSR-2026-000123", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeeplyNestedMime_Completes()
    {
        var mime = new StringBuilder("From: alice@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
        const int depth = 300;
        for (var i = 0; i < depth; i++)
        {
            mime.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }

        mime.Append("Content-Type: text/plain\r\n\r\nPlease send my data.\r\n");
        for (var i = depth - 1; i >= 0; i--)
        {
            mime.Append(System.Globalization.CultureInfo.InvariantCulture, $"--b{i}--\r\n");
        }

        var email = await Raw(mime.ToString());
        Assert.Equal("nested", email.Subject);
    }

    [Fact]
    public async Task FiveHundredAttachments_Complete_InBothModes()
    {
        var post = new Post().Field("from", "alice@example.com").Field("text", "many files").Field("attachments", "500");
        var parts = new List<(string, string, string, string)>();
        for (var i = 1; i <= 500; i++)
        {
            post.File($"attachment{i}", $"f{i}.txt", "text/plain", Encoding.UTF8.GetBytes($"file {i}"));
            parts.Add(("text/plain", $"attachment; filename=f{i}.txt", "base64", Convert.ToBase64String(Encoding.UTF8.GetBytes($"file {i}"))));
        }

        Assert.Equal(500, (await post.ParseAsync()).AttachmentCount);
        Assert.Equal(500, (await Raw(Mixed("many", [.. parts]))).AttachmentCount);
    }

    [Fact]
    public async Task ALargeRawMessage_IsParsedFromItsSpool()
    {
        // Past the in-memory spool: the raw message is parsed from a temporary file.
        var filler = Convert.ToBase64String(new byte[6 * 1024 * 1024], Base64FormattingOptions.InsertLineBreaks);
        var email = await Raw(Mixed("big", ("application/octet-stream", "attachment; filename=zeros.bin", "base64", filler)));
        Assert.Equal("big", email.Subject);
        Assert.Equal(1, email.AttachmentCount);
        Assert.Equal("Body text.", email.Text?.Trim());
    }

    // ---- helpers ----

    private static byte[] RealPost()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Intake", "Payloads", "sendgrid-parsed-forwarded-gmail.txt"));
        return Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"));
    }

    private static Task<InboundEmail> Raw(string mime) => new Post().Field("to", "privacy@jmlsoftware.co.uk").Field("email", mime).ParseAsync();

    private static string Mixed(string subject, params (string Type, string Disposition, string Encoding, string Content)[] attachments)
    {
        var mime = new StringBuilder($"From: Alice Smith <alice@example.com>\r\nTo: privacy@jmlsoftware.co.uk\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mixed\"\r\n\r\n--mixed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody text.\r\n");
        foreach (var (type, disposition, encoding, content) in attachments)
        {
            mime.Append(System.Globalization.CultureInfo.InvariantCulture, $"--mixed\r\nContent-Type: {type}\r\nContent-Disposition: {disposition}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{content}\r\n");
        }

        return mime.Append("--mixed--\r\n").ToString();
    }

    private static byte[] MakePdf(params string[] lines)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 750.0;
        foreach (var line in lines)
        {
            page.AddText(line, 12, new PdfPoint(50, y), font);
            y -= 20;
        }

        return builder.Build();
    }

    /// <summary>A multipart/form-data post as SendGrid Inbound Parse sends it (boundary xYzZY, fields without a Content-Type).</summary>
    private sealed class Post
    {
        private readonly List<byte> _body = [];

        public static string ContentType => "multipart/form-data; boundary=xYzZY";

        public Post Field(string name, string value) => Field(name, Encoding.UTF8.GetBytes(value));

        public Post Field(string name, byte[] value)
        {
            Write($"--xYzZY\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n");
            _body.AddRange(value);
            Write("\r\n");
            return this;
        }

        public Post File(string name, string fileName, string contentType, byte[] value)
        {
            Write($"--xYzZY\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\nContent-Type: {contentType}\r\n\r\n");
            _body.AddRange(value);
            Write("\r\n");
            return this;
        }

        public byte[] Bytes() => [.. _body, .. "--xYzZY--\r\n"u8];

        public Task<InboundEmail> ParseAsync() => InboundParser.ParseAsync(Bytes(), ContentType);

        private void Write(string s) => _body.AddRange(Encoding.ASCII.GetBytes(s));
    }
}
