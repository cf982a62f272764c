using System.Globalization;
using System.Text;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Emails;

/// <summary>A line of the staff summary: one system and what it returned.</summary>
public sealed record SystemSummary(string SystemId, string SystemName, int RecordCount, bool Succeeded, string? Error);

/// <summary>One request in an acknowledgement: its reference, what it is, when it is due.</summary>
public sealed record AcknowledgedRequest(string Reference, RequestType Type, DateOnly Due);

/// <summary>A labelled link in an email.</summary>
public sealed record EmailLink(string Label, string Url);

/// <summary>One field corrected (Art 16): where, what it was (null when it was missing), and what it is now.</summary>
public sealed record FieldChange(string SystemId, string SystemName, string Field, string? OldValue, string NewValue);

/// <summary>A correction JML did not make, and why (Art 12(4)).</summary>
public sealed record RefusedChange(FieldChange Change, string Reason);

/// <summary>One line of an erasure response: a system and category, how many records, and what happened to them.</summary>
/// <param name="Outcome">"erased", "anonymised" or "retained".</param>
/// <param name="RetainUntil">For retained data, the last day it is kept; null under a legal hold.</param>
public sealed record ErasureLine(string SystemName, string Category, int Count, string Outcome, string Reason, DateOnly? RetainUntil);

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
        Acknowledgement(to, name, [new AcknowledgedRequest(reference, type, due)], received, IdentityNeed.ConfirmMailbox);

    /// <summary>
    /// The acknowledgement of one message: every request it opened (ICO: where a person mentions other rights, deal with
    /// each) with its reference and due date, and what we need, if anything, to confirm who they are (Art 12(6)).
    /// </summary>
    public static EmailMessage Acknowledgement(string to, string? name, IReadOnlyList<AcknowledgedRequest> requests, DateOnly received, IdentityNeed identity)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var first = requests[0];
        var paragraphs = new List<string>();
        if (requests.Count == 1)
        {
            paragraphs.Add($"Thank you for your request. We received it on {LongDate(received)} and have logged it as: {first.Type.Title()} ({first.Type.Article()} UK GDPR).");
            paragraphs.Add($"Your reference is {first.Reference}. Please quote it if you write to us about this request.");
        }
        else
        {
            var lines = new StringBuilder($"Thank you for your message, which we received on {LongDate(received)}. It asks us to do {requests.Count} things, so we have logged a request for each; we deal with each one, and each has its own reference:");
            foreach (var r in requests)
            {
                lines.Append("\n• ").Append(r.Reference).Append(": ").Append(r.Type.Title()).Append(" (").Append(r.Type.Article()).Append(" UK GDPR), response by ").Append(LongDate(r.Due));
            }

            paragraphs.Add(lines.ToString());
            if (requests.Any(r => r.Type == RequestType.Access) && requests.Any(r => r.Type == RequestType.Erasure))
            {
                paragraphs.Add("We will send you the copy of your data first, and erase your data only after you have had the chance to download it.");
            }

            paragraphs.Add("Please quote the reference if you write to us about one of them.");
        }

        var by = requests.Count == 1 ? $"We will respond by {LongDate(first.Due)} at the latest. " : string.Empty;
        paragraphs.Add(identity switch
        {
            IdentityNeed.NotInDoubt => by + "You wrote to us from the email address we hold for you, and your email passed our security checks, so we do not need anything more to confirm who you are. The one month the law gives us runs from the day we received your message.",
            IdentityNeed.OtherIdentifiers => by + "We could not find this email address in our records. We will shortly send you a separate email where you can give us another email address you have used with us, or a customer or licence number, so that we can find your records. The month runs from when you answer, and we will tell you the new date.",
            IdentityNeed.Authority => by + "You are writing on someone else's behalf. Before we can respond to you, we need the person's details and evidence that you are authorised to act for them; we will shortly send you a separate email saying how to give us these. The month runs from when we receive them, and we will tell you the new date.",
            _ => by + "The law gives us one month. We will shortly send you a separate email to confirm that this request comes from you; the month runs from when you confirm, and we will tell you the new date.",
        });
        var subject = requests.Count == 1
            ? $"We have received your request — reference {first.Reference}"
            : $"We have received your requests — references {string.Join(", ", requests.Select(r => r.Reference))}";
        return Customer(to, subject, name, paragraphs);
    }

    /// <summary>A reply to an identity request that could not be taken as the answer: the link again, and why.</summary>
    public static EmailMessage IdentityAnswerByLink(string to, string? name, string reference, string link, DateOnly answerBy, bool saysTooLittle) =>
        Customer(to, $"Please use the link to answer — reference {reference}", name,
        [
            saysTooLittle
                ? $"Thank you for your reply about request {reference}. It does not give the email address the person you act for uses with us, so we cannot yet look for their records."
                : $"Thank you for your reply about request {reference}. We could not confirm that it came from the mailbox we asked about, so to protect your data we cannot take it as your answer (UK GDPR Art 12(6)).",
            $"Please use the link below by {LongDate(answerBy)}. The time we have to respond runs from the day we receive your answer.",
        ], [new EmailLink("Answer here", link)]);

    /// <summary>Staff merged a request into another (the same request twice): the requester learns which reference carries on.</summary>
    public static EmailMessage Merged(string to, string? name, string reference, string into) =>
        Customer(to, $"Your request {reference} continues as {into}", name,
        [
            $"We have looked at your request {reference} and it is the same as your request {into}, so we are dealing with both together under {into}. You do not need to do anything.",
            $"We will respond under {into} by the date we gave you for it. Please quote {into} if you write to us about it.",
        ]);

    /// <summary>Art 12(6): the sender's address is on no record; they may give what lets us find them (the clock runs from the answer, Art 12A).</summary>
    public static EmailMessage IdentifiersRequest(string to, string? name, string reference, string link, DateOnly replyBy) =>
        Customer(to, $"Help us find your records — reference {reference}", name,
        [
            $"We have your request {reference}, but we could not find the email address you wrote from in our records.",
            $"If you have used another email address with us, or have a customer number or a licence number, please give it on the page below by {LongDate(replyBy)}. We ask only so that we can find your records and never disclose one person's data to another (UK GDPR Art 12(6)). The time we have to respond runs from the day you answer.",
            "If you have nothing else to give us, press the button on the page anyway: we will then tell you what we hold about you under this address — which may be nothing at all.",
        ], [new EmailLink("Give us another address or number", link)]);

    /// <summary>A request made for someone else: the person's details and the agent's authority (ICO: requests made on behalf of others).</summary>
    public static EmailMessage AuthorityRequest(string to, string? name, string reference, string link, DateOnly replyBy) =>
        Customer(to, $"Your authority to act — reference {reference}", name,
        [
            $"You have made request {reference} on someone else's behalf. Before we can respond to you, the law requires us to be satisfied that you are entitled to act for them (UK GDPR Art 12(6)).",
            $"Please give us, by {LongDate(replyBy)}: the name and the email address the person uses with us, and their signed authority for you to act — a signed letter or form of authority, or a power of attorney. You can give them on the page below, where you can upload the authority as a PDF or a photo.",
            "The time we have to respond runs from the day we receive them. We will send the response to you only once your authority is recorded.",
        ], [new EmailLink("Give us the person's details and your authority", link)]);

    /// <summary>
    /// The answer when no personal data about the person was found in any system searched: for access this is the Art 15(1)
    /// confirmation that JML does not process their data — an answer, not a refusal.
    /// </summary>
    public static EmailMessage NoDataHeld(string to, string? name, string reference, RequestType type, IReadOnlyList<string> systemsSearched) =>
        Customer(to, $"We hold no personal data about you — reference {reference}", name,
        [
            $"We have dealt with your request {reference} ({type.Title()}, {type.Article()} UK GDPR).",
            $"We searched {(systemsSearched.Count == 0 ? "our systems" : string.Join(", ", systemsSearched))} for the details you gave us, and we hold no personal data about you. "
                + (type == RequestType.Access
                    ? "This is our response to your request: UK GDPR Art 15(1) entitles you to confirmation of whether we process your personal data, and we do not."
                    : "So there is nothing for us to " + type switch { RequestType.Erasure => "erase", RequestType.Rectification => "correct", RequestType.Restriction => "restrict", _ => "act on" } + "."),
            "If you think we should hold data about you under another email address or name, write to us with it and we will search again.",
        ]);

    public static EmailMessage VerificationRequest(string to, string? name, string reference, string link, DateOnly replyBy, string? whyAsked = null)
    {
        var paragraphs = new List<string>
        {
            $"To protect your personal data, we need to confirm that request {reference} was made by the holder of this email address before we act on it (UK GDPR Art 12(6)).",
        };
        if (!string.IsNullOrWhiteSpace(whyAsked))
        {
            paragraphs.Add($"Why we ask: {whyAsked.Trim()}");
        }

        paragraphs.Add($"Please open the link below and press the confirm button by {LongDate(replyBy)}. The time we have to respond starts again from the day you confirm.");
        paragraphs.Add("If you did not make this request, ignore this email and nothing will happen.");
        return Customer(to, $"Please confirm your request — reference {reference}", name, paragraphs, [new EmailLink("Confirm my request", link)]);
    }

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

    /// <summary>
    /// The access response: the PDF copy first (the privacy policy promises "a commonly used format such as a pdf document"),
    /// then the page with the same document for a web browser and the machine-readable copy.
    /// </summary>
    public static EmailMessage AccessFulfilled(string to, string? name, string reference, EmailLink pdf, EmailLink page, DateTimeOffset linkExpires, IReadOnlyList<SystemSummary> systems)
    {
        var paragraphs = new List<string>
        {
            $"Here is our response to your request {reference} for access to your personal data (UK GDPR Art 15).",
            $"Your data is in a PDF document you can keep and print (the first link below). The second link opens the same document in any web browser, with a machine-readable copy (JSON) beside it. The links work until {LongDate(UkDateOf(linkExpires))}; after that, write to us and we will send new ones.",
            "We searched these systems: " + string.Join("; ", systems.Select(s => $"{s.SystemName} ({s.RecordCount} record{(s.RecordCount == 1 ? "" : "s")})")) + ".",
            "The document also tells you why we use your data, who receives it, how long we keep it, where it came from, and your rights to rectification, erasure, restriction and objection.",
        };
        return Customer(to, $"Your personal data — reference {reference}", name, paragraphs, [pdf, page]);
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

    /// <summary>Art 12(5)(a): a reasonable fee is asked for; the time limit runs from when it is paid (Art 12A).</summary>
    public static EmailMessage FeeRequest(string to, string? name, string reference, string details, DateOnly payBy) =>
        Customer(to, $"A fee is needed for your request — reference {reference}", name,
        [
            $"We are writing about your request {reference}. The law lets us charge a reasonable fee, based on our administrative costs, where a request is manifestly unfounded or excessive, or for further copies of the same data (UK GDPR Art 12(5)(a), Art 15(3)).",
            $"The fee and why: {details}",
            $"We will deal with your request once the fee is paid; the time we have to respond (one month) starts on the day we receive it. If it is not paid by {LongDate(payBy)}, we will close the request.",
            "If you think the fee is not justified, please tell us, quoting the reference.",
        ]);

    /// <summary>The fee was not paid in time: the request is closed.</summary>
    public static EmailMessage ClosedFeeUnpaid(string to, string? name, string reference) =>
        Customer(to, $"We have closed your request — reference {reference}", name,
        [
            $"We asked for a fee before dealing with your request {reference} and did not receive it in time, so we have closed the request (UK GDPR Art 12(5)(a)).",
            "You are welcome to make the request again at any time.",
        ]);

    /// <summary>
    /// An owner-task system's owner is asked to find the person's records or to carry out a right by hand. Who the person
    /// is stays behind the signed link: the email names only the request and the system. A reminder says which it is.
    /// </summary>
    public static EmailMessage OwnerTask(string to, string reference, string systemName, string purpose, EmailLink link, DateOnly answerBy, int reminder = 0)
    {
        var what = Gathering.OwnerTaskPurposes.Brief(purpose, systemName);
        var lines = new List<string>
        {
            reminder > 0
                ? $"Reminder: request {reference} is still waiting for you. You are the owner of {systemName}, which JmlDsr cannot reach by itself."
                : $"Request {reference} is a data subject request under UK GDPR, and you are the owner of {systemName}, which JmlDsr cannot reach by itself.",
            what,
            $"Please answer by {LongDate(answerBy)}: the request has to be answered within its statutory time limit. Who the person is, and what to do, are on the page behind the link (it opens for you only and can be used once).",
            "Do not forward this email. If you cannot do this, tell the privacy team.",
        };
        var subject = reminder > 0
            ? string.Create(CultureInfo.InvariantCulture, $"[{reference}] Reminder {reminder}: {systemName} — {Gathering.OwnerTaskPurposes.Subject(purpose)}")
            : $"[{reference}] Action needed: {systemName} — {Gathering.OwnerTaskPurposes.Subject(purpose)}";
        return Staff(to, subject, lines, [link]);
    }

    /// <summary>The owner of an owner-task system has not answered in the data map's time: staff skip it, do it by hand, or keep waiting.</summary>
    public static EmailMessage StaffOwnerTaskOverdue(string to, string reference, string systemName, string owner, string purpose, DateTimeOffset asked, EmailLink console) =>
        Staff(to, $"[{reference}] The owner of {systemName} has not answered",
        [
            $"Request {reference}: {owner}, the owner of {systemName}, was asked on {ShortDate(DateOnly.FromDateTime(asked.UtcDateTime))} to {(purpose == Gathering.OwnerTaskPurposes.Gather ? "send the person's records" : $"confirm the {purpose} was done by hand")} and has not answered. The owner is still reminded.",
            "The request waits for this system. In the console you can skip the system (with a reason, recorded), mark it done by hand (with a note of what was done), or hold the request for the owner (with the reason, recorded): it then goes on only when they answer.",
        ], [console]);

    /// <summary>A step of carrying out a request failed after its retries: the request waits for staff, nothing is marked done.</summary>
    public static EmailMessage StaffStepFailed(string to, string reference, string what, string error, EmailLink retry) =>
        Staff(to, $"[{reference}] Action needed: {what} failed",
        [
            $"Request {reference}: {what} failed after several retries: {error}",
            "The request is waiting and is not marked done. The statutory clock keeps running. When the cause is fixed, use the link to try the step again.",
        ], [retry]);

    /// <summary>An email to the requester bounced or was dropped: staff must reach them another way.</summary>
    public static EmailMessage StaffUndeliverable(string to, string reference, string subject, string what) =>
        Staff(to, $"[{reference}] Email not delivered: {subject}",
        [
            $"The email \"{subject}\" for request {reference} was not delivered: {what}.",
            "The requester may not have had our answer. Please check the address on the request, reach them another way (by post or by phone) within the time limit, and note it in the request's record.",
        ], []);

    /// <summary>The circuit breaker held back emails to one address: a loop, or a flood, for staff to look at.</summary>
    public static EmailMessage StaffCircuitBreaker(string to, string reference, string maskedAddress, int limit) =>
        Staff(to, $"[{reference}] Emails held back: more than {limit} to one address in an hour",
        [
            $"An email for request {reference} to {maskedAddress} was not sent: that address has had {limit} emails from the privacy system in the last hour, which is more than any person should get.",
            "This usually means a mail loop (an auto-reply or forwarding rule answering our emails) or a flood of requests. Emails to that address are held back until the hour is over. Please look at the request and the mailbox's set-aside list, and reach the person another way if they need an answer.",
        ], []);

    /// <summary>A bounce quoting a request came back to the privacy mailbox: the requester may not have had our email.</summary>
    public static EmailMessage StaffBounceReceived(string to, string reference, string subject, string failedRecipient) =>
        Staff(to, $"[{reference}] Email not delivered: {subject}",
        [
            $"A delivery failure report about request {reference} arrived in the privacy mailbox (\"{subject}\"). The failed recipient: {failedRecipient}.",
            "The requester may not have had our email. Please check the address on the request, reach them another way (by post or by phone) within the time limit, and note it in the request's record. The report is kept in the set-aside list.",
        ], []);

    /// <summary>
    /// Art 12A: an emailed answer to a clarification request arrived, but its sender could not be authenticated (SPF and
    /// DKIM did not pass for the From domain): the person is asked to answer through their signed link instead.
    /// </summary>
    public static EmailMessage ClarificationAnswerByLink(string to, string? name, string reference, string answerLink, DateOnly answerBy) =>
        Customer(to, $"Please answer through the link — reference {reference}", name,
        [
            $"We received an email answering our question about your request {reference}, but we could not confirm that it came from your email address, so we have not used it.",
            $"To protect your data, please give your answer using the link below by {LongDate(answerBy)}. The time we have to respond stays paused until your answer arrives (UK GDPR Art 12A).",
            "If you did not send that email, you need do nothing else; please tell us, because someone may be trying to use your name.",
        ], [new EmailLink("Answer our question", answerLink)]);

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

    /// <summary>Art 16 done: what changed where; what was not changed and why (Art 12(4)); who was told (Art 19).</summary>
    public static EmailMessage RectificationDone(string to, string? name, string reference, IReadOnlyList<FieldChange> applied, IReadOnlyList<RefusedChange> refused, IReadOnlyList<string> partnersNotified)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(refused);
        var paragraphs = new List<string>
        {
            $"Here is our response to your request {reference} to correct your personal data (UK GDPR Art 16).",
        };
        if (applied.Count > 0)
        {
            paragraphs.Add("We have made these changes:\n" + string.Join("\n", applied.Select(c => $"  • {Describe(c)}")));
        }
        else
        {
            paragraphs.Add("We have not changed any of your data.");
        }

        if (refused.Count > 0)
        {
            // Art 12(4): reasons for not acting, and the right to complain and to a judicial remedy.
            paragraphs.Add("We have not made these changes, for the reasons given:\n" + string.Join("\n", refused.Select(r => $"  • {Describe(r.Change)} — not made: {r.Reason}")));
            paragraphs.Add(ComplainAndCourts);
        }

        paragraphs.Add(Recipients(partnersNotified, "the correction"));
        return Customer(to, $"We have corrected your data — reference {reference}", name, paragraphs);
    }

    /// <summary>Art 18 applied: what restriction means (Art 18(2)), and that we will tell them before lifting it (Art 18(3)).</summary>
    public static EmailMessage RestrictionApplied(string to, string? name, string reference, IReadOnlyList<string> systems, IReadOnlyList<string> partnersNotified)
    {
        ArgumentNullException.ThrowIfNull(systems);
        return Customer(to, $"We have restricted the use of your data — reference {reference}", name,
        [
            $"Here is our response to your request {reference} to restrict the use of your personal data (UK GDPR Art 18).",
            "We have restricted your data in these systems:\n" + string.Join("\n", systems.Select(s => $"  • {s}")),
            "We keep your data, but we will not use it except to store it, to establish, exercise or defend legal claims, to protect the rights of another person, for reasons of important public interest, or with your consent (UK GDPR Art 18(2)).",
            "We have stopped sending you marketing and product notices while the restriction is in place.",
            "We will tell you before we lift the restriction, and why (UK GDPR Art 18(3)).",
            Recipients(partnersNotified, "the restriction"),
        ]);
    }

    /// <summary>Art 18(3): told before the restriction is lifted, with the reason and the date.</summary>
    public static EmailMessage RestrictionLiftNotice(string to, string? name, string reference, string reason, DateOnly liftOn) =>
        Customer(to, $"We will lift the restriction on your data on {ShortDate(liftOn)} — reference {reference}", name,
        [
            $"We restricted the use of your personal data after your request {reference}. The law requires us to tell you before we lift a restriction (UK GDPR Art 18(3)).",
            $"We intend to lift it on {LongDate(liftOn)}. Our reason: {reason}",
            $"From that date we will use your data again as our privacy notice describes. If you disagree, please reply before {LongDate(liftOn)}, quoting {reference}; you can also object to our use of your data (UK GDPR Art 21).",
        ]);

    /// <summary>The restriction has been lifted (after the Art 18(3) notice).</summary>
    public static EmailMessage RestrictionLifted(string to, string? name, string reference) =>
        Customer(to, $"The restriction on your data has been lifted — reference {reference}", name,
        [
            $"As we told you in advance, we have now lifted the restriction on the use of your personal data that followed your request {reference} (UK GDPR Art 18(3)).",
            "We use your data again as our privacy notice describes. You can ask us again at any time to restrict, correct or erase it, or object to our use of it (UK GDPR Art 16, 17, 18 and 21).",
        ]);

    /// <summary>
    /// Art 21(2)-(3): an objection to direct marketing has taken effect, without any decision: marketing and product notices
    /// stopped in every system, the address on the suppression list (kept so we never mail them again), partners that market told.
    /// </summary>
    /// <param name="suppressedElsewhere">Systems whose own suppression list keeps more than the one-way code, each as
    /// "name: what it keeps" (a mailing service's list holds the address itself).</param>
    public static EmailMessage ObjectionMarketingDone(string to, string? name, string reference, IReadOnlyList<string> partnersNotified, IReadOnlyList<string>? suppressedElsewhere = null)
    {
        ArgumentNullException.ThrowIfNull(partnersNotified);
        var elsewhere = suppressedElsewhere is { Count: > 0 }
            ? "Our email service keeps your address on its own suppression list too, which is what stops its campaigns from reaching you; it keeps nothing else about you for marketing:\n" + string.Join("\n", suppressedElsewhere.Select(s => $"  • {s}"))
            : null;
        return Customer(to, $"We have stopped all marketing to you — reference {reference}", name,
        [
            $"Here is our response to your objection {reference} to direct marketing (UK GDPR Art 21(2)). An objection to direct marketing always succeeds: we have stopped using your personal data for marketing (Art 21(3)).",
            "We will no longer send you product news, new-product notices, event invitations or other marketing, by any channel, and we do not use your data for profiling for marketing.",
            "So that we never mail you again by mistake, we keep your email address on our suppression list only as a one-way code (a hash) that lets us recognise it and nothing else. It stays even if you later ask us to erase your data: that is what keeps the marketing stopped.",
            .. (elsewhere is null ? Array.Empty<string>() : [elsewhere]),
            partnersNotified.Count == 0
                ? "No partner of ours markets to you with data we shared."
                : $"We have told the partners who received your data and market their own services, so that they stop too: {string.Join(", ", partnersNotified)}.",
            "Messages we must send you to perform a contract (for example invoices or notices about your licence) are not marketing and may continue. Your other data is kept and used as our privacy notice describes; you can also ask us to erase, restrict or correct it, or for a copy (UK GDPR Art 15–18).",
        ]);
    }

    /// <summary>Art 21(1): staff found no compelling legitimate grounds; the processing objected to has stopped.</summary>
    public static EmailMessage ObjectionProcessingStopped(string to, string? name, string reference, IReadOnlyList<string> systems) =>
        Customer(to, $"We have stopped the processing you objected to — reference {reference}", name,
        [
            $"Here is our response to your objection {reference} (UK GDPR Art 21(1)). We have no compelling legitimate grounds that override your interests, rights and freedoms, so we have stopped processing your personal data on the basis of our legitimate interests.",
            systems.Count == 0 ? "We hold no data of yours processed on that basis." : "Where this applied:\n" + string.Join("\n", systems.Select(s => $"  • {s}")),
            "We keep your data only where we need it for another lawful reason our privacy notice gives (for example, to perform your contract or keep accounting records), or to establish, exercise or defend legal claims.",
        ]);

    /// <summary>Art 21(1), Art 12(4): staff recorded compelling legitimate grounds; the person gets them, and their rights to complain and to a remedy.</summary>
    public static EmailMessage ObjectionGroundsShown(string to, string? name, string reference, string grounds) =>
        Customer(to, $"Our answer to your objection — reference {reference}", name,
        [
            $"Here is our response to your objection {reference} (UK GDPR Art 21(1)). We have considered your particular situation. We have compelling legitimate grounds for continuing the processing that override your interests, rights and freedoms:",
            grounds,
            "You can ask us to restrict the processing while you dispute this (UK GDPR Art 18(1)(d)). You have the right to complain to the ICO and to seek a judicial remedy (UK GDPR Art 12(4)). An objection to direct marketing, by contrast, always succeeds: tell us if you also object to marketing.",
        ]);

    /// <summary>Art 17 done: per system and category, erased, anonymised or retained (why, until when); who was told (Art 19).</summary>
    public static EmailMessage ErasureDone(string to, string? name, string reference, IReadOnlyList<ErasureLine> lines, IReadOnlyList<string> partnersNotified)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var paragraphs = new List<string>
        {
            $"Here is our response to your request {reference} to erase your personal data (UK GDPR Art 17).",
            "What we did, system by system:\n" + string.Join("\n", lines.Select(l => $"  • {Describe(l)}")),
        };
        if (lines.Any(l => IsRetained(l.Outcome)))
        {
            // Art 17(3) exceptions. JML's policy: data kept under one is restricted (only stored, as Art 18(2)) and erased by schedule.
            paragraphs.Add("Where the law allows or requires us to keep some of your data (UK GDPR Art 17(3)), we only store it: we do not use it for anything else, and we will erase it automatically when the period above ends.");
        }

        paragraphs.Add(Recipients(partnersNotified, "the erasure"));
        return Customer(to, $"We have erased your data — reference {reference}", name, paragraphs);
    }

    /// <summary>Scheduled erasure: retained data whose retention period has ended was erased.</summary>
    public static EmailMessage ErasureScheduledDone(string to, string? name, string reference, IReadOnlyList<ErasureLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return Customer(to, $"We have erased the rest of your data — reference {reference}", name,
        [
            $"When we answered your erasure request {reference}, we told you that the law required us to keep some of your data for a time (UK GDPR Art 17(3)). That time has now ended, and we have erased it (UK GDPR Art 17(1)):",
            string.Join("\n", lines.Select(l => $"  • {Describe(l)}")),
        ]);
    }

    /// <summary>Art 12A: what the request is about; the time limit stops from today until the answer arrives.</summary>
    public static EmailMessage ClarificationRequest(string to, string? name, string reference, string question, string answerLink, DateOnly answerBy) =>
        Customer(to, $"Please tell us more about your request — reference {reference}", name,
        [
            $"We are working on your request {reference}. We hold a lot of information about you, and to answer it we need you to tell us more:",
            question,
            "The time we have to respond is paused from today until we receive your answer (UK GDPR Art 12A); it starts again on the day your answer arrives, and we will tell you the new date.",
            $"Please answer using the link below by {LongDate(answerBy)}. If we do not hear from you by then, we will close the request, and you can make it again at any time.",
        ], [new EmailLink("Answer our question", answerLink)]);

    /// <summary>Art 12A: no answer to the clarification in time; closed, and they can ask again.</summary>
    public static EmailMessage ClosedNoClarification(string to, string? name, string reference) =>
        Customer(to, $"We have closed your request — reference {reference}", name,
        [
            $"We asked you to tell us more about your request {reference} so that we could answer it, and we did not receive an answer in time (UK GDPR Art 12A), so we have closed the request.",
            "You are welcome to make the request again at any time by replying to this email or writing to us.",
        ]);

    /// <summary>Art 12(5): refused as manifestly unfounded or excessive, with the reasons and the Art 12(4) rights.</summary>
    public static EmailMessage RefusedUnfoundedOrExcessive(string to, string? name, string reference, string reason) =>
        Customer(to, $"Our response to your request — reference {reference}", name,
        [
            $"We have considered your request {reference} and decided that it is manifestly unfounded or excessive, so we will not act on it (UK GDPR Art 12(5)).",
            $"Our reasons: {reason}",
            ComplainAndCourts,
        ]);

    /// <summary>
    /// Art 19: tells a recipient what to do with the person's data it received. Only what the partner needs:
    /// the request reference and the details (Art 5(1)(c)), under the terms it is bound by.
    /// </summary>
    public static EmailMessage PartnerNotice(Gathering.Partner partner, string reference, string action, IReadOnlyList<string> details)
    {
        ArgumentNullException.ThrowIfNull(partner);
        ArgumentNullException.ThrowIfNull(details);
        var (to, partnerName) = (partner.Email, partner.Name);
        var (verb, instruction, _) = PartnerAction(action);
        var lines = new List<string>
        {
            action == "restriction-lifted"
                ? $"We are writing about personal data we disclosed to you and asked you to restrict. Under UK GDPR Art 19 we tell each organisation that received the data. Our reference: {reference}."
                : $"We have been asked to {verb} personal data about a person whose data we disclosed to you. Under UK GDPR Art 19 we are telling each organisation that received the data. Our reference: {reference}.",
            "What this concerns:\n" + string.Join("\n", details.Select(d => $"  • {d}")),
            instruction,
        };
        var terms = string.IsNullOrWhiteSpace(partner.Terms) ? null : partner.Terms;
        lines.Add(terms is null
            ? "This notice and the data it concerns are confidential under the terms on which we shared the data with you."
            : $"This notice and the data it concerns are confidential under our {terms} with you.");
        lines.Add($"Please confirm to {PrivacyAddress} when you have done this, quoting {reference}.");
        return Render(to, $"[{reference}] Data protection notice: please {verb} shared data (UK GDPR Art 19)", $"Dear colleagues at {partnerName},", lines, [], $"Privacy team, {Company}");
    }

    /// <summary>
    /// Art 19: a recipient of the person's data could not be told by email — the partner directory has no address for it,
    /// or a sharing record cannot be traced to a partner — so the privacy team must tell it another way (or record why that is
    /// impossible or disproportionate). Only the reference, the partners, what they received (categories, not values) and
    /// what they must be told: staff open the request for the person (Art 5(1)(c)).
    /// </summary>
    /// <param name="fields">For a rectification, the names of the fields corrected (their values stay in the request).</param>
    public static EmailMessage StaffPartnersNotTold(string to, string reference, string action, IReadOnlyList<Gathering.UnreachableRecipient> noAddress, int untracedShares, IReadOnlyList<string>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(noAddress);
        var (_, instruction, what) = PartnerAction(action);
        var count = noAddress.Count + (untracedShares > 0 ? 1 : 0);
        var lines = new List<string>
        {
            $"Request {reference}: the {what} has been carried out. Under UK GDPR Art 19 we must tell every organisation the person's data was disclosed to, unless that proves impossible or involves disproportionate effort. The privacy system could not tell {(count == 1 ? "this recipient" : "these recipients")}, so no notice went to {(count == 1 ? "it" : "them")}:",
        };
        var list = noAddress.Select(u => $"  • {u.Partner} — no address in the partner directory. It received: {string.Join("; ", u.Shares.Select(Gathering.Recipients.Describe))}.").ToList();
        if (untracedShares > 0)
        {
            list.Add($"  • {untracedShares} partner-sharing record{(untracedShares == 1 ? "" : "s")} of this person could not be traced to a partner (the record names none, or it was erased before its recipient was recorded): find out from the partner-sharing system's history who received the data.");
        }

        lines.Add(string.Join("\n", list));
        lines.Add($"What they must be told, as our notice to partners puts it: “{instruction}”"
            + (fields is { Count: > 0 } ? $" The fields corrected: {string.Join(", ", fields)} (the corrected values are in the request's rectification evidence)." : string.Empty));
        lines.Add($"Please tell them another way, quoting {reference}, and note on the request what you did; if it is impossible or would involve disproportionate effort, note why. Open the request in the console for the person's details. To have the system tell them next time, add their address to the partner directory.");
        return Staff(to, $"[{reference}] Action needed: {(count == 1 ? "a partner" : "partners")} not told of the {what} (UK GDPR Art 19)", lines, []);
    }

    /// <summary>A reminder to staff that a request's statutory due date is near.</summary>
    public static EmailMessage StaffReminder(string to, string reference, RequestType type, DateOnly due, int daysLeft, string status) =>
        Staff(to, $"[{reference}] Reminder: {type.Title()} due {ShortDate(due)} ({DaysText(daysLeft)} left)",
        [
            $"Request {reference} ({type.Title()}, {type.Article()}) is due on {LongDate(due)}: {DaysText(daysLeft)} left. It is {StatusText(status)}.",
            "The statutory time limit is one month (UK GDPR Art 12(3)); please make sure it is answered by then.",
        ], []);

    /// <summary>
    /// The deadline watchdog found a request whose workflow is failed, terminated, missing or stuck: the privacy team and the
    /// DPO are told once per problem, with the single-use link that restarts the workflow from its recorded state. Only the
    /// reference, the type, the status and the due date: nothing about the person.
    /// </summary>
    /// <param name="verdict">The verdict's wire name ("failed", "terminated", "missing", "stuck").</param>
    /// <param name="reason">The verdict in words (statuses and times only).</param>
    /// <param name="clockRuns">Whether the statutory clock runs at the request's status.</param>
    public static EmailMessage StaffWorkflowNotWatched(string to, string reference, RequestType type, string verdict, string reason, string status, DateOnly due, bool clockRuns, EmailLink restart, DateTimeOffset linkExpires)
    {
        ArgumentNullException.ThrowIfNull(restart);
        return Staff(to, $"[{reference}] Action needed: workflow {verdict}, not under watch",
        [
            $"The deadline watchdog found that the workflow of request {reference} ({type.Title()}) is {verdict}: {reason}.",
            $"The request is {StatusText(status)}, due on {LongDate(due)}. "
                + (clockRuns
                    ? "The statutory clock keeps running. Until the workflow runs again, the watchdog sends the reminders and the due-date escalation itself, but the request does not move on."
                    : "The statutory clock is stopped at this step, but the request cannot move on until its workflow runs again."),
            "Restart it with the button below: the workflow starts again from the state it recorded, and nothing already sent is sent again. The restart is recorded in the request's timeline.",
            $"The link is single-use and expires on {LongDate(UkDateOf(linkExpires))}. The request is also listed on the console's dashboard under \"requests not under watch\", with a restart button.",
        ], [restart]);
    }

    /// <summary>DPA 2018 s 164A: the complaint is acknowledged (within 30 days) and what happens next.</summary>
    public static EmailMessage ComplaintAcknowledged(string to, string? name, string reference, string? aboutReference) =>
        Customer(to, $"We have received your complaint — reference {reference}", name,
        [
            $"Thank you for telling us about your concerns{(string.IsNullOrWhiteSpace(aboutReference) ? "" : $" about request {aboutReference}")}. We have logged your complaint as {reference}; please quote it if you write to us about it (Data Protection Act 2018 s 164A).",
            "What happens next: a member of our privacy team who was not involved will look into it, take whatever steps are needed, and tell you the outcome without undue delay. If we need more information, we will ask you.",
        ]);

    /// <summary>DPA 2018 s 164A: the outcome of the complaint, and the right to complain to the ICO.</summary>
    public static EmailMessage ComplaintOutcome(string to, string? name, string reference, string outcome) =>
        Customer(to, $"The outcome of your complaint — reference {reference}", name,
        [
            $"We have looked into your complaint {reference} (Data Protection Act 2018 s 164A).",
            $"Outcome: {outcome}",
            "If you are not satisfied with this outcome, you have the right to complain to the Information Commissioner's Office (UK GDPR Art 77), and to seek a remedy through the courts (UK GDPR Art 79).",
        ]);

    /// <summary>
    /// DPA 2018 s 164A(4): a complaint for the privacy team to look into, with the single-use link that sends the outcome.
    /// The complainant is masked; their words are on the console page, not in the email.
    /// </summary>
    public static EmailMessage StaffComplaint(string to, string reference, string complainantMasked, string? aboutReference, DateOnly received, DateOnly acknowledgementDue, EmailLink respond, DateTimeOffset linkExpires)
    {
        ArgumentNullException.ThrowIfNull(respond);
        return Staff(to, $"[{reference}] Complaint to answer{(string.IsNullOrWhiteSpace(aboutReference) ? "" : $" about {aboutReference}")}",
        [
            $"A complaint about how we handled personal data (Data Protection Act 2018 s 164A) was logged as {reference}, from {complainantMasked}, received on {LongDate(received)}.",
            string.IsNullOrWhiteSpace(aboutReference)
                ? "It does not name one of our requests."
                : $"It is about request {aboutReference}: check that request's timeline and evidence pack.",
            $"The complainant has been sent an acknowledgement (the law requires one by {LongDate(acknowledgementDue)}). Please look into it, take whatever steps are needed, and send the outcome without undue delay: the outcome email repeats their right to complain to the ICO.",
            $"The link below is single-use and expires on {LongDate(UkDateOf(linkExpires))}; if it expires unused, a new one is sent. The complaint itself is on the console page.",
        ], [respond]);
    }

    public static string StatusText(string status) => status switch
    {
        RequestStatus.ComplaintOpen => "a complaint waiting for its outcome",
        RequestStatus.ComplaintClosed => "a complaint answered with its outcome",
        RequestStatus.AwaitingIdentity => "waiting for the requester to confirm their identity",
        RequestStatus.Gathering => "gathering data",
        RequestStatus.GatheringFailed => "waiting for systems that could not be searched",
        RequestStatus.AwaitingApproval => "waiting for a staff decision",
        RequestStatus.Fulfilling => "being fulfilled",
        RequestStatus.AwaitingClarification => "waiting for the requester to clarify the request (clock stopped)",
        RequestStatus.NeedsTriage => "waiting for staff to classify it",
        RequestStatus.AwaitingFee => "waiting for the fee asked for (clock stopped)",
        RequestStatus.Restricted => "answered: processing restricted until staff lift it",
        RequestStatus.LiftPending => "answered: the restriction lifts after the notice to the requester",
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

    private static EmailMessage Render(string to, string subject, string greeting, IReadOnlyList<string> paragraphs, IReadOnlyList<EmailLink> links, string signature) =>
        new(to, subject, new EmailBody(greeting, paragraphs, links, signature));

    /// <summary>A product notice (marketing): sent only after the suppression list and the marketing policy allow it.</summary>
    public static EmailMessage ProductNotice(string to, string subject, string news) =>
        Render(to, subject, "Hello,", [news, $"You get our product notices because you have an account with {Company}. To stop them, reply to this email or write to {EnquiriesAddress}."], [], Company) with { Marketing = true };

    /// <summary>JML's privacy mailbox (partners reply here).</summary>
    public const string PrivacyAddress = "privacy@jmlsoftware.co.uk";

    /// <summary>Art 12(4): the right to complain to the ICO and to seek a judicial remedy.</summary>
    private const string ComplainAndCourts =
        "You have the right to complain to the Information Commissioner's Office and to seek to enforce your rights through the courts (UK GDPR Art 12(4), Art 77, Art 79).";

    /// <summary>Art 19: who was told; the person can ask who received their data.</summary>
    private static string Recipients(IReadOnlyList<string> partnersNotified, string what)
    {
        ArgumentNullException.ThrowIfNull(partnersNotified);
        return partnersNotified.Count == 0
            ? $"We had not shared this data with any other organisation, so there was no one else to tell about {what} (UK GDPR Art 19). You can ask us at any time who has received your data."
            : $"We have told these organisations we shared your data with about {what}: {string.Join("; ", partnersNotified)} (UK GDPR Art 19). You can ask us at any time who received your data.";
    }

    private static string Describe(FieldChange c) => c.OldValue is null
        ? $"{c.SystemName}: {c.Field} added as “{c.NewValue}”"
        : $"{c.SystemName}: {c.Field} changed from “{c.OldValue}” to “{c.NewValue}”";

    private static string Describe(ErasureLine l)
    {
        var what = $"{l.SystemName} — {l.Category} ({l.Count} record{(l.Count == 1 ? "" : "s")}): ";
        return l.Outcome switch
        {
            _ when IsRetained(l.Outcome) => what + (l.RetainUntil is { } until
                ? $"retained until {LongDate(until)}. {l.Reason}"
                : $"retained until the legal hold is lifted. {l.Reason}"),
            _ when string.Equals(l.Outcome, "anonymised", StringComparison.OrdinalIgnoreCase) => what + $"anonymised. {l.Reason}",
            _ => what + "erased.",
        };
    }

    private static bool IsRetained(string outcome) => string.Equals(outcome, "retained", StringComparison.OrdinalIgnoreCase);

    private static string DaysText(int days) => days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{days} days");

    /// <summary>An Art 19 action: the verb of the partner's subject line, what the partner must do, and what was done (for staff).</summary>
    private static (string Verb, string Instruction, string What) PartnerAction(string action) => action switch
    {
        "rectification" => ("correct", "Please make the same corrections to the copy you hold (UK GDPR Art 16).", "rectification"),
        "restriction" => ("restrict", "Please restrict your processing of this data: keep it, but do not use it except to store it, for legal claims, to protect another person, or for reasons of important public interest, until we tell you the restriction has been lifted (UK GDPR Art 18(2)).", "restriction"),
        "erasure" => ("erase", "Please erase this data from your systems without undue delay, unless the law requires you to keep it, and tell us if it does (UK GDPR Art 17).", "erasure"),
        "objection-marketing" => ("stop marketing with", "The person has objected to direct marketing (UK GDPR Art 21(2)). Please stop using their data for marketing of any kind, including profiling for marketing, at once and for good, and keep only what you need to make sure you never market to them again (Art 21(3)).", "objection to direct marketing"),
        "restriction-lifted" => ("stop restricting", "The restriction we told you about has been lifted, after we told the person first (UK GDPR Art 18(3)). You may process the data again as our agreement allows.", "lifting of the restriction"),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Expected rectification, restriction, restriction-lifted, objection-marketing or erasure."),
    };

    private static DateOnly UkDateOf(DateTimeOffset instant) => Deadlines.StatutoryClock.UkDate(instant);

    /// <summary>Shows enough of an address for staff to recognise it without exposing it in full: j***@example.com.</summary>
    public static string Mask(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 1 ? "***" + email[Math.Max(at, 0)..] : email[0] + "***" + email[at..];
    }
}
