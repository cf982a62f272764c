namespace JmlDsr.Domain.Intake;

/// <summary>Why an inbound email is set aside rather than opened as a request. Wire names are kebab-case.</summary>
public enum SetAsideReason
{
    /// <summary>The product's own outgoing mail come back (our header, our sending address).</summary>
    OwnMail,

    /// <summary>An auto-reply: out of office, vacation, autoresponder (RFC 3834 and the forms without its headers).</summary>
    AutoReply,

    /// <summary>A delivery status notification: a bounce or delay report.</summary>
    Bounce,

    /// <summary>Another organisation's automatic acknowledgement ("we have received your request, ticket #…").</summary>
    AutoAcknowledgement,

    /// <summary>Bulk or list mail: newsletters, Precedence bulk/junk/list.</summary>
    Bulk,

    /// <summary>Only JML addresses: no outside person to answer (e.g. a forward whose block names no one outside).</summary>
    Internal,

    /// <summary>A forward from a JML address whose own mail did not authenticate: the forwarded block cannot be trusted.</summary>
    UnauthenticatedForward,

    /// <summary>From is a no-reply or relay address and the email names no person to answer (no usable Reply-To).</summary>
    NoPerson,
}

/// <summary>The verdict on one email: set aside (with a reason and a staff-readable explanation), or null for a person's mail.</summary>
public sealed record TriageVerdict(SetAsideReason Reason, string Explanation)
{
    /// <summary>For a bounce: the recipients whose delivery failed (from the DSN), lower case; may be empty.</summary>
    public IReadOnlyList<string> FailedRecipients { get; init; } = [];
}

/// <summary>Who "we" are, for recognising our own mail.</summary>
public sealed record OwnMailIdentity(IReadOnlyCollection<string> OwnAddresses, IReadOnlyCollection<string> InternalDomains)
{
    /// <summary>The header every email the product sends carries, naming the request.</summary>
    public const string ReferenceHeader = "X-JmlDsr-Reference";
}

/// <summary>
/// Decides whether an inbound email is a person writing (null) or mail no one should answer: our own, auto-replies,
/// bounces, automatic acknowledgements, bulk. Pure and bounded: reads only a prefix of the body, no backtracking regex.
/// </summary>
/// <remarks>
/// The checks run in a fixed order, and the first that matches decides:
/// <list type="number">
/// <item>Own mail first: answering ourselves is the loop that costs most, and our mail also carries
/// <c>Auto-Submitted: auto-generated</c>, which would otherwise read as an auto-reply.</item>
/// <item>Bounces before auto-replies: MTAs mark their DSNs <c>Auto-Submitted: auto-replied</c> (Postfix, Exim) and a DSN
/// names the failed recipients, which staff need.</item>
/// <item>Auto-replies before acknowledgements: an acknowledgement is an auto-reply of a particular kind, so the RFC 3834
/// signals establish "automatic" and the acknowledgement test then refines the reason.</item>
/// <item>Acknowledgements without any auto-reply header need two independent signals (automation and receipt).</item>
/// <item>A null return path with nothing else: only automatic mail is sent with <c>MAIL FROM:&lt;&gt;</c> (RFC 5321 §4.5.5,
/// RFC 3834 §3.3), and what is left of it is reported as a bounce.</item>
/// <item>Bulk last: <c>Precedence: bulk</c> also rides on vacation replies (Zimbra) and the more specific reason wins.
/// RFC 3834 §2 treats Precedence bulk/junk/list as "do not auto-respond"; we report it as <see cref="SetAsideReason.Bulk"/>
/// (lists and newsletters), while <c>Precedence: auto_reply</c> is an auto-reply.</item>
/// </list>
/// Deliberately not signals: <c>X-Auto-Response-Suppress</c> (a sender's request that others not auto-reply to it; Outlook
/// and Exchange put it on ordinary mail too) and <c>X-MS-Exchange-Generated-Message-Source</c> alone (it also marks mail that
/// an inbox rule forwarded, which may carry a customer's request). Real Exchange autoreplies carry
/// <c>Auto-Submitted: auto-generated</c> as well, which is what decides.
/// </remarks>
public static class MailTriage
{
    public static TriageVerdict? Classify(MailFacts facts, OwnMailIdentity us)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(us);

