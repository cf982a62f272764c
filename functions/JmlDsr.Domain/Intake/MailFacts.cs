namespace JmlDsr.Domain.Intake;

/// <summary>One top-level header of an inbound email: the name as written, the value unfolded and RFC 2047-decoded.</summary>
public sealed record MailHeader(string Name, string Value);

/// <summary>A message attached to an inbound email (message/rfc822): a forward "as attachment".</summary>
public sealed record AttachedMessage(string? From, string? ReplyTo, string? Subject, string? Text);

/// <summary>
/// What intake knows of an inbound email, whichever way SendGrid posted it (parsed or raw): the facts the mail triage
/// (<see cref="MailTriage"/>), sender authentication (<see cref="SenderAuthentication"/>) and requester rules
/// (<see cref="RequesterExtractor"/>) decide on. Pure data: no MimeKit, no Azure.
/// </summary>
public sealed record MailFacts
{
    /// <summary>The top-level headers in order (unfolded, decoded). Empty when the post gave none.</summary>
    public IReadOnlyList<MailHeader> Headers { get; init; } = [];

    /// <summary>The raw From header value (display name and address).</summary>
    public string? From { get; init; }

    /// <summary>The raw Reply-To header value.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The raw To header value.</summary>
    public string? To { get; init; }

    /// <summary>The raw Cc header value.</summary>
    public string? Cc { get; init; }

    /// <summary>The SMTP MAIL FROM (SendGrid's envelope "from", or Return-Path): "" for a null return path (&lt;&gt;), null when unknown.</summary>
    public string? EnvelopeFrom { get; init; }

    /// <summary>The top-level media type, lower case (e.g. "multipart/report"), null when unknown.</summary>
    public string? ContentType { get; init; }

    /// <summary>The report-type parameter of a multipart/report (e.g. "delivery-status"), lower case.</summary>
    public string? ReportType { get; init; }

    /// <summary>The text of a message/delivery-status part (a DSN's machine-readable fields), if any.</summary>
    public string? DeliveryStatus { get; init; }

    /// <summary>The subject, one line.</summary>
    public string? Subject { get; init; }

    /// <summary>The plain-text body (from the text part, else the HTML part converted to text). May be long: read a bounded prefix.</summary>
    public string? Text { get; init; }

    /// <summary>Text read from attached files (text/plain, PDF), bounded: a request letter sent only as an attachment.</summary>
    public string? AttachmentText { get; init; }

    /// <summary>Messages attached whole (message/rfc822), in order: forwards "as attachment".</summary>
    public IReadOnlyList<AttachedMessage> AttachedMessages { get; init; } = [];

    /// <summary>SendGrid's parsed-mode "SPF" field as posted (e.g. "pass"), null in raw mode.</summary>
    public string? SendGridSpf { get; init; }

    /// <summary>SendGrid's parsed-mode "dkim" field as posted (e.g. "{@example.com : pass}"), null in raw mode.</summary>
    public string? SendGridDkim { get; init; }

    /// <summary>The values of every header named <paramref name="name"/> (case-insensitive), top first.</summary>
    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The first value of the header named <paramref name="name"/>, or null.</summary>
    public string? Header(string name) => HeaderValues(name).FirstOrDefault();
}
