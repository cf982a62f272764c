using System.Globalization;
using System.Net;
using System.Text;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Emails;

/// <summary>A line of the staff summary: one system and what it returned.</summary>
public sealed record SystemSummary(string SystemId, string SystemName, int RecordCount, bool Succeeded, string? Error);

/// <summary>A labelled link in an email.</summary>
public sealed record EmailLink(string Label, string Url);

/// <summary>
/// Every email JmlDsr sends. Customer emails always carry the reference, what was done, and how to
/// complain: to JML first (enquiries@, as the privacy policy asks) and to the ICO (Art 12(4), Art 77).
/// </summary>
public static class EmailComposer
{
    public const string Company = "JML Software Solutions Ltd";
    public const string EnquiriesAddress = "enquiries@jmlsoftware.co.uk";

    private static readonly CultureInfo UkCulture = CultureInfo.GetCultureInfo("en-GB");

    public static string LongDate(DateOnly date) => date.ToString("dddd d MMMM yyyy", UkCulture);

    public static string ShortDate(DateOnly date) => date.ToString("d MMMM yyyy", UkCulture);

    public static EmailMessage Acknowledgement(string to, string? name, string reference, RequestType type, DateOnly received, DateOnly due) =>
        Customer(to, $"We have received your request — reference {reference}", name,
        [
            $"Thank you for your request. We received it on {LongDate(received)} and have logged it as: {type.Title()} ({type.Article()} UK GDPR).",
            $"Your reference is {reference}. Please quote it if you write to us about this request.",
            $"We will respond by {LongDate(due)} at the latest. The law gives us one month; if we need to check who you are or ask what you are looking for, the month runs from when you answer, and we will tell you the new date.",
            "We will shortly send you a separate email to confirm that this request comes from you.",
        ]);

    public static EmailMessage VerificationRequest(string to, string? name, string reference, string link, DateOnly replyBy) =>
        Customer(to, $"Please confirm your request — reference {reference}", name,
        [
            $"To protect your personal data, we need to confirm that request {reference} was made by the holder of this email address before we act on it (UK GDPR Art 12(6)).",
            $"Please open the link below and press the confirm button by {LongDate(replyBy)}. The time we have to respond starts again from the day you confirm.",
            "If you did not make this request, ignore this email and nothing will happen.",
        ], [new EmailLink("Confirm my request", link)]);

    public static EmailMessage ClosedUnverified(string to, string? name, string reference, bool noReply) =>
        Customer(to, $"We could not confirm your request — reference {reference}", name, noReply
            ?
            [
                $"We asked you to confirm request {reference}, and we did not receive a confirmation in time, so we have closed the request without acting on it (UK GDPR Art 12(6)).",
                "You are welcome to make the request again at any time by replying to this email or writing to us.",
            ]
            :
            [
                $"You confirmed request {reference}, but we could not match this email address to any customer, supplier or business contact record we hold.",
                "So that we never disclose one person's data to another, we have closed the request without acting on it (UK GDPR Art 12(6)). If you have used another email address with us, please write to us from that address, or tell us more so we can find your records.",
            ]);

    public static EmailMessage Rejected(string to, string? name, string reference, RequestType type, string reason) =>
        Customer(to, $"Our response to your request — reference {reference}", name,
        [
            $"We have considered your request {reference} ({type.Title()}) and we are not able to act on it.",
            $"Our reasons: {reason}",
            "You have the right to complain to the Information Commissioner's Office and to seek to enforce your rights through the courts (UK GDPR Art 12(4), Art 79).",
        ]);

    public static EmailMessage ExtensionNotice(string to, string? name, string reference, DateOnly newDue, string reason) =>
        Customer(to, $"We need more time for your request — reference {reference}", name,
        [
            $"We are writing about request {reference}. We need to extend the time to respond by two further months, as UK GDPR Art 12(3) allows for complex or numerous requests.",
            $"Our reasons: {reason}",
            $"We will now respond by {LongDate(newDue)} at the latest.",
        ]);

    public static EmailMessage AccessFulfilled(string to, string? name, string reference, EmailLink download, DateTimeOffset linkExpires, IReadOnlyList<SystemSummary> systems)
    {
        var paragraphs = new List<string>
        {
            $"Here is our response to your request {reference} for access to your personal data (UK GDPR Art 15).",
            $"Your data is in a document you can read in any web browser, with a machine-readable copy (JSON) beside it. The link works until {LongDate(UkDateOf(linkExpires))}; after that, write to us and we will send a new one.",
            "We searched these systems: " + string.Join("; ", systems.Select(s => $"{s.SystemName} ({s.RecordCount} record{(s.RecordCount == 1 ? "" : "s")})")) + ".",
            "The document also tells you why we use your data, who receives it, how long we keep it, where it came from, and your rights to rectification, erasure, restriction and objection.",
        };
        return Customer(to, $"Your personal data — reference {reference}", name, paragraphs, [download]);
    }