        var mail = new Observed(facts);
        return OwnMail(mail, us)
            ?? Bounce(mail)
            ?? AutoReplyOrAcknowledgement(mail, us)
            ?? Acknowledgement(mail, us, autoHeader: null)
            ?? NullReturnPath(mail)
            ?? Bulk(mail, us);
    }

    // ---- own mail ----------------------------------------------------------------------------------------------

    private static TriageVerdict? OwnMail(Observed mail, OwnMailIdentity us)
    {
        var reference = mail.Facts.Header(OwnMailIdentity.ReferenceHeader);
        if (reference is not null)
        {
            return new(SetAsideReason.OwnMail, $"Our own email came back: it carries our {OwnMailIdentity.ReferenceHeader} header ({Shorten(reference, 40)}).");
        }

        var fromOurs = mail.FromAddress is { Length: > 0 } from
            && us.OwnAddresses.Any(a => string.Equals(a.Trim(), from, StringComparison.OrdinalIgnoreCase));
        if (!fromOurs)
        {
            return null;
        }

        if (mail.AutoSubmitted is { } auto)
        {
            return new(SetAsideReason.OwnMail, $"Sent from our own address {mail.FromAddress} and marked Auto-Submitted: {auto} (RFC 3834): our own automatic email.");
        }

        return mail.LooksForwarded
            ? null // A person forwarding by hand from our address: leave it to the requester rules.
            : new(SetAsideReason.OwnMail, $"Sent from our own address {mail.FromAddress} with no sign of a person forwarding it.");
    }

    // ---- bounces (RFC 3464 delivery status notifications) ---------------------------------------------------------

    private static readonly string[] BounceSubjectStarts =
    [
        "undeliverable", "undelivered mail", "undeliverable mail", "delivery status notification", "mail delivery failed",
        "mail delivery failure", "returned mail", "failure notice", "delivery has failed", "delivery failure",
        "delivery notification: delivery has failed", "message delivery failure", "nondeliverable", "non-deliverable",
        "mail system error", "mail could not be delivered", "message could not be delivered", "delivery failed",
        "returned to sender", "warning: could not send message", "delayed mail", "delivery delayed",
        "unzustellbar", "nicht zustellbar", "non remis", "non distribuable", "no se puede entregar", "no entregado",
        "non recapitabile", "impossibile recapitare", "onbestelbaar", "kan ikke leveres", "olevererbart", "niedostarczalne",
    ];

    // Machine phrasing of the common MTAs (Postfix, Exim, qmail, Sendmail, Exchange, Gmail, Yahoo, Domino).
    private static readonly string[] BounceBodyPhrases =
    [
        "this is the mail system at host", "this is the qmail-send program", "this message was created automatically by mail delivery software",
        "i'm sorry to have to inform you that your message could not", "delivery to the following recipient failed permanently",
        "delivery to the following recipients failed", "delivery has failed to these recipients or distribution lists",
        "your message couldn't be delivered", "your message could not be delivered", "the following addresses had permanent fatal errors",
        "message could not be delivered to the following recipients", "could not be delivered to one or more recipients",
        "this is an automatically generated delivery status notification", "i wasn't able to deliver your message",
        "unable to deliver your message to the following addresses", "your message wasn't delivered",
        "did not reach the following recipient", "was not delivered to:", "was undeliverable", "cannot be delivered to the following recipients",
    ];

    private static TriageVerdict? Bounce(Observed mail)
    {
        var f = mail.Facts;
        string? why = null;

        if (f.ContentType == "multipart/report" && (f.ReportType is null or "delivery-status"))
        {
            why = "It is a delivery status report (multipart/report; report-type=delivery-status, RFC 3464).";
        }
        else if (!string.IsNullOrWhiteSpace(f.DeliveryStatus))
        {
            why = "It carries a message/delivery-status part (RFC 3464).";
        }
        else if (f.ContentType == "multipart/report" && f.ReportType is { } other)
        {
            return other == "disposition-notification"
                ? new(SetAsideReason.AutoReply, "It is a read receipt (multipart/report; report-type=disposition-notification, RFC 8098).")
                : new(SetAsideReason.Bounce, $"It is an automatic report (multipart/report; report-type={other}).");
        }
        else if (mail.FromLocal is "mailer-daemon" or "postmaster" or "mail-daemon" or "maildaemon"
                 || mail.FromDisplayLower.Contains("mail delivery subsystem", StringComparison.Ordinal)
                 || mail.FromDisplayLower.Contains("mail delivery system", StringComparison.Ordinal))
        {
            why = $"It comes from the mail system ({mail.FromAddress ?? mail.FromDisplayLower}).";
        }
        else if (f.Header("X-Failed-Recipients") is not null)
        {
            why = "It carries an X-Failed-Recipients header (a bounce from Exim or Gmail).";
        }
        else if (!mail.SubjectForwarded && StartsWithAny(mail.SubjectLower, BounceSubjectStarts) is { } subject)
        {
            why = $"Its subject reads as a bounce (\"{subject}\").";
        }
        else if (!mail.SubjectForwarded && MailText.FirstFound(mail.Head, BounceBodyPhrases) is { } phrase)
        {
            why = $"Its text reads as a bounce (\"{phrase}\").";
        }

        return why is null ? null : new(SetAsideReason.Bounce, why) { FailedRecipients = FailedRecipients(mail) };
    }

    /// <summary>Final-Recipient / Original-Recipient fields of the DSN (RFC 3464 §2.3.1–2), else of the body; X-Failed-Recipients.</summary>
    internal static IReadOnlyList<string> FailedRecipients(Observed mail)
    {
        var found = new List<string>();
        var source = !string.IsNullOrWhiteSpace(mail.Facts.DeliveryStatus) ? MailText.Prefix(mail.Facts.DeliveryStatus) : mail.Body;
        foreach (var field in new[] { "final-recipient:", "original-recipient:" })
        {
            var at = 0;
            while ((at = source.IndexOf(field, at, StringComparison.Ordinal)) >= 0)
            {
                at += field.Length;
                if (at - field.Length > 0 && source[at - field.Length - 1] is not ('\n' or '\r'))
                {
                    continue; // only at the start of a line
                }

                var end = source.IndexOfAny(['\r', '\n'], at);
                var value = (end < 0 ? source[at..] : source[at..end]).Trim();
                var semi = value.IndexOf(';', StringComparison.Ordinal);
                Add(found, semi >= 0 ? value[(semi + 1)..] : value);
            }

            if (found.Count > 0)
            {
                break; // Original-Recipient only where no Final-Recipient was given
            }
        }

        foreach (var header in mail.Facts.HeaderValues("X-Failed-Recipients"))
        {
            foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                Add(found, part);
            }
        }

        return found;

        static void Add(List<string> list, string raw)
        {
            var address = raw.Trim().Trim('<', '>', '"').Trim().ToLowerInvariant();
            if (address.Contains('@', StringComparison.Ordinal) && !address.Contains(' ', StringComparison.Ordinal) && !list.Contains(address))
            {
                list.Add(address);
            }
        }
    }

    // ---- auto-replies (RFC 3834 and the forms without its headers) --------------------------------------------------

    private static readonly string[] AutoReplyHeaders = ["X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply", "X-Autoreply-From", "X-Mail-Autoreply", "X-Vacation"];

    // Subject forms of Exchange/Outlook, Gmail, Lotus Notes, AOL and others, in the languages we see.
    private static readonly string[] AutoReplySubjectStarts =
    [
        "automatic reply", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response", "autoresponse",
        "automatic response", "automated response", "auto:", "out of office", "out of the office", "ooo:", "ooo ", "oof:",
        "automatische antwort", "abwesenheitsnotiz", "abwesend", "réponse automatique", "reponse automatique", "absence du bureau",
        "respuesta automática", "respuesta automatica", "fuera de la oficina", "risposta automatica", "fuori sede",
        "autosvar", "automatisch antwoord", "afwezig", "resposta automática", "resposta automatica", "ausente",
        "odpowiedź automatyczna", "automaattinen vastaus", "automatická odpověď", "vacation reply", "away from the office",
    ];

    private static readonly string[] AutoReplySubjectAnywhere =
    [
        "(automatic response)", "(auto-reply)", "(auto reply)", "(autoreply)", "(out of office)", "automatic reply:",
        "is out of the office", "out of office reply", "out-of-office", "autoreply:", "auto-reply:", "automatische antwort:",
    ];

    // Strong phrasing, only believed in a short message without request wording.
    private static readonly string[] AutoReplyBodyPhrases =
    [
        "i am out of the office", "i'm out of the office", "i am currently out of the office", "i'm currently out of the office",
        "i am currently away", "i'm currently away", "i am away from the office", "i'm away from the office", "i am away until",
        "i'm away until", "i am on annual leave", "i'm on annual leave", "currently on annual leave", "i am on holiday",
        "i'm on holiday", "i am on vacation", "i'm on vacation", "i am away on vacation", "i am away on holiday",
        "i will be out of the office", "i will be away from", "with limited access to email", "with no access to email",
        "i will respond to your email when i return", "i will reply when i return", "on my return", "upon my return",
        "this is an automatic reply", "this is an automated reply", "this is an auto-reply", "this is an autoreply",
        "ich bin bis", "ich bin derzeit nicht im büro", "je suis absent", "je serai absent", "estoy fuera de la oficina",
        "estaré fuera", "sono fuori ufficio", "estarei ausente", "ik ben afwezig",
    ];

    // A person on holiday may still write a request: their mail has this wording.
    private static readonly string[] RequestWording =
    [
        "subject access", "access request", "gdpr", "data protection", "personal data", "personal information",
        "my data", "my information", "erase", "erasure", "delete my", "right to", "dsar", "article 15", "article 17",
        "copy of", "opt out", "unsubscribe me", "rectif",
    ];

    private const int ShortMessage = 1_500;

    private static TriageVerdict? AutoReplyOrAcknowledgement(Observed mail, OwnMailIdentity us)
    {
        var f = mail.Facts;
        string? why = null;

        if (mail.AutoSubmitted is { } auto)
        {
            why = $"It is marked Auto-Submitted: {auto} (RFC 3834).";
        }
        else if (AutoReplyHeaders.FirstOrDefault(h => f.Header(h) is { } v && MailText.FirstToken(v) is not ("no" or "false" or "0")) is { } header)
        {
            why = $"It carries the autoresponder header {header}.";
        }
        else if (MailText.FirstToken(f.Header("Precedence")) is "auto_reply" or "auto-reply" || MailText.FirstToken(f.Header("X-Precedence")) is "auto_reply" or "auto-reply")
        {
            why = "It is marked Precedence: auto_reply.";
        }
        else if (!mail.SubjectForwarded && (StartsWithAny(mail.SubjectStripped, AutoReplySubjectStarts) ?? MailText.FirstFound(mail.SubjectLower, AutoReplySubjectAnywhere)) is { } subject)
        {
            why = $"Its subject is an auto-reply form (\"{subject.Trim()}\").";
        }
        else if (!mail.SubjectForwarded && mail.Body.Length <= ShortMessage && MailText.FirstFound(mail.Body, AutoReplyBodyPhrases) is { } phrase
                 && MailText.FirstFound(mail.Body + " " + mail.SubjectLower, RequestWording) is null)
        {
            why = $"A short message reading as an out-of-office reply (\"{phrase}\") with no request in it.";
        }

        if (why is null)
        {
            return null;
        }

        // An out-of-office is an auto-reply even where it thanks the sender; only other automatic replies may be acknowledgements.
        var outOfOffice = StartsWithAny(mail.SubjectStripped, AutoReplySubjectStarts) is not null
            || MailText.FirstFound(mail.SubjectLower, AutoReplySubjectAnywhere) is not null
            || MailText.FirstFound(mail.Body, AutoReplyBodyPhrases) is not null;
        return (outOfOffice ? null : Acknowledgement(mail, us, autoHeader: why)) ?? new(SetAsideReason.AutoReply, why);
    }

    // ---- automatic acknowledgements (helpdesks, ticketing) ----------------------------------------------------------

    // Header name prefixes of helpdesk and CRM systems: Zendesk, Freshdesk, ServiceNow, Jira Service Management, HubSpot,
    // Salesforce, Help Scout, Zoho Desk, Kayako, osTicket, Front.
    private static readonly string[] HelpdeskHeaderPrefixes =
    [
        "x-zendesk", "x-freshdesk", "x-fd-", "x-servicenow", "x-jira", "x-atlassian", "x-jsd", "x-hubspot", "x-hs-",
        "x-sfdc", "x-salesforce", "x-helpscout", "x-zohodesk", "x-zoho-desk", "x-kayako", "x-osticket", "x-front-",
        "x-ticket", "x-otrs", "x-rt-ticket", "x-request-tracker", "x-desk-",
    ];

    private static readonly string[] HelpdeskMailers =
    [
        "zendesk", "freshdesk", "servicenow", "jira", "hubspot", "salesforce", "help scout", "helpscout", "zoho desk", "kayako",
        "osticket", "otrs", "request tracker", "desk.com", "front",
    ];

    private static readonly string[] AutomationPhrases =
    [
        "this is an automated response", "this is an automatic response", "this is an automated message", "this is an automatic message",
        "this is an automated email", "this is an automatically generated", "this email was sent automatically", "automated acknowledgement",
        "automatic acknowledgement", "auto-acknowledgement", "please do not reply to this email", "please do not reply to this message",
        "do not reply to this email", "this mailbox is not monitored", "this inbox is not monitored", "##- please type your reply above this line -##",
        "please type your reply above this line", "reply above this line",
    ];

    private static readonly string[] ReceiptPhrases =
    [
        "we have received your", "we've received your", "we received your", "your request has been received", "your email has been received",
        "your message has been received", "your enquiry has been received", "your inquiry has been received", "has been logged",
        "has been received", "is being reviewed by our support staff", "to add additional comments, reply to this email",
        "a support ticket request has been created",
        "has been created", "ticket number", "ticket #", "ticket no", "ticket id", "case number", "case #", "case id", "reference number",
        "your reference is", "request number", "incident number", "thank you for contacting", "thanks for contacting", "thank you for getting in touch",
        "thanks for getting in touch", "thank you for your enquiry",
        "a member of our team will", "one of our team will", "we aim to respond within", "we will respond within", "we will get back to you",
        "we'll get back to you", "will be in touch", "working days",
    ];

    private static readonly string[] AcknowledgementSubjects =
    [
        "[ticket", "ticket #", "ticket received", "request received", "we've received your", "we have received your",
        "has been received", "case #", "[case", "(case", "thank you for contacting", "thanks for contacting", "acknowledgement",
        "acknowledgment", "[#", "[request", "received:", "[sd-", "[jira]", "incident inc", "enquiry received", "inquiry received",
    ];

    private static TriageVerdict? Acknowledgement(Observed mail, OwnMailIdentity us, string? autoHeader)
    {
        var f = mail.Facts;
        var automation = new List<string>();
        var receipt = new List<string>();

        if (autoHeader is not null)
        {
            automation.Add(autoHeader.TrimEnd('.'));
        }

        if (f.Headers.FirstOrDefault(h => HelpdeskHeaderPrefixes.Any(p => h.Name.StartsWith(p, StringComparison.OrdinalIgnoreCase))) is { } helpdesk)
        {
            automation.Add($"a helpdesk header ({helpdesk.Name})");
        }

        var mailer = (f.Header("X-Mailer") + " " + f.Header("Message-ID")).ToLowerInvariant();
        if (MailText.FirstFound(mailer, HelpdeskMailers) is { } system)
        {
            automation.Add($"sent by a helpdesk system ({system})");
        }

        if (MailText.FirstFound(mail.Body, AutomationPhrases) is { } automatic)
        {
            automation.Add($"\"{automatic}\"");
        }

        // A no-reply sender counts, except our own (the website's form relay sends as noreply@ with the customer in Reply-To).
        var internalSender = MailText.Domain(mail.FromAddress) is { } fromDomain
            && us.InternalDomains.Any(d => string.Equals(d.Trim().TrimStart('@'), fromDomain, StringComparison.OrdinalIgnoreCase));
        if (!internalSender && mail.FromLocal is { Length: > 0 } local && (local.StartsWith("noreply", StringComparison.Ordinal) || local.StartsWith("no-reply", StringComparison.Ordinal)
            || local.StartsWith("donotreply", StringComparison.Ordinal) || local.StartsWith("do-not-reply", StringComparison.Ordinal)))
        {
            automation.Add($"a no-reply sender ({local})");
        }

        if (!mail.SubjectForwarded && MailText.FirstFound(mail.SubjectLower, AcknowledgementSubjects) is { } subject)
        {
            receipt.Add($"subject \"{subject}\"");
        }

        if (MailText.FirstFound(mail.Body, ReceiptPhrases) is { } received)
        {
            receipt.Add($"\"{received}\"");
        }

        // More than one weak signal, of two kinds: that it is automatic, and that it acknowledges receipt.
        if (automation.Count == 0 || receipt.Count == 0 || automation.Count + receipt.Count < 2)
        {
            return null;
        }

        // Without an automatic header, a person's request that happens to use these words is not set aside.
        var headerEvidence = autoHeader is not null || automation.Any(a => a.StartsWith("a helpdesk", StringComparison.Ordinal) || a.StartsWith("sent by", StringComparison.Ordinal));
        if (!headerEvidence && automation.Count + receipt.Count < 3 && MailText.FirstFound(mail.Body, RequestWording) is not null)
        {
            return null;
        }

        return new(SetAsideReason.AutoAcknowledgement, $"Another organisation's automatic acknowledgement: {string.Join("; ", automation.Concat(receipt))}.");
    }

    // ---- null return path, bulk -------------------------------------------------------------------------------------

    private static TriageVerdict? NullReturnPath(Observed mail) =>
        mail.NullReturnPath
            ? new(SetAsideReason.Bounce, "Sent with a null return path (MAIL FROM:<>), which only automatic mail such as bounces uses (RFC 5321 §4.5.5, RFC 3464).")
            : null;

    private static TriageVerdict? Bulk(Observed mail, OwnMailIdentity us)
    {
        var f = mail.Facts;

        // Our own group or distribution list (e.g. privacy@ as a Google Group) stamps List-Id, Precedence: list and
        // Mailing-list on every email it relays, a person's included: list signals that name our domain are not bulk.
        var ourList = ListHeaderNames.Any(h => f.Header(h) is { } v && us.InternalDomains.Any(d => d.Trim().TrimStart('@') is { Length: > 0 } dom
            && v.Contains(dom, StringComparison.OrdinalIgnoreCase)));

        var precedence = MailText.FirstToken(f.Header("Precedence"));
        if (precedence is "bulk" or "junk" || (precedence == "list" && !ourList))
        {
            return new(SetAsideReason.Bulk, $"It is marked Precedence: {precedence} (bulk or list mail; RFC 3834 §2 says not to answer it).");
        }

        if (ourList)
        {
            return null;
        }

        if (f.Header("List-Id") is not null)
        {
            return new(SetAsideReason.Bulk, "It came through a mailing list (List-Id, RFC 2919).");
        }

        if (f.Header("List-Unsubscribe") is not null)
        {
            return new(SetAsideReason.Bulk, "It is a newsletter or bulk mailing (List-Unsubscribe, RFC 2369).");
        }

        // List managers that predate RFC 2919 or leave the List-* fields off digests (Mailman, Majordomo, ezmlm).
        if (MailingListHeaders.FirstOrDefault(h => f.Header(h) is not null) is { } listHeader)
        {
            return new(SetAsideReason.Bulk, $"It came from mailing-list software ({listHeader}).");
        }

        var sender = MailText.LocalPart(MailText.Address(f.Header("Sender")));
        foreach (var local in new[] { mail.FromLocal, sender })
        {
            if (local.EndsWith("-request", StringComparison.Ordinal) || local.EndsWith("-owner", StringComparison.Ordinal) || local.StartsWith("owner-", StringComparison.Ordinal))
            {
                return new(SetAsideReason.Bulk, $"It was sent by a mailing list's own address ({local}@…).");
            }
        }

        return null;
    }

    private static readonly string[] ListHeaderNames = ["List-Id", "Mailing-List", "X-BeenThere", "List-Post"];

    private static readonly string[] MailingListHeaders = ["X-Mailman-Version", "X-BeenThere", "X-Mailing-List", "X-Loop-List", "Mailing-List", "X-List"];

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static string? StartsWithAny(string value, string[] starts)
    {
        foreach (var start in starts)
        {
            if (value.StartsWith(start, StringComparison.Ordinal))
            {
                return start;
            }
        }

        return null;
    }

    private static string Shorten(string value, int max) => value.Length <= max ? value : value[..max] + "…";

    /// <summary>What the checks read, computed once: lower-cased, bounded.</summary>
    internal sealed class Observed
    {
        private static readonly string[] ReplyPrefixes = ["re:", "aw:", "sv:", "antw:", "antwort:", "réf:", "rif:", "r:", "ynt:", "odp:", "vs:"];
        private static readonly string[] ForwardPrefixes = ["fw:", "fwd:", "fw :", "tr:", "wg:", "rv:", "i:", "vb:", "vs: fw", "doorst:", "enc:"];
        private static readonly string[] ForwardMarkers =
        [
            "---------- forwarded message", "-----original message-----", "----- original message -----", "begin forwarded message",
            "-------- original message --------", "-------- message original --------", "---------- weitergeleitete nachricht",
        ];

        public Observed(MailFacts facts)
        {
            Facts = facts;
            FromAddress = MailText.Address(facts.From);
            FromLocal = MailText.LocalPart(FromAddress);
            FromDisplayLower = (facts.From ?? "").ToLowerInvariant();
            SubjectLower = (facts.Subject ?? "").Trim().ToLowerInvariant();
            SubjectForwarded = ForwardPrefixes.Any(p => SubjectLower.StartsWith(p, StringComparison.Ordinal));
            SubjectStripped = StripReplyPrefixes(SubjectLower);
            Body = MailText.Prefix(facts.Text).Trim();
            Head = Body.Length > 2_000 ? Body[..2_000] : Body;
            LooksForwarded = SubjectForwarded || facts.AttachedMessages.Count > 0 || MailText.FirstFound(Body, ForwardMarkers) is not null;

            var auto = facts.Header("Auto-Submitted");
            AutoSubmitted = auto is not null && MailText.FirstToken(auto) is { Length: > 0 } token && token != "no" ? token : null;

            var returnPath = facts.Header("Return-Path");
            NullReturnPath = facts.EnvelopeFrom == "" || (returnPath is not null && returnPath.Replace(" ", "", StringComparison.Ordinal).Trim() == "<>");
        }

        public MailFacts Facts { get; }
        public string? FromAddress { get; }
        public string FromLocal { get; }
        public string FromDisplayLower { get; }
        public string SubjectLower { get; }
        public string SubjectStripped { get; }
        public bool SubjectForwarded { get; }
        public string Body { get; }
        public string Head { get; }
        public bool LooksForwarded { get; }

        /// <summary>The RFC 3834 §5 Auto-Submitted keyword when other than "no" (auto-generated, auto-replied, auto-notified, …).</summary>
        public string? AutoSubmitted { get; }

        public bool NullReturnPath { get; }

        private static string StripReplyPrefixes(string subject)
        {
            var s = subject;
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var p in ReplyPrefixes)
                {
                    if (s.StartsWith(p, StringComparison.Ordinal))
                    {
                        s = s[p.Length..].TrimStart();
                        changed = true;
                    }
                }
            }

            return s;
        }
    }

    public static string ToWire(this SetAsideReason reason) => reason switch
    {
        SetAsideReason.OwnMail => "own-mail",
        SetAsideReason.AutoReply => "auto-reply",
        SetAsideReason.Bounce => "bounce",
        SetAsideReason.AutoAcknowledgement => "auto-acknowledgement",
        SetAsideReason.Bulk => "bulk",
        SetAsideReason.Internal => "internal",
        SetAsideReason.UnauthenticatedForward => "unauthenticated-forward",
        SetAsideReason.NoPerson => "no-person",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
