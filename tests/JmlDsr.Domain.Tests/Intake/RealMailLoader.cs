using System.Text;
using JmlDsr.Domain.Intake;
using MimeKit;

namespace JmlDsr.Domain.Tests.Intake;

/// <summary>Loads a .eml sample with MimeKit into <see cref="MailFacts"/>, the way raw-mode intake would see it.</summary>
internal static class RealMailLoader
{
    public static MailFacts Load(string path)
    {
        using var stream = File.OpenRead(path);
        var message = MimeMessage.Load(stream);
        return ToFacts(message);
    }

    public static MailFacts ToFacts(MimeMessage message)
    {
        var headers = message.Headers.Select(h => new MailHeader(h.Field, Unfold(h.Value))).ToList();
        var returnPath = message.Headers[HeaderId.ReturnPath];
        string? envelope = null;
        if (returnPath is not null)
        {
            var trimmed = returnPath.Trim();
            envelope = trimmed.Replace(" ", "", StringComparison.Ordinal) == "<>" ? "" : trimmed.Trim('<', '>');
        }

        var deliveryStatus = message.BodyParts.OfType<MessageDeliveryStatus>().FirstOrDefault();
        var attached = message.BodyParts.OfType<MessagePart>()
            .Where(p => p.Message is not null)
            .Select(p => new AttachedMessage(p.Message!.Headers[HeaderId.From], p.Message.Headers[HeaderId.ReplyTo], p.Message.Subject, p.Message.TextBody))
            .ToList();

        return new MailFacts
        {
            Headers = headers,
            From = message.Headers[HeaderId.From],
            ReplyTo = message.Headers[HeaderId.ReplyTo],
            To = message.Headers[HeaderId.To],
            Cc = message.Headers[HeaderId.Cc],
            EnvelopeFrom = envelope,
            ContentType = message.Body?.ContentType.MimeType.ToLowerInvariant(),
            ReportType = (message.Body as MultipartReport)?.ReportType?.ToLowerInvariant(),
            DeliveryStatus = deliveryStatus is null ? null : PartText(deliveryStatus),
            Subject = message.Subject,
            Text = message.TextBody ?? StripHtml(message.HtmlBody),
            AttachedMessages = attached,
        };
    }

    private static string Unfold(string value) => value.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();

    private static string PartText(MimePart part)
    {
        using var ms = new MemoryStream();
        part.Content?.DecodeTo(ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Crude HTML to text: drop tags, decode a few entities. Enough for the triage's phrase checks.</summary>
    internal static string? StripHtml(string? html)
    {
        if (html is null)
        {
            return null;
        }

        var sb = new StringBuilder(html.Length);
        var inTag = false;
        foreach (var c in html)
        {
            if (c == '<')
            {
                inTag = true;
            }
            else if (c == '>')
            {
                inTag = false;
                sb.Append(' ');
            }
            else if (!inTag)
            {
                sb.Append(c);
            }
        }

        return sb.ToString().Replace("&nbsp;", " ", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal)
            .Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal)
            .Replace("&#39;", "'", StringComparison.Ordinal).Replace("&quot;", "\"", StringComparison.Ordinal);
    }
}
