using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Intake;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using MimeKit;
using MimeKit.Utils;

namespace JmlDsr.Functions.Intake;

/// <summary>The parts of an inbound email intake needs, whichever way SendGrid posted it; <see cref="Facts"/> has the rest.</summary>
public sealed record InboundEmail(
    string? From,
    string? ReplyTo,
    string? To,
    string? Subject,
    string? Text,
    string? MessageId,
    string Mode,
    int AttachmentCount)
{
    /// <summary>Everything intake read of the email, for triage, sender authentication and the requester rules.</summary>
    public required MailFacts Facts { get; init; }
}

/// <summary>The post could not be read as a SendGrid Inbound Parse payload.</summary>
public sealed class InboundFormatException(string message) : Exception(message);

/// <summary>
/// Reads a SendGrid Inbound Parse post: multipart/form-data in parsed mode (fields headers, from, to, cc, subject, text,
/// html, envelope, charsets, dkim, SPF, attachments, attachment-info, attachmentN) or raw mode (the whole MIME message
/// in "email", parsed with MimeKit). Bounded whatever the post holds: each field is read up to its own cap and the rest
/// skipped, the text kept is capped (<see cref="MailText.MaxTextChars"/>), at most <see cref="AttachmentReader.MaxRead"/>
/// attachments are read, and a raw MIME message is spooled (memory up to <see cref="MemorySpoolBytes"/>, then a
/// temporary file) and parsed in place (persistent), so its parts are never copied into memory whole.
/// Memory per post, whatever its size: the fields kept (headers 1 MiB, text 1 MiB, HTML 6 MiB, nine small fields of at
/// most 256 KiB), HTML tokenized from its buffer (one script token can be as long as the HTML read: up to 12 MiB of
/// characters), one attachment at a time (4 MiB, twice while PdfPig reads it), a raw message's 4 MiB spool; about
/// 35 MiB at worst, a few hundred KiB for ordinary mail. The text returned is capped at 256 K characters.
/// </summary>
public static class InboundParser
{
    /// <summary>The most a single multipart section may be (a raw message or attachment; SendGrid caps a message at 30 MB).</summary>
    private const long MaxSectionBytes = 40L * 1024 * 1024;

    /// <summary>How much of the "headers" field is read.</summary>
    public const int MaxHeaderBytes = 1024 * 1024;

    /// <summary>How much of the "text" field is read (the text kept is capped again in characters).</summary>
    public const int MaxTextBytes = 1024 * 1024;

    /// <summary>How much of an HTML body is read: room for a mail whose letter follows megabytes of markup.</summary>
    public const int MaxHtmlBytes = 6 * 1024 * 1024;

    /// <summary>How much of any other field (from, subject, envelope, charsets, attachment-info…) is read.</summary>
    public const int MaxSmallFieldBytes = 256 * 1024;

    /// <summary>A raw MIME message up to this size is parsed from memory; a larger one from a temporary file.</summary>
    public const int MemorySpoolBytes = 4 * 1024 * 1024;

    /// <summary>How many MIME levels the parser follows; deeper multiparts are read as opaque leaves.</summary>
    public const int MaxMimeDepth = 32;

    /// <summary>How many MIME entities of a raw message are looked at (counting goes on; reading stops).</summary>
    private const int MaxEntitiesWalked = 5000;

    private const int MaxHeaders = 1000;

