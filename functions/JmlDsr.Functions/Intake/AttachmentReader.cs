using System.Text;
using JmlDsr.Domain.Intake;
using MimeKit;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// Reads what intake needs from an email's attachments, bounded: the text of text/plain and PDF files (a request letter
/// sent only as an attachment), attached messages (message/rfc822, a forward "as attachment") and a DSN's
/// message/delivery-status. At most <see cref="MaxRead"/> attachments are opened, each at most
/// <see cref="MaxAttachmentBytes"/>, and the text kept stops at <see cref="MaxTextChars"/>; the rest are counted only.
/// </summary>
internal sealed class AttachmentReader
{
    /// <summary>How many attachments are opened; later ones are counted, not read.</summary>
    public const int MaxRead = 10;

    /// <summary>The largest attachment opened (a bigger PDF is not read; a bigger text file is read in part).</summary>
    public const int MaxAttachmentBytes = 4 * 1024 * 1024;

    /// <summary>The most attachment text kept, over all attachments.</summary>
    public const int MaxTextChars = 64 * 1024;

    /// <summary>PDF pages read per file.</summary>
    private const int MaxPdfPages = 20;

    private readonly StringBuilder _text = new();
    private readonly List<AttachedMessage> _messages = [];
    private int _read;

    public string? Text => _text.Length == 0 ? null : _text.ToString();

    public IReadOnlyList<AttachedMessage> Messages => _messages;

    public string? DeliveryStatus { get; private set; }

    private bool Full => _read >= MaxRead;

    /// <summary>A parsed-mode attachmentN: its bytes are read only if it is a kind intake reads, and only up to the cap.</summary>
    public async Task ReadFormFileAsync(Stream body, string? fileName, string? contentType, CancellationToken ct)
    {
        var kind = KindOf(fileName, contentType);
        if (kind == Kind.Other || Full || (kind is Kind.Text or Kind.Pdf && _text.Length >= MaxTextChars))
        {
            await body.CopyToAsync(Stream.Null, ct);
            return;
        }

        _read++;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        var truncated = false;
        for (var n = await body.ReadAsync(chunk, ct); n > 0; n = await body.ReadAsync(chunk, ct))
        {
            var keep = (int)Math.Min(n, MaxAttachmentBytes - buffer.Length);
            if (keep > 0)
            {
                buffer.Write(chunk, 0, keep);
            }

            truncated |= keep < n;
        }

        var charset = MimeKit.ContentType.TryParse(contentType ?? string.Empty, out var type) ? type.Charset : null;
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        switch (kind)
        {
            case Kind.Text:
                AppendText(MailText.Decode(bytes, charset));
                break;
            case Kind.Pdf when !truncated:
                AppendText(PdfText(buffer));
                break;
            case Kind.Message when !truncated:
                buffer.Position = 0;
                try
                {
                    AddMessage(MimeMessage.Load(InboundParser.MimeOptions, buffer, persistent: false, ct));
                }
                catch (FormatException)
                {
                    // Not a message after all: nothing to read.
                }

                break;
            case Kind.DeliveryStatus:
                DeliveryStatus ??= MailText.Cap(MailText.Decode(bytes, charset), MaxTextChars);
                break;
        }
    }

    /// <summary>A raw-mode attachment or non-text part.</summary>
    public void AddPart(MimePart part)
    {
        var kind = KindOf(part.FileName, part.ContentType.MimeType);
        if (kind == Kind.Other || Full || part.Content is null)
        {
            return;
        }

        if (kind == Kind.DeliveryStatus)
        {
            DeliveryStatus ??= MimeBody.ReadText(part, MaxTextChars);
            return;
        }

        if (kind == Kind.Message)
        {
            _read++;
            using var content = MimeBody.ReadBytes(part, MaxAttachmentBytes, out var cut);
            if (!cut)
            {
                try
                {
                    AddMessage(MimeMessage.Load(InboundParser.MimeOptions, content, persistent: false));
                }
                catch (FormatException)
                {
                }
            }

            return;
        }

        if (_text.Length >= MaxTextChars)
        {
            return;
        }

        _read++;
        if (kind == Kind.Text)
        {
            AppendText(MimeBody.ReadText(part, MaxTextChars));
            return;
        }

        using var pdf = MimeBody.ReadBytes(part, MaxAttachmentBytes, out var truncated);
        if (!truncated)
        {
            AppendText(PdfText(pdf));
        }
    }

