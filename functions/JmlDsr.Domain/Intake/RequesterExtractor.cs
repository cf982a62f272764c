using System.Collections.Frozen;
using System.Net.Mail;

namespace JmlDsr.Domain.Intake;

/// <summary>The person making the request, as their message identifies them.</summary>
/// <param name="Email">The address, normalised (trimmed, lower case).</param>
/// <param name="Name">The display name, if the message gave one.</param>
/// <param name="Source">Where the address came from: "from", "reply-to", "forwarded" (a forwarded block of the body) or "attached" (a message/rfc822 attachment).</param>
public sealed record Requester(string Email, string? Name, string Source)
{
    /// <summary>A short sentence for the request's timeline saying why this address was chosen.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>
    /// The internal address whose mail carried the forwarded block or attached message, when <see cref="Source"/> is
    /// "forwarded" or "attached"; null otherwise. Intake trusts the forwarded person only when this mail authenticated.
    /// </summary>
    public string? ForwardedBy { get; init; }

    /// <summary>True when a JML address forwarded the requester's message (inline or as an attachment).</summary>
    public bool ForwardedByInternal => ForwardedBy is not null;

    /// <summary>
    /// False when no external person could be found and the address is the internal author or a no-reply/relay
    /// address: intake sets such a request aside for staff rather than answering it.
    /// </summary>
    public bool IsPerson { get; init; } = true;
}

/// <summary>
/// Finds who is asking. The requester is the author of the message — From — never the SMTP envelope, which names the
/// last relay. The rules, in order:
/// <list type="number">
/// <item>From, unless From is a no-reply or relay address (a web-form service, a mailing list's "Name via Group"
/// rewrite, or an internal relay) and Reply-To names a person: then Reply-To. A no-reply Reply-To is ignored.</item>
/// <item>From at an internal domain with no usable Reply-To: a colleague forwarded the customer's message by hand, and
/// the customer is the From of the forwarded block in the body (Gmail, Outlook, Apple Mail, Thunderbird, Yahoo and
/// others, in many languages). Only a From line inside a forwarded header block counts, never a "From:" in prose.</item>
/// <item>Otherwise a message forwarded as an attachment (message/rfc822): its From, or its Reply-To by rule 1.</item>
/// <item>Otherwise the internal author, marked <see cref="Requester.IsPerson"/> false.</item>
/// </list>
/// Nested forwards: the first external From walking down the chain of forwards is the requester, not the deepest.
/// Walking down, internal Froms are colleagues passing the message on; the first external author is the person who
/// wrote to JML. Anything deeper is what that person quoted or forwarded to JML — often a third party (an agency that
/// shared their details, a message they received) — and is evidence, not the requester.
/// The body is sender-controlled and may be megabytes: only a bounded prefix is read, with plain string scanning (no
/// regular expressions), and address parsing never throws.
/// </summary>
public static class RequesterExtractor
{
    /// <summary>How much of a body is scanned for a forwarded block: forwards put their headers near the top.</summary>
    public const int ScanLimit = 64 * 1024;

    private const int MaxHeaderLength = 2_000;
    private const int MaxLineLength = 1_000;
    private const int MaxAttachedMessages = 10;

    /// <summary>Extracts the requester from a From / Reply-To / body triple (see <see cref="Extract(MailFacts, IReadOnlyCollection{string})"/>).</summary>
    /// <param name="from">The raw From header value.</param>
    /// <param name="replyTo">The raw Reply-To header value, if any.</param>
    /// <param name="textBody">The plain-text body (for forwarded mail).</param>
    /// <param name="internalDomains">JML's own mail domains, e.g. jmlsoftware.co.uk.</param>
    public static Requester? Extract(string? from, string? replyTo, string? textBody, IReadOnlyCollection<string> internalDomains) =>
        Extract(new MailFacts { From = from, ReplyTo = replyTo, Text = textBody }, internalDomains);

    /// <summary>Extracts the requester, or null when the message has no usable address at all.</summary>
    /// <param name="facts">What intake knows of the inbound email.</param>
    /// <param name="internalDomains">JML's own mail domains, e.g. jmlsoftware.co.uk.</param>
    public static Requester? Extract(MailFacts facts, IReadOnlyCollection<string> internalDomains)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(internalDomains);