    /// <summary>The fields read (each once, up to its cap): what is kept of a post is bounded whatever it holds.</summary>
    private static readonly HashSet<string> KeptFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "headers", "from", "to", "cc", "subject", "text", "html", "envelope", "charsets", "dkim", "SPF", "attachment-info",
    };

    internal static readonly ParserOptions MimeOptions = new() { MaxMimeDepth = MaxMimeDepth, RespectContentLength = false };

    static InboundParser() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static async Task<InboundEmail> ParseAsync(byte[] body, string? contentType, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var stream = new MemoryStream(body, writable: false);
        return await ParseAsync(stream, contentType, ct);
    }

    /// <summary>Parses a post read sequentially from <paramref name="body"/> (it need not be seekable).</summary>
    public static async Task<InboundEmail> ParseAsync(Stream body, string? contentType, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new InboundFormatException("Content-Type must be multipart/form-data (SendGrid Inbound Parse).");
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw new InboundFormatException("The multipart boundary is missing or too long.");
        }

        var fields = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        var attachments = new AttachmentReader();
        var files = 0;
        Spool? rawMime = null;
        try
        {
            var reader = new MultipartReader(boundary, body) { BodyLengthLimit = MaxSectionBytes };
            for (var section = await reader.ReadNextSectionAsync(ct); section is not null; section = await reader.ReadNextSectionAsync(ct))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data"))
                {
                    await section.Body.CopyToAsync(Stream.Null, ct);
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
                {
                    files++;
                    var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    var info = AttachmentInfo(fields, name);
                    await attachments.ReadFormFileAsync(section.Body, info.FileName ?? fileName, info.Type ?? section.ContentType, ct);
                    continue;
                }

                if (name.Equals("email", StringComparison.OrdinalIgnoreCase))
                {
                    rawMime?.Dispose();
                    rawMime = await Spool.CopyAsync(section.Body, MemorySpoolBytes, ct);
                    continue;
                }

                if (!KeptFields.Contains(name))
                {
                    // sender_ip, spam_score, attachments, content-ids…: not needed, not kept.
                    await section.Body.CopyToAsync(Stream.Null, ct);
                    continue;
                }

                var limit = name.ToLowerInvariant() switch
                {
                    "headers" => MaxHeaderBytes,
                    "text" => MaxTextBytes,
                    "html" => MaxHtmlBytes,
                    _ => MaxSmallFieldBytes,
                };
                fields[name] = await ReadBoundedAsync(section.Body, limit, ct);
            }
        }
        catch (IOException e)
        {
            rawMime?.Dispose();
            throw new InboundFormatException($"The multipart body is malformed: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            rawMime?.Dispose();
            throw new InboundFormatException($"The multipart body is malformed: {e.Message}");
        }

        if (rawMime is not null)
        {
            using (rawMime)
            {
                return ParseRaw(rawMime.Stream, files, fields, attachments, ct);
            }
        }

        if (fields.Count == 0)
        {
            throw new InboundFormatException("The multipart body has no form fields: wrong boundary or a truncated post.");
        }

        return ParseFields(fields, files, attachments);
    }

    /// <summary>The key that identifies one email across SendGrid's retries: its Message-Id, else the post's hash.</summary>
    public static string DedupeKey(InboundEmail email, RawPost raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return DedupeKey(email, raw.Sha256);
    }

    /// <summary>The key that identifies one email across SendGrid's retries: its Message-Id, else the body's hash.</summary>
    public static string DedupeKey(InboundEmail email, byte[] raw) => DedupeKey(email, Convert.ToHexString(SHA256.HashData(raw)).ToLowerInvariant());

    /// <summary>The key that identifies one email across SendGrid's retries: its Message-Id, else the post's SHA-256 (hex).</summary>
    public static string DedupeKey(InboundEmail email, string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(sha256Hex);
        var basis = email.MessageId is { Length: > 0 } id ? "mid:" + id : "sha:" + sha256Hex.ToUpperInvariant();
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(basis))).ToLowerInvariant();
    }

    private static InboundEmail ParseFields(Dictionary<string, byte[]> fields, int files, AttachmentReader attachments)
    {
        var charsets = ReadCharsets(fields);
        string? Field(string name) => fields.TryGetValue(name, out var bytes) ? MailText.Decode(bytes, charsets.GetValueOrDefault(name)) : null;

        HeaderList? headers = null;
        if (fields.TryGetValue("headers", out var headerBytes))
        {
            try
            {
                using var stream = new MemoryStream(headerBytes, writable: false);
                headers = HeaderList.Load(MimeOptions, stream, CancellationToken.None);
            }
            catch (FormatException)
            {
                headers = null;
            }
        }

        var from = Field("from") ?? headers?[HeaderId.From];
        var subjectField = Field("subject");
        var toField = Field("to");
        foreach (var (name, value) in new[] { ("from", from), ("subject", subjectField), ("to", toField) })
        {
            // SendGrid gives header fields unfolded, on one line: a line break is an injection attempt.
            if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new InboundFormatException($"The field '{name}' contains a line break (header injection).");
            }
        }

        var text = MailText.Cap(Field("text"), MailText.MaxTextChars);
        if (string.IsNullOrWhiteSpace(text) && fields.TryGetValue("html", out var html))
        {
            using var reader = new StreamReader(new MemoryStream(html, writable: false), MailText.Choose(html, charsets.GetValueOrDefault("html")), detectEncodingFromByteOrderMarks: false);
            text = HtmlText.ToPlainText(reader);
        }

        ContentType? type = null;
        if (headers?[HeaderId.ContentType] is { } typeHeader && ContentType.TryParse(MimeOptions, Encoding.UTF8.GetBytes(typeHeader), out var parsedType))
        {
            type = parsedType;
        }

        var subject = CleanSubject(subjectField ?? headers?[HeaderId.Subject]);
        var facts = new MailFacts
        {
            Headers = HeadersOf(headers),
            From = DecodeWords(from),
            ReplyTo = DecodeWords(headers?[HeaderId.ReplyTo]),
            To = DecodeWords(toField ?? headers?[HeaderId.To]),
            Cc = DecodeWords(Field("cc") ?? headers?[HeaderId.Cc]),
            EnvelopeFrom = EnvelopeFrom(Field("envelope")) ?? ReturnPath(headers?[HeaderId.ReturnPath]),
            ContentType = type?.MimeType.ToLowerInvariant(),
            ReportType = ReportTypeOf(type),
            DeliveryStatus = attachments.DeliveryStatus,
            Subject = subject,
            Text = text,
            AttachmentText = attachments.Text,
            AttachedMessages = attachments.Messages,
            SendGridSpf = Field("SPF")?.Trim(),
            SendGridDkim = Field("dkim")?.Trim(),
        };

        return new InboundEmail(facts.From, facts.ReplyTo, facts.To, subject, text, NormaliseMessageId(headers?[HeaderId.MessageId]), "parsed", files)
        {
            Facts = facts,
        };
    }

    private static InboundEmail ParseRaw(Stream raw, int files, Dictionary<string, byte[]> fields, AttachmentReader attachments, CancellationToken ct)
    {
        MimeMessage message;
        try
        {
            // Persistent: parts stay ranges of the spooled stream, so a large message is not copied into memory.
            message = MimeMessage.Load(MimeOptions, raw, persistent: true, ct);
        }
        catch (FormatException e)
        {
            throw new InboundFormatException($"The raw email could not be parsed: {e.Message}");
        }

        var count = files;
        string? deliveryStatus = null;
        MimePart? textPart = null;
        MimePart? htmlPart = null;
        var walked = 0;
        var stack = new Stack<MimeEntity>();
        if (message.Body is not null)
        {
            stack.Push(message.Body);
        }

        while (stack.Count > 0)
        {
            var entity = stack.Pop();
            walked++;
            switch (entity)
            {
                case Multipart multipart:
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        stack.Push(multipart[i]);
                    }

                    break;
                case MessagePart attached:
                    count++;
                    if (walked <= MaxEntitiesWalked)
                    {
                        attachments.AddMessage(attached.Message);
                    }

                    break;
                case MessageDeliveryStatus status:
                    deliveryStatus ??= MimeBody.ReadText(status, AttachmentReader.MaxTextChars);
                    break;
                case MimePart part when !part.IsAttachment && part.ContentType.IsMimeType("text", "plain") && textPart is null:
                    textPart = part;
                    break;
                case MimePart part when !part.IsAttachment && part.ContentType.IsMimeType("text", "html") && htmlPart is null:
                    htmlPart = part;
                    break;
                case MimePart part when part.IsAttachment || !part.ContentType.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase):
                    count++;
                    if (walked <= MaxEntitiesWalked)
                    {
                        attachments.AddPart(part);
                    }

                    break;
            }
        }

        var text = textPart is not null ? MimeBody.ReadText(textPart, MailText.MaxTextChars) : null;
        if (string.IsNullOrWhiteSpace(text) && htmlPart is not null)
        {
            text = MimeBody.ReadHtmlAsText(htmlPart, MailText.MaxTextChars);
        }

        var type = message.Body?.ContentType;
        var subject = CleanSubject(message.Subject);
        var charsets = ReadCharsets(fields);
        var facts = new MailFacts
        {
            Headers = HeadersOf(message.Headers),
            From = message.Headers[HeaderId.From],
            ReplyTo = message.Headers[HeaderId.ReplyTo],
            To = message.Headers[HeaderId.To],
            Cc = message.Headers[HeaderId.Cc],
            EnvelopeFrom = ReturnPath(message.Headers[HeaderId.ReturnPath])
                ?? (fields.TryGetValue("envelope", out var envelope) ? EnvelopeFrom(MailText.Decode(envelope, charsets.GetValueOrDefault("envelope"))) : null),
            ContentType = type?.MimeType.ToLowerInvariant(),
            ReportType = ReportTypeOf(type),
            DeliveryStatus = deliveryStatus ?? attachments.DeliveryStatus,
            Subject = subject,
            Text = text,
            AttachmentText = attachments.Text,
            AttachedMessages = attachments.Messages,
        };

        return new InboundEmail(
            message.From.Count > 0 ? message.From[0].ToString() : null,
            message.ReplyTo.Count > 0 ? message.ReplyTo[0].ToString() : null,
            message.To.ToString(),
            subject,
            text,
            NormaliseMessageId(message.MessageId),
            "raw",
            count)
        {
            Facts = facts,
        };
    }

    private static List<MailHeader> HeadersOf(HeaderList? headers)
    {
        var list = new List<MailHeader>();
        if (headers is null)
        {
            return list;
        }

        foreach (var header in headers)
        {
            if (list.Count >= MaxHeaders)
            {
                break;
            }

            list.Add(new MailHeader(header.Field, header.Value?.Trim() ?? string.Empty));
        }

        return list;
    }

    private static string? ReportTypeOf(ContentType? type) =>
        type is not null && type.IsMimeType("multipart", "report") && type.Parameters.TryGetValue("report-type", out string? reportType) && reportType is not null
            ? reportType.Trim().ToLowerInvariant()
            : null;

    /// <summary>SendGrid's envelope JSON's "from": "" for a null return path, null when there is no envelope.</summary>
    private static string? EnvelopeFrom(string? envelope)
    {
        if (string.IsNullOrWhiteSpace(envelope))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(envelope);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("from", out var from))
            {
                return null;
            }

            return from.ValueKind == JsonValueKind.String ? ReturnPath(from.GetString()) ?? string.Empty : string.Empty;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A Return-Path or MAIL FROM without its angle brackets: "" for the null return path &lt;&gt;.</summary>
    private static string? ReturnPath(string? value) => value?.Trim().Trim('<', '>').Trim();

    /// <summary>SendGrid's attachment-info entry for one attachmentN field (filename and type), when it came first.</summary>
    private static (string? FileName, string? Type) AttachmentInfo(Dictionary<string, byte[]> fields, string name)
    {
        if (!fields.TryGetValue("attachment-info", out var bytes))
        {
            return (null, null);
        }

        try
        {
            using var json = JsonDocument.Parse(bytes);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var entry) && entry.ValueKind == JsonValueKind.Object)
            {
                string? Get(string key) => entry.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                return (Get("filename") ?? Get("name"), Get("type"));
            }
        }
        catch (JsonException)
        {
        }

        return (null, null);
    }

    private static Dictionary<string, string> ReadCharsets(Dictionary<string, byte[]> fields)
    {
        var charsets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!fields.TryGetValue("charsets", out var bytes))
        {
            return charsets;
        }

        try
        {
            using var json = JsonDocument.Parse(bytes);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in json.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        charsets[property.Name] = property.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return charsets;
    }

    /// <summary>The first <paramref name="limit"/> bytes of a section; the rest is read past, not kept.</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream section, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await section.ReadAsync(chunk, ct);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            var keep = (int)Math.Min(read, limit - buffer.Length);
            if (keep > 0)
            {
                buffer.Write(chunk, 0, keep);
            }
        }
    }

    private static string? DecodeWords(string? value) =>
        string.IsNullOrWhiteSpace(value) ? value : Rfc2047.DecodeText(MimeOptions, Encoding.UTF8.GetBytes(value));

    /// <summary>One line, no control characters: a subject can carry header-injection attempts.</summary>
    private static string? CleanSubject(string? subject)
    {
        if (subject is null)
        {
            return null;
        }

        var decoded = subject.Contains("=?", StringComparison.Ordinal) ? DecodeWords(subject)! : subject;
        var cleaned = new string(decoded.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return cleaned.Length > 500 ? cleaned[..500] : cleaned;
    }

    private static string? NormaliseMessageId(string? id)
    {
        var trimmed = id?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.ToLowerInvariant();
    }
}