    /// <summary>An attached message: its sender, subject and text (its own attachments are not followed).</summary>
    public void AddMessage(MimeMessage? message)
    {
        if (message is null || _messages.Count >= MaxRead)
        {
            return;
        }

        string? text = null;
        MimePart? html = null;
        var walked = 0;
        var stack = new Stack<MimeEntity>();
        if (message.Body is not null)
        {
            stack.Push(message.Body);
        }

        while (stack.Count > 0 && text is null && walked++ < 500)
        {
            switch (stack.Pop())
            {
                case Multipart multipart:
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        stack.Push(multipart[i]);
                    }

                    break;
                case MimePart part when !part.IsAttachment && part.ContentType.IsMimeType("text", "plain"):
                    text = MimeBody.ReadText(part, MaxTextChars);
                    break;
                case MimePart part when !part.IsAttachment && part.ContentType.IsMimeType("text", "html"):
                    html ??= part;
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(text) && html is not null)
        {
            text = MimeBody.ReadHtmlAsText(html, MaxTextChars);
        }

        _messages.Add(new AttachedMessage(
            message.Headers[HeaderId.From],
            message.Headers[HeaderId.ReplyTo],
            message.Subject,
            text));
    }

    private void AppendText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        if (_text.Length > 0)
        {
            _text.Append("\n\n");
        }

        _text.Append(text.Trim());
        if (_text.Length > MaxTextChars)
        {
            _text.Length = MaxTextChars;
        }

    }

    /// <summary>The text of a PDF's first pages, or null when it cannot be read (encrypted, damaged, not a PDF).</summary>
    private static string? PdfText(MemoryStream pdf)
    {
        try
        {
            using var document = PdfDocument.Open(pdf.ToArray(), new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            var text = new StringBuilder();
            var pages = 0;
            foreach (var page in document.GetPages())
            {
                if (++pages > MaxPdfPages || text.Length >= MaxTextChars)
                {
                    break;
                }

                text.AppendLine(ContentOrderTextExtractor.GetText(page));
            }

            return MailText.Cap(text.ToString(), MaxTextChars);
        }
#pragma warning disable CA1031 // A PDF from a stranger can fail in any of the reader's ways; the email is read without it.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private enum Kind
    {
        Other,
        Text,
        Pdf,
        Message,
        DeliveryStatus,
    }

    private static Kind KindOf(string? fileName, string? contentType)
    {
        var type = (contentType ?? string.Empty).Split(';', 2)[0].Trim().ToLowerInvariant();
        var extension = Path.GetExtension(fileName ?? string.Empty).ToLowerInvariant();
        return type switch
        {
            "text/plain" => Kind.Text,
            "application/pdf" or "application/x-pdf" => Kind.Pdf,
            "message/rfc822" => Kind.Message,
            "message/delivery-status" or "message/global-delivery-status" => Kind.DeliveryStatus,
            _ => extension switch
            {
                ".txt" => Kind.Text,
                ".pdf" => Kind.Pdf,
                ".eml" => Kind.Message,
                _ => Kind.Other,
            },
        };
    }
}

/// <summary>Bounded reading of one MIME part's decoded content.</summary>
internal static class MimeBody
{
    /// <summary>The part's text (its charset, read leniently), at most <paramref name="maxChars"/>.</summary>
    public static string? ReadText(MimePart part, int maxChars)
    {
        using var bytes = ReadBytes(part, Math.Min(maxChars * 4, InboundParser.MaxTextBytes), out _);
        var span = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        return MailText.Cap(MailText.Decode(span, part.ContentType.Charset), maxChars);
    }

    /// <summary>An HTML part as plain text.</summary>
    public static string ReadHtmlAsText(MimePart part, int maxChars)
    {
        using var bytes = ReadBytes(part, InboundParser.MaxHtmlBytes, out _);
        var encoding = MailText.Choose(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), part.ContentType.Charset);
        using var reader = new StreamReader(bytes, encoding, detectEncodingFromByteOrderMarks: false);
        return HtmlText.ToPlainText(reader, maxChars);
    }

    /// <summary>Up to <paramref name="limit"/> decoded bytes of the part; <paramref name="truncated"/> says there was more.</summary>
    public static MemoryStream ReadBytes(MimePart part, int limit, out bool truncated)
    {
        var buffer = new MemoryStream();
        truncated = false;
        if (part.Content is null)
        {
            return buffer;
        }

        using var decoded = part.Content.Open();
        var chunk = new byte[81920];
        for (var n = decoded.Read(chunk, 0, chunk.Length); n > 0; n = decoded.Read(chunk, 0, chunk.Length))
        {
            var keep = (int)Math.Min(n, limit - buffer.Length);
            if (keep < n)
            {
                truncated = true;
                if (keep > 0)
                {
                    buffer.Write(chunk, 0, keep);
                }

                break;
            }

            buffer.Write(chunk, 0, n);
        }

        buffer.Position = 0;
        return buffer;
    }
}
