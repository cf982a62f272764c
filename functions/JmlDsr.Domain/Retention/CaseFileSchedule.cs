using System.Globalization;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Retention;

/// <summary>How long the product keeps its own records of requests (Art 5(1)(e)): the settings that decide it.</summary>
/// <param name="CaseFile">How long a case file is kept after the request closes (default six years, the limitation period).</param>
/// <param name="SetAside">How long inbound mail that opened no request is kept for staff.</param>
/// <param name="ExportLinkLifetime">How long the requester's download link lasts (the copy lasts as long).</param>
public sealed record RetentionSettings(RetentionPeriod CaseFile, RetentionPeriod SetAside, TimeSpan ExportLinkLifetime);

/// <summary>One line of JML's retention schedule for DSR records: a store, what it keeps, and until when.</summary>
public sealed record RetentionLine(string Store, string Keeps, string Until);

/// <summary>What is left of a case file after its retention period: anonymous, for the dashboard's history.</summary>
public sealed record CaseStatistics(RequestType Type, string Status, DateOnly Received, DateOnly Due, DateOnly? Closed, bool OnTime, bool Extended);

/// <summary>
/// JML's retention schedule for its own DSR records. The working copies (what was gathered from each system, the
/// requester's export) go when the request is answered — for access, when the download link ends. The case file
/// (reference, requester, dates, what was decided and sent, evidence) is kept for <see cref="RetentionSettings.CaseFile"/>
/// after the request closes, to prove JML answered lawfully, and is then reduced to an anonymous statistics row; it is
/// not reduced while the request's workflow still runs (a restriction in place, retained data waiting to be erased) or
/// while a legal hold covers the requester. An erasure removes the person's values from every case file at once.
/// </summary>
public static class CaseFileSchedule
{
    /// <summary>When the working copies of a closed request are deleted: at close, unless a copy was sent, which lasts as long as its link.</summary>
    public static DateTimeOffset CopiesEndAt(RequestType type, string status, DateTimeOffset closedAt, TimeSpan exportLinkLifetime) =>
        type == RequestType.Access && status == RequestStatus.Completed ? closedAt + exportLinkLifetime : closedAt;

    /// <summary>When a closed request's case file is reduced to statistics (if nothing still holds it).</summary>
    public static DateTimeOffset CaseFileEndsAt(DateTimeOffset closedAt, RetentionPeriod caseFile)
    {
        ArgumentNullException.ThrowIfNull(caseFile);
        return caseFile.After(closedAt);
    }

    /// <summary>Whether the case file may be reduced now: its period is over, its workflow has ended, and no legal hold covers the person.</summary>
    public static bool CaseFileEnded(DateTimeOffset closedAt, RetentionPeriod caseFile, DateTimeOffset now, bool workflowEnded, bool legalHold) =>
        workflowEnded && !legalHold && now >= CaseFileEndsAt(closedAt, caseFile);

    /// <summary>When set-aside mail (auto-replies, bounces, our own mail come back) is deleted, unless staff opened it as a request.</summary>
    public static DateTimeOffset SetAsideEndsAt(DateTimeOffset receivedAt, RetentionPeriod setAside)
    {
        ArgumentNullException.ThrowIfNull(setAside);
        return setAside.After(receivedAt);
    }

    /// <summary>On time: answered on or before the due date (UK dates).</summary>
    public static bool OnTime(DateTimeOffset closedAt, DateOnly due) => StatutoryClock.UkDate(closedAt) <= due;

    public static CaseStatistics Statistics(RequestType type, string status, DateTimeOffset receivedAt, DateOnly due, DateTimeOffset? closedAt, bool extended) =>
        new(type, status, StatutoryClock.UkDate(receivedAt), due, closedAt is { } c ? StatutoryClock.UkDate(c) : null, closedAt is { } at && OnTime(at, due), extended);

    /// <summary>The schedule in words, for the README and the evidence pack.</summary>
    public static IReadOnlyList<RetentionLine> Schedule(RetentionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var caseFile = $"{settings.CaseFile} after the request closes (then reduced to an anonymous statistics row)";
        return
        [
            new("gathered/ (what each system returned)", "the person's records as found", "the request closes (access: when the download link ends); at once on erasure"),
            new("exports/ (the requester's copy)", "the copy of the data", $"the download link ends ({Days(settings.ExportLinkLifetime)} after it is sent); at once on erasure"),
            new("inbound-raw/ (the email as received)", "the raw email and attachments", caseFile + "; on erasure reduced to its SHA-256, size and date"),
            new("Requests row", "reference, requester's address, name, subject, the request text, dates, status", caseFile + "; on erasure name, subject and text removed"),
            new("Audit trail, Sends, evidence/", "every step, actor and time; every email sent (subject, delivery); decisions and proof documents", caseFile),
            new("Decisions, Tokens", "staff decisions and the answers given through links", caseFile + "; on erasure reduced to counts and SHA-256 hashes"),
            new("OwnerTasks, RequestSystems", "each system's state in each request and its owner's tasks: system ids, dates, counts, staff names — the owners' records go to gathered/", caseFile),
            new("SystemWaits", "the requests waiting on a paused system (references only)", "the system is resumed"),
            new("Durable Functions history", "the workflow's steps (references, no personal data)", caseFile + "; on erasure purged once the workflow ends"),
            new("SetAside (mail that opened no request)", "sender, subject, reason, raw email", $"{settings.SetAside} after receipt, unless opened as a request"),
            new("InboundMessages (one row per email received)", "a hash of the email, the raw email's name, the request it opened or answered", "with the case file, or with the set-aside email"),
            new("MailRate, SenderRequests", "hashed addresses with counts (mail-loop and sender limits)", "two days after the last email; at once on erasure"),
            new("Restrictions (the restriction register)", "the address of a person whose data is restricted, since when", "the restriction is lifted"),
            new("LegalHolds", "the person under a hold and why (set by staff)", "the hold is lifted"),
            new("Durable task hub queues", "work messages: references only", "processed within seconds; a start that failed five times waits on intake-start-poison for staff"),
            new("Statistics", "type, status, dates, on time or not — no reference, no person", "kept"),
            new("Watchdog (the deadline watchdog's last run)", "when it ran and its counts — no reference, no person", "replaced by the next run"),
        ];
    }

    /// <summary>The schedule of one request, with its dates where they are known.</summary>
    public static IReadOnlyList<RetentionLine> ForRequest(RetentionSettings settings, RequestType type, string status, DateTimeOffset? closedAt, DateTimeOffset? forgottenAt)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (closedAt is not { } closed)
        {
            return [new("this request", "everything listed in the schedule", "open: the schedule applies once it closes")];
        }

        var copies = forgottenAt is { } f ? f : CopiesEndAt(type, status, closed, settings.ExportLinkLifetime);
        var lines = new List<RetentionLine>
        {
            new("working copies (gathered/, exports/)", forgottenAt is null ? "the person's records as found, the copy sent" : "deleted on erasure", Date(copies)),
            new("case file (request, audit, emails, evidence, raw email)", forgottenAt is null ? "as listed in the schedule" : "without the person's values (erasure)",
                Date(CaseFileEndsAt(closed, settings.CaseFile)) + ", or later while the workflow runs or a legal hold applies"),
        };
        return lines;
    }

    private static string Date(DateTimeOffset at) => StatutoryClock.UkDate(at).ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    private static string Days(TimeSpan span) => span.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Round(span.TotalDays)} days")
        : span.ToString("c", CultureInfo.InvariantCulture);
}
