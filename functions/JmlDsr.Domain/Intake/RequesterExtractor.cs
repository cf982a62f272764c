using System.Net.Mail;
using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Intake;

/// <summary>The person making the request, as their message identifies them.</summary>
public sealed record Requester(string Email, string? Name, string Source)
{
    /// <summary>Why this address was chosen, for the request's timeline.</summary>
    public string Reason { get; init; } = Source;
}

/// <summary>
/// Finds who is asking. The requester is the author of the message — From, or Reply-To where the
/// author asked for answers to go elsewhere — never the SMTP envelope, which names the last relay
/// (a forward from enquiries@ keeps the customer in From). Where the message was forwarded by
/// hand from a JML mailbox, From is JML's own address, and the customer is found in the forwarded
/// block of the body.
/// </summary>
public static partial class RequesterExtractor
{
    /// <summary>The requester of an inbound email, from its facts.</summary>
    public static Requester? Extract(MailFacts facts, IReadOnlyCollection<string> internalDomains)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return Extract(facts.From, facts.ReplyTo, facts.Text, internalDomains);
    }

    /// <summary>Extracts the requester, or null when no usable author address is present.</summary>
    /// <param name="from">The raw From header value.</param>
    /// <param name="replyTo">The raw Reply-To header value, if any.</param>
    /// <param name="textBody">The plain-text body (for forwarded mail).</param>
    /// <param name="internalDomains">JML's own mail domains, e.g. jmlsoftware.co.uk.</param>
    public static Requester? Extract(string? from, string? replyTo, string? textBody, IReadOnlyCollection<string> internalDomains)
    {
        ArgumentNullException.ThrowIfNull(internalDomains);
        var author = ParseAddress(from);
        var reply = ParseAddress(replyTo);

        // The author writing from their own address is the requester; Reply-To only stands in for a
        // JML relay (a web form or shared mailbox sending on the customer's behalf).
        if (author is not null && !IsInternal(author.Address, internalDomains))
        {
            return new Requester(Normalise(author.Address), NameOrNull(author.DisplayName), "from");
        }

        if (reply is not null && !IsInternal(reply.Address, internalDomains))
        {
            return new Requester(Normalise(reply.Address), NameOrNull(reply.DisplayName), "reply-to");
        }

        // From is one of ours (or missing): a colleague forwarded the customer's message by hand.
        if (author is not null && !string.IsNullOrEmpty(textBody))
        {
            foreach (Match m in ForwardedFromLine().Matches(textBody))
            {
                var forwarded = ParseAddress(m.Groups["value"].Value);
                if (forwarded is not null && !IsInternal(forwarded.Address, internalDomains))
                {
                    return new Requester(Normalise(forwarded.Address), NameOrNull(forwarded.DisplayName), "forwarded");
                }
            }
        }

        return author is null ? null : new Requester(Normalise(author.Address), NameOrNull(author.DisplayName), "from");
    }

    /// <summary>True for a syntactically valid single mailbox address with a dotted domain.</summary>
    public static bool IsValidAddress(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 254 || email.Any(char.IsControl))
        {
            return false;
        }

        var parsed = ParseAddress(email);
        return parsed is not null
            && string.Equals(parsed.Address, email.Trim(), StringComparison.OrdinalIgnoreCase)
            && parsed.Host.Contains('.', StringComparison.Ordinal);
    }

    public static string Normalise(string email) => email.Trim().ToLowerInvariant();

    public static bool IsInternal(string address, IReadOnlyCollection<string> internalDomains)
    {
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : address[(at + 1)..];
        return internalDomains.Any(d => string.Equals(d.Trim(), domain, StringComparison.OrdinalIgnoreCase));
    }

    private static MailAddress? ParseAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // Header values can fold over lines and lists can name several mailboxes: take the first.
        // RFC 5322 unfolding: a CRLF followed by white space is removed.
        var unfolded = value.Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ').Trim();
        try
        {
            var collection = new MailAddressCollection { unfolded };
            return collection.Count > 0 ? collection[0] : null;
        }
        catch (FormatException)
        {
            var m = BareAddress().Match(unfolded);
            return m.Success && MailAddress.TryCreate(m.Value, out var bare) ? bare : null;
        }
    }

    private static string? NameOrNull(string? name)
    {
        var trimmed = name is null ? null : string.Join(' ', name.Trim().Trim('"', '\'').Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    [GeneratedRegex(@"^[ \t>*]*(From|Von|De|Fra)\s*:\s*\**\s*(?<value>[^\r\n]+)", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForwardedFromLine();

    [GeneratedRegex(@"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex BareAddress();
}