        var author = ParseHeaderAddress(facts.From);
        var reply = ParseHeaderAddress(facts.ReplyTo);
        var person = IsPersonalReplyTo(reply, internalDomains) ? reply : null;

        if (author is null)
        {
            return person is null
                ? null
                : Chosen(person, "reply-to", $"Reply-To {person.Email}: the message has no usable From");
        }

        if (!IsInternal(author.Email, internalDomains))
        {
            if (!IsNoReplyOrRelay(author))
            {
                return Chosen(author, "from", $"From {author.Email}: the author of the message");
            }

            return person is not null
                ? Chosen(person, "reply-to", $"Reply-To {person.Email}: From {author.Email} is a no-reply/relay address")
                : Chosen(author, "from", $"From {author.Email}: a no-reply/relay address, and no Reply-To names a person") with { IsPerson = false };
        }

        // From is one of ours. A Reply-To outside JML is the customer an internal relay (web form, shared mailbox) wrote for.
        if (person is not null)
        {
            return Chosen(person, "reply-to", $"Reply-To {person.Email}: From {author.Email} is an internal relay");
        }

        // A colleague forwarded the customer's message by hand: inline first (an inline forward's own attachments may
        // include messages the customer attached), then as an attachment.
        if (FindForwarded(facts.Text, facts.Subject, internalDomains) is { } inline)
        {
            return Chosen(inline.Address, "forwarded", $"forwarded by {author.Email}: the original sender in the forwarded block ({inline.Format})")
                with { ForwardedBy = author.Email };
        }

        foreach (var attached in facts.AttachedMessages.Take(MaxAttachedMessages))
        {
            if (FromAttached(attached, internalDomains) is { } found)
            {
                return Chosen(found.Address, "attached", $"forwarded as an attachment by {author.Email}: {found.Format} of the attached message")
                    with { ForwardedBy = author.Email };
            }
        }

