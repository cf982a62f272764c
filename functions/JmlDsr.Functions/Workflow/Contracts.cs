using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// Settings the orchestration needs, passed in its input so that replay never reads configuration.
/// </summary>
public sealed record DsrSettings(
    TimeSpan VerificationWindow,
    TimeSpan ApprovalLinkLifetime,
    TimeSpan ExportLinkLifetime,
    IReadOnlyList<DateOnly> ExtraBankHolidays,
    int GatherAttempts,
    TimeSpan GatherFirstRetry);

/// <summary>The orchestration input: the request by reference only (no personal data in history).</summary>
public sealed record DsrInput(string Reference, RequestType Type, DateTimeOffset ReceivedAt, DsrSettings Settings);

/// <summary>How the request ended.</summary>
public sealed record DsrOutcome(string Reference, string Status, string? DueDate, bool Overdue);

/// <summary>Event names raised on a request's orchestration.</summary>
public static class DsrEvents
{
    public const string IdentityConfirmed = nameof(IdentityConfirmed);
    public const string StaffDecision = nameof(StaffDecision);
    public const string RetryGathering = nameof(RetryGathering);
    public const string Classified = nameof(Classified);
}

/// <summary>What a signed link (or the console) reports: who acted, on which step, what they chose.</summary>
public sealed record LinkDecision(string Step, string Action, string? Reason, string Actor, DateTimeOffset At);

/// <summary>Staff set the type of a message that was not recognised on arrival.</summary>
public sealed record ClassifiedEvent(RequestType Type, string Actor, DateTimeOffset At);

// Activity inputs and outputs.

/// <summary>Status/due-date change plus the audit entry that explains it.</summary>
public sealed record ProgressInput(
    string Reference,
    DateTimeOffset At,
    string Step,
    string Detail,
    string Actor = "system",
    string? Status = null,
    DateOnly? RelevantDate = null,
    DateOnly? DueDate = null,
    int? PausedDays = null,
    bool? Extended = null,
    bool? Overdue = null,
    RequestType? Type = null,
    bool Closed = false);

public sealed record AcknowledgeInput(string Reference, DateOnly DueDate, DateTimeOffset At);

public sealed record VerificationEmailInput(string Reference, string Step, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record VerifyIdentityInput(string Reference, DateTimeOffset At);

public sealed record CloseUnverifiedInput(string Reference, bool NoReply, DateTimeOffset At);

public sealed record GatherInput(string Reference, string SystemId, int Round);

public sealed record GatherSummary(string SystemId, int RecordCount, string? Blob, bool Succeeded, string? Error);

public sealed record GatheringFailedInput(string Reference, string Step, IReadOnlyList<GatherSummary> Failed, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record ApprovalRequestInput(string Reference, string Step, DateOnly DueDate, IReadOnlyList<GatherSummary> Systems, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record CustomerNoticeInput(string Reference, string Step, string? Reason, DateOnly? DueDate, DateTimeOffset At);

public sealed record ExportInput(string Reference, IReadOnlyList<GatherSummary> Systems, DateTimeOffset At);

public sealed record ExportResult(string JsonBlob, string HtmlBlob, long JsonBytes, long HtmlBytes);

public sealed record FulfilmentEmailInput(string Reference, ExportResult Export, IReadOnlyList<GatherSummary> Systems, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record EscalationInput(string Reference, DateOnly DueDate, string Status, DateTimeOffset At);

public sealed record StaffNoticeInput(string Reference, string Step, DateOnly DueDate, DateTimeOffset At);

/// <summary>Helpers shared by activities that describe systems to people.</summary>
public static class Summaries
{
    public static IReadOnlyList<SystemSummary> ToEmail(IEnumerable<GatherSummary> systems) =>
        systems.Select(s => new SystemSummary(s.SystemId, Domain.Gathering.SystemCatalog.Get(s.SystemId).Name, s.RecordCount, s.Succeeded, s.Error)).ToList();
}
