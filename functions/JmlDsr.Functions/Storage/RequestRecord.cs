using Azure;
using Azure.Data.Tables;

namespace JmlDsr.Functions.Storage;

/// <summary>One row per request: the index the API and the console read. PartitionKey "request", RowKey = reference.</summary>
public sealed class RequestRecord : ITableEntity
{
    public const string Partition = "request";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Type { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public string Channel { get; set; } = "email";

    public string RequesterEmail { get; set; } = string.Empty;

    public string? RequesterName { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>UK date of the relevant time (Art 12A), yyyy-MM-dd.</summary>
    public string RelevantDate { get; set; } = string.Empty;

    /// <summary>Due date, yyyy-MM-dd.</summary>
    public string DueDate { get; set; } = string.Empty;

    public int PausedDays { get; set; }

    public bool Extended { get; set; }

    public bool Overdue { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? Outcome { get; set; }

    public string? RawBlob { get; set; }

    public string? Subject { get; set; }

    /// <summary>What the person asked, in their words (the email text, or what staff logged), for the decision pages.</summary>
    public string? Details { get; set; }

    /// <summary>The request this complaint is about, if any (DPA 2018 s 164A).</summary>
    public string? AboutReference { get; set; }

    public string? ClassificationReason { get; set; }

    /// <summary>For an objection: "marketing" or "other" (Domain ObjectionScope), read from the wording or set by staff.</summary>
    public string? ObjectionScope { get; set; }

    /// <summary>Whether SPF or DKIM passed aligned with the From domain (emailed requests only).</summary>
    public bool? SenderAuthenticated { get; set; }

    /// <summary>The sender-authentication verdict in words, e.g. "SPF pass (aligned), DKIM pass (example.com, aligned)".</summary>
    public string? SenderAuthentication { get; set; }

    /// <summary>When an erasure by this person removed their values from this request's records (name, text, copies, raw email).</summary>
    public DateTimeOffset? ForgottenAt { get; set; }

    /// <summary>When the working copies (gathered/, exports/) of this request were deleted.</summary>
    public DateTimeOffset? CopiesDeletedAt { get; set; }

    /// <summary>When this request's Durable history was purged.</summary>
    public DateTimeOffset? HistoryPurgedAt { get; set; }

    /// <summary>Where the workflow stands (a JSON <c>WorkflowState</c>: phase, clock, steps), so a failed or terminated workflow can be restarted from it.</summary>
    public string? Workflow { get; set; }

    /// <summary>A step that failed after every retry and waits for staff (or the automatic retry): what it was doing. Null when nothing does.</summary>
    public string? Attention { get; set; }

    /// <summary>The decision the workflow waits for now (e.g. approval-2), so the console can offer it.</summary>
    public string? CurrentStep { get; set; }

    /// <summary>Comma-separated actions allowed at <see cref="CurrentStep"/>.</summary>
    public string? CurrentActions { get; set; }

    public DateTimeOffset? CurrentStepExpires { get; set; }

    /// <summary>
    /// The orchestration time of the last change applied. Activities run at least once and a redelivered
    /// one can arrive after later steps (e.g. after a crash): a change older than this is not applied.
    /// </summary>
    public DateTimeOffset? ProgressAt { get; set; }

    /// <summary>Applies <paramref name="change"/> only if it is not older than the last one applied.</summary>
    public bool ApplyInOrder(DateTimeOffset at, Action<RequestRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (ProgressAt is { } last && at < last)
        {
            return false;
        }

        change(this);
        ProgressAt = at;
        return true;
    }

    // The deadline watchdog's last look at this request (written by it alone, merged, never moving ProgressAt).

    /// <summary>The deadline watchdog's last verdict on the workflow ("watched", "failed", "terminated", "missing", "stuck").</summary>
    public string? WatchVerdict { get; set; }

    /// <summary>The last verdict in words (statuses and times only).</summary>
    public string? WatchReason { get; set; }

    /// <summary>When the problem of <see cref="WatchVerdict"/> began (null when watched): it names the alert and its restart link.</summary>
    public DateTimeOffset? WatchSince { get; set; }

    /// <summary>When the deadline watchdog last looked at this request.</summary>
    public DateTimeOffset? WatchedAt { get; set; }

    /// <summary>When staff last restarted the workflow (from the watchdog's alert or the console).</summary>
    public DateTimeOffset? RestartedAt { get; set; }

    // Who the request is about, and how sure we are (Art 12(6)).

    /// <summary>What the identity check asked for (<see cref="Domain.Requests.IdentityCheck.ToWire"/>); null before it ran.</summary>
    public string? IdentityNeed { get; set; }

    /// <summary>Why (recorded in the evidence too).</summary>
    public string? IdentityReason { get; set; }

    /// <summary>Whether the mail proves the requester sent it (<see cref="Domain.Requests.IdentityCheck.MailProvesSender"/>): authenticated, and they are its From.</summary>
    public bool? RequesterAuthenticated { get; set; }

    /// <summary>Set when the request is made on someone else's behalf: "solicitor", "relative" or "representative".</summary>
    public string? AgentKind { get; set; }

    /// <summary>For an agent's request: the data subject's address, whose records are searched (the requester is the agent).</summary>
    public string? SubjectEmail { get; set; }

    /// <summary>For an agent's request: the data subject's name as the agent gave it.</summary>
    public string? SubjectName { get; set; }

    /// <summary>When the agent's authority was received (the evidence blob is <see cref="AuthorityBlob"/>).</summary>
    public DateTimeOffset? AuthorityReceivedAt { get; set; }

    /// <summary>The agent's signed authority as kept in the case file (evidence container).</summary>
    public string? AuthorityBlob { get; set; }

    /// <summary>Who accepted the agent's authority (a staff identity), and when: the response goes to the agent only after.</summary>
    public string? AuthorityAcceptedBy { get; set; }

    /// <summary>The other requests opened from the same message (comma-separated references), each dealt with in its own right.</summary>
    public string? Linked { get; set; }

    /// <summary>For a request opened beside another from one message: the request whose emails speak for both (acknowledgement, confirmation).</summary>
    public string? PrimaryReference { get; set; }

    /// <summary>The address whose records are the person's: the data subject's for an agent or another address the requester gave; else the requester's.</summary>
    public string PersonEmail() => string.IsNullOrEmpty(SubjectEmail) ? RequesterEmail : SubjectEmail;

    /// <summary>Links another request to this one (kept once, in the order linked).</summary>
    public void LinkTo(string reference) =>
        Linked = string.Join(',', LinkedReferences().Append(reference).Distinct(StringComparer.Ordinal));

    /// <summary>The other requests opened from the same message.</summary>
    public IReadOnlyList<string> LinkedReferences() =>
        string.IsNullOrEmpty(Linked) ? [] : Linked.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>An append-only audit entry. PartitionKey = reference; RowKey = sortable time + step, so a retried write lands on itself.</summary>
public sealed class AuditRecord : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset At { get; set; }

    public string Step { get; set; } = string.Empty;

    public string Actor { get; set; } = string.Empty;

    public string Detail { get; set; } = string.Empty;

    public static string KeyFor(DateTimeOffset at, string step) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{at.UtcTicks:D19}-{step}");
}