        return Chosen(author, "from", $"From {author.Email}: an internal address, and no external person was found in the message")
            with { IsPerson = false };
    }

    /// <summary>True for a syntactically valid single mailbox address with a dotted domain.</summary>
    public static bool IsValidAddress(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 254 || email.Any(char.IsControl))
        {
            return false;
        }

        return MailAddress.TryCreate(email.Trim(), out var parsed)
            && string.Equals(parsed.Address, email.Trim(), StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrEmpty(parsed.DisplayName)
            && parsed.Host.Contains('.', StringComparison.Ordinal);
    }

    public static string Normalise(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().ToLowerInvariant();
    }

    public static bool IsInternal(string address, IReadOnlyCollection<string> internalDomains)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(internalDomains);
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : address[(at + 1)..];
        return internalDomains.Any(d => string.Equals(d.Trim(), domain, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// True for an address that sends on someone else's behalf or takes no replies: no-reply and system mailboxes
    /// (noreply, mailer-daemon, notifications, wordpress, www-data…), web-form services (Formspree, Jotform, Typeform,
    /// Wufoo, Google and Microsoft Forms, HubSpot, Squarespace, Wix, Netlify, Web3Forms) and mailing-list rewrites
    /// ("Jane via Group" &lt;group@googlegroups.com&gt;).
    /// </summary>
    public static bool IsNoReplyOrRelay(string? address, string? displayName = null)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return false;
        }

        var at = address.LastIndexOf('@');
        var local = (at < 0 ? address : address[..at]).Trim().ToLowerInvariant();
        var domain = at < 0 ? string.Empty : address[(at + 1)..].Trim().ToLowerInvariant();
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            local = local[..plus];
        }

        var squashed = local.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).Replace(".", string.Empty, StringComparison.Ordinal);
        if (squashed.Contains("noreply", StringComparison.Ordinal) || squashed.Contains("donotreply", StringComparison.Ordinal)
            || squashed.StartsWith("bounce", StringComparison.Ordinal) || RelayLocalParts.Contains(local) || RelayLocalParts.Contains(squashed))
        {
            return true;
        }

        foreach (var relay in RelayDomains)
        {
            if (domain == relay || domain.EndsWith("." + relay, StringComparison.Ordinal))
            {
                return true;
            }
        }

        // Google Groups and Mailman rewrite a DMARC-strict sender as "'Jane Doe' via Group <group@…>".
        return displayName is not null && displayName.Contains(" via ", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsNoReplyOrRelay(Found address) => IsNoReplyOrRelay(address.Email, address.Name);

    private static bool IsPersonalReplyTo(Found? reply, IReadOnlyCollection<string> internalDomains) =>
        reply is not null
        && !IsInternal(reply.Email, internalDomains)
        && !IsNoReplyOrRelay(reply.Email);

    private static Requester Chosen(Found address, string source, string reason) =>
        new(address.Email, address.Name, source) { Reason = reason };

    /// <summary>The person of an attached message: its From, or its Reply-To where From is a relay, or its own forwarded block.</summary>
    private static (Found Address, string Format)? FromAttached(AttachedMessage attached, IReadOnlyCollection<string> internalDomains)
    {
        var from = ParseHeaderAddress(attached.From);
        var reply = ParseHeaderAddress(attached.ReplyTo);
        var person = IsPersonalReplyTo(reply, internalDomains) ? reply : null;
        if (from is not null && !IsInternal(from.Email, internalDomains) && !IsNoReplyOrRelay(from))
        {
            return (from, "the From");
        }

        if (person is not null)
        {
            return (person, "the Reply-To");
        }

        return FindForwarded(attached.Text, attached.Subject, internalDomains) is { } inner
            ? (inner.Address, $"the original sender in the forwarded block ({inner.Format})")
            : null;
    }

    // ---- Forwarded blocks -----------------------------------------------------------------------------------------

    private enum Field { None, From, Date, To, Subject, Cc, ReplyTo }

    /// <summary>
    /// The first external author of a forwarded header block in the first <see cref="ScanLimit"/> characters of
    /// <paramref name="text"/>. A header block is a run of "Label: value" lines in any of the supported languages; it
    /// counts when it has a From line and either follows a forward marker ("---------- Forwarded message ---------",
    /// "Begin forwarded message:", an Outlook rule of underscores…) or also has at least two of Sent/Date, To, Cc and
    /// Subject (Outlook puts no marker above its block). Failing that, an attribution line ("On …, Jane &lt;jane@…&gt;
    /// wrote:") counts only when the subject says the message is a forward (Outlook for Mac forwards that way; in a
    /// reply the same line names the person replied to).
    /// </summary>
    private static (Found Address, string Format)? FindForwarded(string? text, string? subject, IReadOnlyCollection<string> internalDomains)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var prefix = text.Length > ScanLimit ? text[..ScanLimit] : text;
        var block = new HeaderBlock();
        string? marker = null;
        (Found, string)? attribution = null;

        foreach (var rawLine in Lines(prefix))
        {
            var line = StripQuoting(rawLine.Length > MaxLineLength ? rawLine[..MaxLineLength] : rawLine);
            if (line.Length == 0)
            {
                // A blank line ends a header block, but not the wait after a marker (Apple Mail puts one between).
                if (Close(ref block, internalDomains) is { } found)
                {
                    return found;
                }

                continue;
            }

            if (MarkerFormat(line, out var rest) is { } format)
            {
                if (Close(ref block, internalDomains) is { } found)
                {
                    return found;
                }

                marker = format;
                if (rest.Length == 0)
                {
                    continue;
                }

                line = rest; // Yahoo runs the header block on after the marker, on the same line.
            }

            if (TryHeaderLine(line, out var field, out var value))
            {
                if (!block.Open)
                {
                    block = new HeaderBlock { Open = true, Marker = marker };
                    marker = null;
                }

                block.Add(field, value);
                continue;
            }

            if (block.Open && block.Continuations == 0 && block.Fields != 0)
            {
                block.Continuations++; // one wrapped line (a long To list) does not end the block
                continue;
            }

            if (Close(ref block, internalDomains) is { } closed)
            {
                return closed;
            }

            marker = null;
            if (attribution is null && IsForwardSubject(subject) && Attribution(line) is { } quoted && !IsInternal(quoted.Email, internalDomains))
            {
                attribution = (quoted, "a quoted attribution line");
            }
        }

        return Close(ref block, internalDomains) ?? attribution;
    }

    private static (Found Address, string Format)? Close(ref HeaderBlock block, IReadOnlyCollection<string> internalDomains)
    {
        var closed = block;
        block = new HeaderBlock();
        if (!closed.Open || closed.From is null)
        {
            return null;
        }

        var others = 0;
        foreach (var f in new[] { Field.Date, Field.To, Field.Subject, Field.Cc })
        {
            others += (closed.Fields & (1 << (int)f)) != 0 ? 1 : 0;
        }

        if (closed.Marker is null && others < 2)
        {
            return null;
        }

        // Rule 1 inside the block: a forwarded web-form notification names its person in Reply-To.
        var address = IsNoReplyOrRelay(closed.From) && IsPersonalReplyTo(closed.ReplyTo, internalDomains) ? closed.ReplyTo! : closed.From;
        return IsInternal(address.Email, internalDomains) ? null : (address, closed.Marker ?? "Outlook header block");
    }

    private sealed class HeaderBlock
    {
        public bool Open { get; init; }
        public string? Marker { get; init; }
        public int Fields { get; private set; }
        public int Continuations { get; set; }
        public Found? From { get; private set; }
        public Found? ReplyTo { get; private set; }

        public void Add(Field field, string value)
        {
            Fields |= 1 << (int)field;
            Continuations = 0;
            if (field == Field.From && From is null)
            {
                From = AddressIn(value);
            }
            else if (field == Field.ReplyTo && ReplyTo is null)
            {
                ReplyTo = AddressIn(value);
            }
        }
    }

    private static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                yield return text[start..].TrimEnd('\r');
                yield break;
            }

            yield return text[start..end].TrimEnd('\r');
            start = end + 1;
        }
    }

    /// <summary>Removes quoting and formatting around a line: leading "&gt;", "|", white space and Markdown "*"/"_" emphasis.</summary>
    private static string StripQuoting(string line)
    {
        var i = 0;
        while (i < line.Length && (line[i] is '>' or '|' or '*' || char.IsWhiteSpace(line[i])))
        {
            i++;
        }

        return line[i..].TrimEnd();
    }

    /// <summary>The client a forward marker line names, with any text after the marker (Yahoo's run-on header), or null.</summary>
    private static string? MarkerFormat(string line, out string rest)
    {
        rest = string.Empty;
        if (line.Length >= 10 && line.All(c => c == '_'))
        {
            return "Outlook";
        }

        if (line.Length > 400)
        {
            return null;
        }

        var lower = line.ToLowerInvariant();
        var phrase = MarkerPhrases.FirstOrDefault(p => lower.Contains(p, StringComparison.Ordinal));
        if (phrase is null)
        {
            return null;
        }

        var dashes = 0;
        while (dashes < line.Length && line[dashes] == '-')
        {
            dashes++;
        }

        if (dashes >= 2)
        {
            // "----- Forwarded Message ----- From: …": what follows the closing dashes is the first header.
            var after = lower.IndexOf(phrase, StringComparison.Ordinal) + phrase.Length;
            var j = after;
            while (j < line.Length && (line[j] == '-' || char.IsWhiteSpace(line[j])))
            {
                j++;
            }

            rest = j > after && j < line.Length ? line[j..] : string.Empty;
            if (OriginalPhrases.Contains(phrase))
            {
                return "Outlook";
            }

            return dashes switch
            {
                >= 10 => "Gmail",
                >= 8 => "Thunderbird",
                5 => "Yahoo",
                _ => "forward marker",
            };
        }

        // "Begin forwarded message:" and its translations stand alone on their line.
        return line.EndsWith(':') && line.Length <= 80 ? "Apple Mail" : null;
    }

    private static bool TryHeaderLine(string line, out Field field, out string value)
    {
        field = Field.None;
        value = string.Empty;
        var colon = line.AsSpan().IndexOfAny(':', '\uFF1A'); // Chinese and Japanese clients write a full-width colon
        if (colon <= 0 || colon > 40)
        {
            return false;
        }

        var label = line[..colon].Trim().Trim('*', '_').Trim();
        if (!HeaderLabels.TryGetValue(label.ToLowerInvariant(), out field))
        {
            return false;
        }

        value = line[(colon + 1)..].Trim().TrimStart('*', '_').Trim();
        return true;
    }

    /// <summary>The address in an attribution line ("On 28/10/2021 12:46, "Jane" &lt;jane@x.com&gt; wrote:"), or null.</summary>
    private static Found? Attribution(string line)
    {
        if (line.Length > 300 || !line.EndsWith(':'))
        {
            return null;
        }

        var lower = line.ToLowerInvariant();
        var opens = AttributionOpeners.Any(o => lower.StartsWith(o, StringComparison.Ordinal));
        var says = AttributionVerbs.Any(v => lower.Contains(v, StringComparison.Ordinal));
        if (!opens || !says || AddressIn(line) is not { } found)
        {
            return null;
        }

        // The name is the quoted one before the address ("On …, "Jane Doe" <jane@…> wrote:"); an unquoted one runs
        // into the date and is not kept.
        var open = line.IndexOf('<', StringComparison.Ordinal);
        var before = open > 0 ? line[..open].TrimEnd() : string.Empty;
        var quoteEnd = before.EndsWith('"') ? before.Length - 1 : -1;
        var quoteStart = quoteEnd > 0 ? before.LastIndexOf('"', quoteEnd - 1) : -1;
        return found with { Name = quoteStart >= 0 ? NameOrNull(before[(quoteStart + 1)..quoteEnd]) : null };
    }

    private static bool IsForwardSubject(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return false;
        }

        var s = subject.TrimStart();
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon <= 8 && ForwardSubjectPrefixes.Contains(s[..colon].Trim().ToLowerInvariant());
    }

    // ---- Addresses ----------------------------------------------------------------------------------------------

    private sealed record Found(string Email, string? Name);

    /// <summary>The first mailbox of a header value, or null; never throws.</summary>
    private static Found? ParseHeaderAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var capped = value.Length > MaxHeaderLength ? value[..MaxHeaderLength] : value;

        // Header values can fold over lines and lists can name several mailboxes: take the first.
        var unfolded = capped.Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ').Trim();
        try
        {
            var collection = new MailAddressCollection { unfolded };
            if (collection.Count > 0 && collection[0].Host.Contains('.', StringComparison.Ordinal))
            {
                return new Found(Normalise(collection[0].Address), NameOrNull(collection[0].DisplayName));
            }
        }
        catch (FormatException)
        {
            // fall through to the lenient scan
        }

        return AddressIn(unfolded);
    }

    /// <summary>
    /// The first address in free text as mail clients write it in a forwarded block: "Name &lt;addr&gt;",
    /// "Name [mailto:addr]", "Name &lt;mailto:addr&gt;", "addr &lt;mailto:addr&gt;" or a bare addr. Linear, never throws.
    /// </summary>
    private static Found? AddressIn(string text)
    {
        if (text.Length > MaxLineLength)
        {
            text = text[..MaxLineLength];
        }

        var close = text.IndexOf('>', StringComparison.Ordinal);
        var open = close > 0 ? text.LastIndexOf('<', close - 1) : -1;
        if (open >= 0 && Bare(StripMailto(text[(open + 1)..close])) is { } angled)
        {
            return new Found(angled, NameBefore(text, open, angled));
        }

        var bracket = text.IndexOf("[mailto:", StringComparison.OrdinalIgnoreCase);
        if (bracket >= 0)
        {
            var end = text.IndexOf(']', bracket);
            if (end > bracket && Bare(text[(bracket + 8)..end]) is { } mailto)
            {
                return new Found(mailto, NameBefore(text, bracket, mailto));
            }
        }

        return FirstBareAddress(text) is { } bare ? new Found(bare, null) : null;
    }

    private static string StripMailto(string s)
    {
        var t = s.Trim();
        return t.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? t[7..] : t;
    }

    private static string? NameBefore(string text, int index, string address)
    {
        var name = NameOrNull(text[..index].Trim().Trim('*', '_').Trim());
        return name is null || string.Equals(name, address, StringComparison.OrdinalIgnoreCase) || name.Contains('@', StringComparison.Ordinal)
            ? null
            : name;
    }

    /// <summary>The normalised address when <paramref name="candidate"/> is exactly one valid address with a dotted domain.</summary>
    private static string? Bare(string candidate)
    {
        var c = candidate.Trim().Trim('"', '\'').Trim();
        return c.Length is > 0 and <= 254 && c.Contains('@', StringComparison.Ordinal) && !c.Any(ch => char.IsWhiteSpace(ch) || ch is '<' or '>' or ',' or ';')
            && IsValidAddress(c)
            ? Normalise(c)
            : null;
    }

    private static string? FirstBareAddress(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        while (at > 0)
        {
            var start = at;
            while (start > 0 && IsLocalChar(text[start - 1]))
            {
                start--;
            }

            var end = at + 1;
            while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '.' or '-'))
            {
                end++;
            }

            if (start < at && end > at + 1 && Bare(text[start..end].TrimEnd('.', '-')) is { } found)
            {
                return found;
            }

            at = text.IndexOf('@', at + 1);
        }

        return null;
    }

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '\'';

    private static string? NameOrNull(string? name)
    {
        var trimmed = name is null ? null : string.Join(' ', name.Trim().Trim('"', '\'').Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    // ---- Vocabulary ---------------------------------------------------------------------------------------------

    private static readonly FrozenSet<string> RelayLocalParts = new[]
    {
        "mailer", "mailerdaemon", "mailer-daemon", "postmaster", "notifications", "notification", "notify", "forms",
        "form", "webform", "webforms", "wordpress", "apache", "www-data", "wwwdata", "nobody", "daemon", "root",
        "formsubmission", "form-submission", "formresponses", "submissions", "automailer", "autoreply", "auto-reply",
    }.ToFrozenSet(StringComparer.Ordinal);

    // Web-form and list services that send a submission or post on the sender's behalf.
    private static readonly string[] RelayDomains =
    [
        "formspree.io", "jotform.com", "jotform.eu", "typeform.com", "typeform.io", "wufoo.com", "forms.office.com",
        "forms.microsoft.com", "hubspot.com", "hubspotemail.net", "squarespace.info", "wix-forms.com", "wixforms.com",
        "netlify.com", "web3forms.com", "googlegroups.com", "groups.io", "formsubmit.co", "getform.io", "basin.com",
    ];

    // Lower case; "original message" phrases are Outlook's.
    private static readonly string[] OriginalPhrases =
    [
        "original message", "ursprüngliche nachricht", "message d'origine", "mensaje original", "messaggio originale",
        "oorspronkelijk bericht", "oorspronkelijke bericht", "ursprungligt meddelande", "oprindelig meddelelse",
        "opprinnelig melding", "oryginalna wiadomość", "wiadomość oryginalna", "исходное сообщение", "mensagem original",
        "alkuperäinen viesti", "eredeti üzenet", "původní zpráva", "orijinal mesaj", "pôvodná správa",
    ];

    private static readonly string[] MarkerPhrases =
    [
        .. OriginalPhrases,
        "forwarded message", "begin forwarded message", "weitergeleitete nachricht", "anfang der weitergeleiteten nachricht",
        "message transféré", "message transmis", "début du message réexpédié", "début du message transféré",
        "mensaje reenviado", "inicio del mensaje reenviado", "messaggio inoltrato", "inizio messaggio inoltrato",
        "doorgestuurd bericht", "doorgestuurde bericht", "vidarebefordrat", "videresendt", "videresendte",
        "wiadomość przekazana", "przekazana wiadomość", "początek przekazywanej wiadomości", "пересылаемое сообщение",
        "пересланное сообщение", "переслане повідомлення", "mensagem encaminhada", "início da mensagem reencaminhada",
        "välitetty viesti", "továbbított üzenet", "přeposlaná zpráva", "iletilen mesaj", "preposlaná správa",
        "proslijeđena poruka", "mesaj redirecționat", /* İ lowers to i + U+0307: match past it */ "leti başlangıcı", "letilen ileti", "メッセージを転送",
        "転送されたメッセージ", "元のメッセージ", "转发的邮件", "原始邮件", "轉寄的郵件", "原始郵件",
    ];

    private static readonly FrozenDictionary<string, Field> HeaderLabels = new Dictionary<string, Field>(StringComparer.Ordinal)
    {
        // From, in the languages mail clients write it
        ["from"] = Field.From, ["von"] = Field.From, ["de"] = Field.From, ["da"] = Field.From, ["van"] = Field.From,
        ["från"] = Field.From, ["fra"] = Field.From, ["od"] = Field.From, ["от"] = Field.From, ["від"] = Field.From,
        ["lähettäjä"] = Field.From, ["feladó"] = Field.From, ["kimden"] = Field.From, ["odesílatel"] = Field.From,
        ["afzender"] = Field.From, ["remitente"] = Field.From, ["expéditeur"] = Field.From, ["mittente"] = Field.From,
        ["avsändare"] = Field.From, ["nadawca"] = Field.From, ["šalje"] = Field.From, ["de la"] = Field.From,
        ["送信元"] = Field.From, ["差出人"] = Field.From, ["发件人"] = Field.From, ["寄件者"] = Field.From,
        // Sent / Date
        ["sent"] = Field.Date, ["date"] = Field.Date, ["datum"] = Field.Date, ["gesendet"] = Field.Date,
        ["envoyé"] = Field.Date, ["enviado"] = Field.Date, ["enviada em"] = Field.Date, ["enviado el"] = Field.Date,
        ["inviato"] = Field.Date, ["data"] = Field.Date, ["verzonden"] = Field.Date, ["skickat"] = Field.Date,
        ["sendt"] = Field.Date, ["wysłano"] = Field.Date, ["wysłane"] = Field.Date, ["fecha"] = Field.Date,
        ["dato"] = Field.Date, ["päivämäärä"] = Field.Date, ["lähetetty"] = Field.Date, ["dátum"] = Field.Date,
        ["tarih"] = Field.Date, ["дата"] = Field.Date, ["отправлено"] = Field.Date, ["odesláno"] = Field.Date,
        ["elküldve"] = Field.Date, ["gönderildi"] = Field.Date, ["gönderilme"] = Field.Date,
        ["日付"] = Field.Date, ["送信日時"] = Field.Date, ["日期"] = Field.Date, ["发送时间"] = Field.Date, ["寄件日期"] = Field.Date,
        // To
        ["to"] = Field.To, ["an"] = Field.To, ["à"] = Field.To, ["a"] = Field.To, ["pour"] = Field.To, ["aan"] = Field.To,
        ["till"] = Field.To, ["til"] = Field.To, ["do"] = Field.To, ["para"] = Field.To, ["кому"] = Field.To,
        ["vastaanottaja"] = Field.To, ["címzett"] = Field.To, ["komu"] = Field.To, ["kime"] = Field.To, ["alıcı"] = Field.To,
        ["送信先"] = Field.To, ["宛先"] = Field.To, ["收件人"] = Field.To, ["收件者"] = Field.To,
        // Subject
        ["subject"] = Field.Subject, ["betreff"] = Field.Subject, ["objet"] = Field.Subject, ["sujet"] = Field.Subject,
        ["onderwerp"] = Field.Subject, ["asunto"] = Field.Subject, ["oggetto"] = Field.Subject, ["assunto"] = Field.Subject,
        ["ämne"] = Field.Subject, ["emne"] = Field.Subject, ["temat"] = Field.Subject, ["тема"] = Field.Subject,
        ["aihe"] = Field.Subject, ["tárgy"] = Field.Subject, ["předmět"] = Field.Subject, ["konu"] = Field.Subject,
        ["predmet"] = Field.Subject, ["subiect"] = Field.Subject, ["件名"] = Field.Subject, ["主题"] = Field.Subject,
        ["主旨"] = Field.Subject,
        // Cc
        ["cc"] = Field.Cc, ["kopie"] = Field.Cc, ["kopie (cc)"] = Field.Cc, ["kopia"] = Field.Cc, ["kopi"] = Field.Cc,
        ["kopio"] = Field.Cc, ["copia"] = Field.Cc, ["copie à"] = Field.Cc, ["cópia"] = Field.Cc, ["másolat"] = Field.Cc,
        ["копия"] = Field.Cc, ["bilgi"] = Field.Cc, ["抄送"] = Field.Cc, ["副本"] = Field.Cc,
        // Reply-To
        ["reply-to"] = Field.ReplyTo, ["antwort an"] = Field.ReplyTo, ["répondre à"] = Field.ReplyTo,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly string[] AttributionOpeners = ["on ", "am ", "le ", "el ", "il ", "op ", "den ", "em ", "w dniu "];

    private static readonly string[] AttributionVerbs =
        ["wrote", "schrieb", "a écrit", "escribió", "ha scritto", "schreef", "skrev", "escreveu", "napisał"];

    private static readonly FrozenSet<string> ForwardSubjectPrefixes = new[]
    {
        "fw", "fwd", "wg", "tr", "rv", "i", "enc", "doorst", "vs", "vb", "vl", "pd", "přeposlat", "továbbítás", "ilt",
    }.ToFrozenSet(StringComparer.Ordinal);
}
