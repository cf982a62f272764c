using System.Text.Json;

namespace JmlDsr.Domain.Evidence;

/// <summary>A request's evidence pack: the clock and how it was counted, every step, every email, the proof documents, what is kept.</summary>
public sealed record EvidencePack(
    string Reference, string Type, string TypeWire, string Status, string Channel, EvidenceRequester Requester, DateTimeOffset ReceivedAt, string? RawBlob,
    EvidenceClock Clock, string? Outcome, string? WorkflowStatus, IReadOnlyList<EvidenceStep> Searches, IReadOnlyList<EvidenceStep> Decisions,
    IReadOnlyList<EvidenceEmail> Emails, IReadOnlyList<EvidenceStep> Timeline, IReadOnlyDictionary<string, JsonElement> Documents, DateTimeOffset GeneratedAt)
{
    /// <summary>This request's records and when each ends (JML's retention schedule applied to it).</summary>
    public IReadOnlyList<JmlDsr.Domain.Retention.RetentionLine> Retention { get; init; } = [];

    /// <summary>JML's retention schedule for DSR records: every store, what it keeps, for how long.</summary>
    public IReadOnlyList<JmlDsr.Domain.Retention.RetentionLine> RetentionSchedule { get; init; } = [];
}

public sealed record EvidenceRequester(string Email, string? Name);

public sealed record EvidenceClock(string Method, DateOnly ReceivedOn, string RelevantDate, int PausedDays, bool Extended, string DueDate, DateOnly? ClosedOn, bool? OnTime, bool Overdue);

public sealed record EvidenceStep(DateTimeOffset At, string Step, string Actor, string Detail);

/// <summary>An email of the request; LastEvent is SendGrid's latest word on it (processed, delivered, bounce, ...).</summary>
public sealed record EvidenceEmail(string Step, string Subject, bool Sent, DateTimeOffset? SentAt, string? LastEvent, DateTimeOffset? LastEventAt, bool Undeliverable);
