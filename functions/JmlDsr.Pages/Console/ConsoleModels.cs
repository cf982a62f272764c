namespace JmlDsr.Pages.Console;

/// <summary>What the queue's last column says of a request.</summary>
public enum QueueState
{
    /// <summary>The clock runs: the days left.</summary>
    Running,

    /// <summary>Past its due date with the clock running.</summary>
    Overdue,

    /// <summary>The clock is stopped, waiting for the requester (Art 12A).</summary>
    Paused,

    Closed,

    /// <summary>A complaint not yet acknowledged (DPA 2018 s 164A(3)): the days left to acknowledge it.</summary>
    ToAcknowledge,

    /// <summary>A complaint acknowledged: its outcome is due without undue delay.</summary>
    Acknowledged,
}

/// <summary>One row of the queue: the requester's address masked, dates as shown.</summary>
public sealed record QueueRow(string Reference, string Type, string Requester, string Status, string Received, string Due, bool Complaint, QueueState State, int? DaysLeft);

/// <summary>The queue's filters as the staff member set them.</summary>
public sealed record QueueFilter(string Show, string Type, string Status, string Query)
{
    /// <summary>Words the subject contains (a campaign's near-identical requests share them).</summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>Received on or after this day (yyyy-MM-dd), or empty.</summary>
    public string From { get; init; } = string.Empty;

    /// <summary>The page shown, from 1.</summary>
    public int Page { get; init; } = 1;
}

/// <summary>What a bulk action did: how many of how many, and each request it could not act on, with why.</summary>
public sealed record BulkOutcome(string Action, int Done, int Asked, IReadOnlyList<string> NotDone);

/// <summary>A choice of a filter's select.</summary>
public sealed record FilterOption(string Value, string Text);

/// <summary>Who acts for whom on an agent's request, and where their authority stands.</summary>
public sealed record AgentFacts(string Kind, string AgentName, string AgentEmail, string SubjectName, string SubjectEmail, string Authority);

/// <summary>A request's statutory clock as shown (UK GDPR Art 12(3), Art 12A).</summary>
public sealed record ClockFacts(string RunsFrom, int PausedDays, string Due, bool Extended, bool Overdue);

/// <summary>A complaint's own timeline (DPA 2018 s 164A): the request it is about, its acknowledgement and its outcome.</summary>
public sealed record ComplaintFacts(string? AboutReference, bool Acknowledged, string AcknowledgeBy, string? OutcomeSentOn);

/// <summary>What one system returned for the request: null count when it has not been searched yet.</summary>
public sealed record SystemRow(string Name, int? Count, IReadOnlyList<RecordPreview> Preview)
{
    public string Id { get; init; } = string.Empty;

    /// <summary>Where the system stands in the request (searched, waiting for its owner, paused, failed, skipped...), if known.</summary>
    public string? State { get; init; }

    public string? StateDetail { get; init; }

    /// <summary>Whether staff can retry it, skip it with a reason or mark it done by hand now.</summary>
    public bool Controllable { get; init; }

    /// <summary>The owner's page of its open task, signed for the staff member (to send the records or confirm for the owner).</summary>
    public string? OwnerPage { get; init; }
}

/// <summary>A paused system on the Systems page.</summary>
public sealed record PauseView(string By, string Since, string Reason);

/// <summary>One record of a system's preview: its category and its first fields.</summary>
public sealed record RecordPreview(string Category, string Fields);

/// <summary>One audit entry on the request's timeline.</summary>
public sealed record TimelineEntry(DateTimeOffset At, string When, string Step, string Detail, string Actor);

/// <summary>Everything the request page shows.</summary>
public sealed class RequestView
{
    public required string Reference { get; init; }

    public required string TypeTitle { get; init; }

    public required string Status { get; init; }

    public bool Complaint { get; init; }

    public string? RequesterName { get; init; }

    public required string RequesterEmail { get; init; }

    public required string Channel { get; init; }

    public required string Received { get; init; }

    public AgentFacts? Agent { get; init; }

    /// <summary>Another address the requester gave, under which records were found.</summary>
    public string? FoundUnder { get; init; }

    public string? IdentityNeed { get; init; }

    public string? IdentityReason { get; init; }

    public IReadOnlyList<string> Linked { get; init; } = [];

    /// <summary>For an objection (Art 21): what it objects to and how it is decided.</summary>
    public string? ObjectionTo { get; init; }

    public ComplaintFacts? ComplaintFacts { get; init; }

    public ClockFacts? Clock { get; init; }

    public string? Subject { get; init; }

    public string? ClassifiedBecause { get; init; }

    public string? SenderAuthentication { get; init; }

    /// <summary>A complaint's words as received, which staff answer from here.</summary>
    public string? ComplaintText { get; init; }

    /// <summary>The corrections forms (split, merge, agent) are offered while the request is open.</summary>
    public bool OffersCorrections { get; init; }

    public string? CorrectionError { get; init; }

    /// <summary>What each system returned; null for a complaint.</summary>
    public IReadOnlyList<SystemRow>? Systems { get; init; }

    public IReadOnlyList<TimelineEntry> Timeline { get; init; } = [];
}

/// <summary>A figure on the dashboard.</summary>
public sealed record DashboardCard(string Id, string Value, string Label);

/// <summary>An open request the deadline watchdog does not vouch for, and what staff can do about it.</summary>
/// <param name="RestartedAt">When staff restarted it, if the watchdog has not looked since.</param>
/// <param name="RestartToken">The single-use restart link's token, when a restart is offered.</param>
public sealed record NotWatchedRow(string Reference, string Status, string Due, string Problem, string? RestartedAt, string? RestartToken);

/// <summary>An open request with a step that failed after every retry and waits for staff.</summary>
public sealed record AttentionRow(string Reference, string Status, string Due, string WhatFailed);

/// <summary>The open requests of one type.</summary>
public sealed record TypeCount(string Type, int Open);

/// <summary>One set-aside email: who, what, why it opened no request, and the request it became, if any.</summary>
public sealed record SetAsideRow(string Id, string Received, string Reason, string From, string Subject, string Explanation,
    IReadOnlyList<string> QuotedReferences, string? OpenedAs, string? OpenedBy);
