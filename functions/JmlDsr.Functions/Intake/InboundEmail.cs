using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using MimeKit;
using MimeKit.Utils;
using JmlDsr.Domain.Intake;

namespace JmlDsr.Functions.Intake;

/// <summary>The parts of an inbound email intake needs, whichever way SendGrid posted it.</summary>
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
    /// <summary>Everything intake decides on (headers, envelope, authentication fields, attachments).</summary>
    public MailFacts Facts { get; init; } = new();
}

/// <summary>The post could not be read as a SendGrid Inbound Parse payload.</summary>
public sealed class InboundFormatException(string message) : Exception(message);

/// <summary>
/// Reads a SendGrid Inbound Parse post: multipart/form-data in parsed mode (fields headers, from, to,
/// subject, text, html, envelope, charsets, attachments...) or raw mode (the whole MIME message in
/// "email"). Field bytes are decoded with the charsets SendGrid names; the envelope is ignored on
/// purpose (it names the relay, not the author).
/// </summary>
public static class InboundParser
{
    private const int MaxFieldBytes = 30 * 1024 * 1024;

    static InboundParser() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static async Task<InboundEmail> ParseAsync(byte[] body, string? contentType, CancellationToken ct = default)
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
        var files = 0;
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false)) { BodyLengthLimit = MaxFieldBytes };
            for (var section = await reader.ReadNextSectionAsync(ct); section is not null; section = await reader.ReadNextSectionAsync(ct))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data"))
                {
                    continue;
                }

                if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
                {
                    files++;
                    await section.Body.CopyToAsync(Stream.Null, ct);
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                using var buffer = new MemoryStream();
                await section.Body.CopyToAsync(buffer, ct);
                fields[name] = buffer.ToArray();
            }
        }
        catch (IOException e)
        {
            throw new InboundFormatException($"The multipart body is malformed: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new InboundFormatException($"The multipart body is malformed: {e.Message}");
        }

        if (fields.Count == 0)
        {
            throw new InboundFormatException("The multipart body has no form fields: wrong boundary or a truncated post.");
        }

        if (fields.TryGetValue("email", out var rawMime))
        {
            return ParseRaw(rawMime, files);
        }

        var charsets = ReadCharsets(fields);
        string? Field(string name) => fields.TryGetValue(name, out var bytes) ? Decode(name, bytes, charsets.GetValueOrDefault(name)) : null;

        HeaderList? headers = null;
        if (fields.TryGetValue("headers", out var headerBytes))
        {
            try
            {
                headers = HeaderList.Load(new MemoryStream(headerBytes), CancellationToken.None);
            }
            catch (FormatException)
            {
                headers = null;
            }
        }

        var from = Field("from") ?? headers?[HeaderId.From];
        foreach (var (name, value) in new[] { ("from", from), ("subject", Field("subject")), ("to", Field("to")) })
        {
            // SendGrid gives header fields unfolded, on one line: a line break is an injection attempt.
            if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new InboundFormatException($"The field '{name}' contains a line break (header injection).");
            }
        }

        var text = Field("text");
        if (string.IsNullOrWhiteSpace(text) && Field("html") is { } html)
        {
            text = HtmlText.ToPlainText(html);
        }

        return new InboundEmail(
            DecodeWords(from),
            DecodeWords(headers?[HeaderId.ReplyTo]),
            DecodeWords(Field("to")),
            CleanSubject(Field("subject") ?? DecodeWords(headers?[HeaderId.Subject])),
            text,
            NormaliseMessageId(headers?[HeaderId.MessageId]),
            "parsed",
            files)
        {
            Facts = new MailFacts
            {
                Headers = headers is null ? [] : headers.Select(h => new MailHeader(h.Field, h.Value.Trim())).ToList(),
                From = DecodeWords(from),
                ReplyTo = DecodeWords(headers?[HeaderId.ReplyTo]),
                To = DecodeWords(Field("to")),
                Subject = CleanSubject(Field("subject") ?? DecodeWords(headers?[HeaderId.Subject])),
                Text = text,
                SendGridSpf = Field("SPF"),
                SendGridDkim = Field("dkim"),
            },
        };
    }

    /// <summary>The key that identifies one email across SendGrid's retries: its Message-Id, else the body's hash.</summary>
    public static string DedupeKey(InboundEmail email, byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(email);
        var basis = email.MessageId is { Length: > 0 } id ? "mid:" + id : "sha:" + Convert.ToHexString(SHA256.HashData(raw));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(basis))).ToLowerInvariant();
    }

    private static InboundEmail ParseRaw(byte[] raw, int files)
    {
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(new MemoryStream(raw));
        }
        catch (FormatException e)
        {
            throw new InboundFormatException($"The raw email could not be parsed: {e.Message}");
        }

        var text = message.TextBody;
        if (string.IsNullOrWhiteSpace(text) && message.HtmlBody is { } html)
        {
            text = HtmlText.ToPlainText(html);
        }

        return new InboundEmail(
            message.From.Count > 0 ? message.From[0].ToString() : null,
            message.ReplyTo.Count > 0 ? message.ReplyTo[0].ToString() : null,
            message.To.ToString(),
            CleanSubject(message.Subject),
            text,
            NormaliseMessageId(message.MessageId),
            "raw",
            files + message.Attachments.Count())
        {
            Facts = new MailFacts
            {
                Headers = message.Headers.Select(h => new MailHeader(h.Field, h.Value.Trim())).ToList(),
                From = message.From.Count > 0 ? message.From[0].ToString() : null,
                ReplyTo = message.ReplyTo.Count > 0 ? message.ReplyTo[0].ToString() : null,
                To = message.To.ToString(),
                Subject = CleanSubject(message.Subject),
                Text = text,
            },
        };
    }

    private static Dictionary<string, string> ReadCharsets(Dictionary<string, byte[]> fields)
    {
        if (!fields.TryGetValue("charsets", out var bytes))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(bytes) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Decode(string field, byte[] bytes, string? charset)
    {
        Encoding encoding;
        try
        {
            encoding = string.IsNullOrWhiteSpace(charset) ? StrictUtf8 : Encoding.GetEncoding(charset.Trim());
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            encoding = StrictUtf8;
        }

        if (encoding.CodePage == Encoding.UTF8.CodePage)
        {
            encoding = StrictUtf8;
        }

        try
        {
            return encoding.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // SendGrid names each field's charset; bytes that do not fit it are not SendGrid's post.
            throw new InboundFormatException($"The field '{field}' is not valid {encoding.WebName}.");
        }
    }

    private static string? DecodeWords(string? value) =>
        string.IsNullOrWhiteSpace(value) ? value : Rfc2047.DecodeText(Encoding.UTF8.GetBytes(value));

    /// <summary>One line, no control characters: a subject can carry header-injection attempts.</summary>
    private static string? CleanSubject(string? subject)
    {
        if (subject is null)
        {
            return null;
        }

        var cleaned = new string(subject.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return cleaned.Length > 500 ? cleaned[..500] : cleaned;
    }

    private static string? NormaliseMessageId(string? id)
    {
        var trimmed = id?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.ToLowerInvariant();
    }
}

/// <summary>Good-enough HTML to text for classifying a message that came only as HTML.</summary>
internal static partial class HtmlText
{
    public static string ToPlainText(string html)
    {
        var noScripts = ScriptOrStyle().Replace(html, " ");
        var withBreaks = Breaks().Replace(noScripts, "\n");
        var noTags = Tags().Replace(withBreaks, " ");
        return System.Net.WebUtility.HtmlDecode(noTags);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"<(script|style)[^>]*>.*?</\1>", System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ScriptOrStyle();

    [System.Text.RegularExpressions.GeneratedRegex(@"<(br|/p|/div|/li|/tr)[^>]*>", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex Breaks();

    [System.Text.RegularExpressions.GeneratedRegex(@"<[^>]+>")]
    private static partial System.Text.RegularExpressions.Regex Tags();
}