    public static EmailMessage StaffApprovalRequest(string to, string reference, RequestType type, string requesterMasked, DateOnly due, IReadOnlyList<SystemSummary> systems, IReadOnlyList<EmailLink> actions, DateTimeOffset linksExpire)
    {
        var lines = new List<string>
        {
            $"Request {reference} ({type.Title()}, {type.Article()}) from {requesterMasked} is ready for a decision. Due {LongDate(due)}.",
            "What each system returned:",
        };
        lines.AddRange(systems.Select(s => s.Succeeded
            ? $"  • {s.SystemName}: {s.RecordCount} record{(s.RecordCount == 1 ? "" : "s")}"
            : $"  • {s.SystemName}: FAILED — {s.Error}"));
        lines.Add($"The links below are single-use and expire on {LongDate(UkDateOf(linksExpire))}. Each opens a page; nothing happens until you press the button there.");
        return Staff(to, $"[{reference}] Decision needed: {type.Title()} due {ShortDate(due)}", lines, actions);
    }

    public static EmailMessage StaffGatheringFailed(string to, string reference, IReadOnlyList<SystemSummary> failed, EmailLink retry)
    {
        var lines = new List<string>
        {
            $"Request {reference}: these systems could not be searched after several retries. The request is waiting; it will not go forward with missing data.",
        };
        lines.AddRange(failed.Select(s => $"  • {s.SystemName}: {s.Error}"));
        lines.Add("When the systems are back, use the link to search them again.");
        return Staff(to, $"[{reference}] Action needed: {failed.Count} system(s) could not be searched", lines, [retry]);
    }

    public static EmailMessage DeadlineEscalation(string to, string reference, RequestType type, DateOnly due, string status) =>
        Staff(to, $"[{reference}] OVERDUE: {type.Title()} was due {ShortDate(due)}",
        [
            $"Request {reference} ({type.Title()}) reached its statutory due date, {LongDate(due)}, while {StatusText(status)}.",
            "It is now overdue. Please act on it today; the request stays open and visibly overdue until it is answered.",
        ], []);

    public static EmailMessage StaffTriage(string to, string reference, DateOnly due) =>
        Staff(to, $"[{reference}] Triage needed: message to the privacy mailbox",
        [
            $"A message to the privacy mailbox was logged as {reference}, but it did not clearly ask for access, rectification, restriction or erasure.",
            $"If it is a request, it is due by {LongDate(due)} counted from receipt. Please read it and log it with its type.",
        ], []);

    public static string StatusText(string status) => status switch
    {
        RequestStatus.AwaitingIdentity => "waiting for the requester to confirm their identity",
        RequestStatus.Gathering => "gathering data",
        RequestStatus.GatheringFailed => "waiting for systems that could not be searched",
        RequestStatus.AwaitingApproval => "waiting for a staff decision",
        RequestStatus.Fulfilling => "being fulfilled",
        _ => status,
    };

    /// <summary>A customer email: greeting, content, links, the complaints notice, signature.</summary>
    private static EmailMessage Customer(string to, string subject, string? name, IReadOnlyList<string> paragraphs, IReadOnlyList<EmailLink>? links = null)
    {
        var all = new List<string>(paragraphs)
        {
            $"If you are unhappy with how we have handled your request, we would like to hear about it first: write to {EnquiriesAddress}. You also have the right to complain to the Information Commissioner's Office (ICO): ico.org.uk/make-a-complaint, telephone 0303 123 1113.",
        };
        return Render(to, subject, $"Dear {(string.IsNullOrWhiteSpace(name) ? "customer" : name)},", all, links ?? [], $"Privacy team, {Company}");
    }

    private static EmailMessage Staff(string to, string subject, IReadOnlyList<string> lines, IReadOnlyList<EmailLink> links) =>
        Render(to, subject, "Privacy team,", lines, links, "JmlDsr");

    private static EmailMessage Render(string to, string subject, string greeting, IReadOnlyList<string> paragraphs, IReadOnlyList<EmailLink> links, string signature)
    {
        var text = new StringBuilder();
        text.AppendLine(greeting).AppendLine();
        foreach (var p in paragraphs)
        {
            text.AppendLine(p).AppendLine();
        }

        foreach (var link in links)
        {
            text.Append(link.Label).Append(": ").AppendLine(link.Url);
        }

        if (links.Count > 0)
        {
            text.AppendLine();
        }

        text.AppendLine(signature);

        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en-GB\"><body style=\"font-family:Segoe UI,Arial,sans-serif;font-size:15px;color:#1b1b1b;max-width:640px\">");
        html.Append("<p>").Append(Enc(greeting)).Append("</p>");
        foreach (var p in paragraphs)
        {
            html.Append("<p style=\"white-space:pre-line\">").Append(Enc(p)).Append("</p>");
        }

        foreach (var link in links)
        {
            html.Append("<p><a href=\"").Append(Enc(link.Url)).Append("\" style=\"display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px\">")
                .Append(Enc(link.Label)).Append("</a></p>");
        }

        html.Append("<p>").Append(Enc(signature)).Append("</p></body></html>");
        return new EmailMessage(to, subject, text.ToString(), html.ToString());
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private static DateOnly UkDateOf(DateTimeOffset instant) => Deadlines.StatutoryClock.UkDate(instant);

    /// <summary>Shows enough of an address for staff to recognise it without exposing it in full: j***@example.com.</summary>
    public static string Mask(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 1 ? "***" + email[Math.Max(at, 0)..] : email[0] + "***" + email[at..];
    }
}
