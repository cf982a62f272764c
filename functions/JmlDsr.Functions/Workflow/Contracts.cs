using JmlDsr.Domain.Deadlines;
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
    TimeSpan GatherFirstRetry)
{
    /// <summary>How long the requester has to answer a request for clarification before the request is closed.</summary>
    public TimeSpan ClarificationWindow { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Days before the due date on which the privacy team is reminded (default 7 and 2).</summary>
    public IReadOnlyList<int> ReminderDaysBefore { get; init; } = [7, 2];

    /// <summary>How long after telling the requester (Art 18(3)) a restriction is lifted.</summary>
    public TimeSpan RestrictionLiftNotice { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a step that failed after every retry waits for staff before it is tried again by itself (the request
    /// shows "needs attention" meanwhile; staff can retry sooner from the alert or the console).
    /// </summary>
    public TimeSpan StepAutoRetry { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a request waiting on a paused system looks again (resuming the system also tells the requests waiting on it at once).</summary>
    public TimeSpan PausedSystemCheck { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The data map's systems as the request's workflow searches and changes them, fixed when it starts (a data map changed
    /// meanwhile applies to the next request). Null in inputs written before the data map was configuration: those used
    /// exactly the shipped map's systems.
    /// </summary>
    public IReadOnlyList<WorkflowSystem>? Systems { get; init; }

    /// <summary>The systems this request's workflow works with.</summary>
    public IReadOnlyList<WorkflowSystem> SystemsOrShipped() => Systems ?? WorkflowSystem.From(Domain.Gathering.DataMap.Shipped);

    /// <summary>Deadline simulation only (never set by the app): the statutory instant the orchestration starts at.</summary>
    public DateTimeOffset? SimulatedStart { get; init; }

    /// <summary>Deadline simulation only: how many times faster than real time the statutory clock runs.</summary>
    public double TimeScale { get; init; } = 1;
}

/// <summary>
/// A system as the workflow needs it: its id, its name (for the steps staff see) and the systems whose records give its
/// lookup keys (searched before it, erased after it).
/// </summary>
public sealed record WorkflowSystem(string Id, string Name, IReadOnlyList<string> After)
{
    /// <summary>A system with no API (the data map's <c>owner-task</c>): its owner sends the records and confirms each right done by hand.</summary>
    public bool OwnerTask { get; init; }

    public static IReadOnlyList<WorkflowSystem> From(Domain.Gathering.DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return [.. map.Systems.Select(s => new WorkflowSystem(s.Id, s.Name, [.. map.SourcesOf(s).Select(x => x.Id)]) { OwnerTask = s.Connector.Kind == Connectors.OwnerTaskConnector.KindName })];
    }

    /// <summary>
    /// The systems in waves: each wave only after the systems its lookups read from. Reversed, the order erasure goes in, so that
    /// a system's keys are still there when the systems found by them are erased.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Waves(IReadOnlyList<WorkflowSystem> systems, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(systems);
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var after = systems.ToDictionary(s => s.Id, s => s.After);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var waves = new List<IReadOnlyList<string>>();
        var left = systems.Select(s => s.Id).ToList();
        while (left.Count > 0)
        {
            var wave = left.Where(id => after[id].All(a => done.Contains(a) || !after.ContainsKey(a))).ToList();
            if (wave.Count == 0)
            {
                wave = left; // a cycle the data map's checks would have refused: search them together rather than never
            }

            done.UnionWith(wave);
            left.RemoveAll(wave.Contains);
            if (wave.Where(wanted.Contains).ToList() is { Count: > 0 } w)
            {
                waves.Add(w);
            }
        }

        // A system the workflow's list no longer has (a scheduled erasure in a system since removed) goes last.
        if (wanted.Where(id => !after.ContainsKey(id)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } unknown)
        {
            waves.Add(unknown);
        }

        return waves;
    }
}

/// <summary>The orchestration input: the request by reference only (no personal data in history).</summary>
public sealed record DsrInput(string Reference, RequestType Type, DateTimeOffset ReceivedAt, DsrSettings Settings)
{
    /// <summary>Set when a workflow that failed, was terminated or got stuck is started again: where it stood (the watchdog's restart).</summary>
    public WorkflowState? Resume { get; init; }
}

/// <summary>
/// Where a request's workflow stands: recorded in the request index (<c>Workflow</c>) at every step, so a workflow that
/// failed, was terminated or is stuck can be started again from it. No personal data: a phase, the clock, step names.
/// </summary>
/// <param name="Phase">One of <see cref="WorkflowPhases"/>.</param>
/// <param name="Clock">The statutory clock as it stood.</param>
/// <param name="Type">The request type (after triage, if it needed one).</param>
/// <param name="ApprovedStep">In <see cref="WorkflowPhases.Fulfil"/>: the decision step whose approval is being carried out.</param>
/// <param name="DecisionRound">In <see cref="WorkflowPhases.Decide"/>: the decision round to go on from.</param>
/// <param name="Run">1 for the first run; each restart adds one (its alerts get their own steps).</param>
public sealed record WorkflowState(string Phase, RequestClock Clock, RequestType Type, string? ApprovedStep = null, int DecisionRound = 1, int Run = 1);

/// <summary>The phases a restarted workflow can resume at.</summary>
public static class WorkflowPhases
{
    /// <summary>Before the requester confirmed: the workflow starts again from the acknowledgement (sends are once only).</summary>
    public const string Start = "start";

    /// <summary>Identity confirmed: the systems are searched again and staff asked to decide.</summary>
    public const string Decide = "decide";

    /// <summary>Approved: the systems are searched again and the approved decision carried out (each step is idempotent).</summary>
    public const string Fulfil = "fulfil";

    /// <summary>The statutory part is over (the response was sent): nothing to resume.</summary>
    public const string Done = "done";
}

/// <summary>How the request ended.</summary>
public sealed record DsrOutcome(string Reference, string Status, string? DueDate, bool Overdue);

/// <summary>Event names raised on a request's orchestration.</summary>
public static class DsrEvents
{
    public const string IdentityConfirmed = nameof(IdentityConfirmed);
    public const string StaffDecision = nameof(StaffDecision);
    public const string RetryGathering = nameof(RetryGathering);

    /// <summary>Something happened to one system of the request (a <see cref="LinkDecision"/> whose step is the system's id): <see cref="SystemControls"/>.</summary>
    public const string SystemControl = nameof(SystemControl);
    public const string Classified = nameof(Classified);
    public const string ClarificationAnswered = nameof(ClarificationAnswered);
    public const string LiftRestriction = nameof(LiftRestriction);
    public const string FeePaid = nameof(FeePaid);
    public const string LegalHoldLifted = nameof(LegalHoldLifted);

    /// <summary>A request opened from the same message was answered (raised by its workflow on the linked ones).</summary>
    public const string LinkedAnswered = nameof(LinkedAnswered);
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
    bool Closed = false,
    string? CurrentStep = null,
    string? CurrentActions = null)
{
    /// <summary>Where the workflow now stands (a JSON <see cref="WorkflowState"/>), recorded on the index for a restart; null leaves it.</summary>
    public string? Workflow { get; init; }

    /// <summary>A step that needs attention (what it was doing); the empty string clears it; null leaves it.</summary>
    public string? Attention { get; init; }
}

public sealed record AcknowledgeInput(string Reference, DateOnly DueDate, DateTimeOffset At);

public sealed record VerificationEmailInput(string Reference, string Step, DateTimeOffset LinkExpires, DateTimeOffset At)
{
    /// <summary>What is asked (<see cref="Domain.Requests.IdentityCheck.ToWire"/>): a confirmation from the mailbox by default.</summary>
    public string Need { get; init; } = "confirm-mailbox";

    /// <summary>Why staff asked (shown to the requester); null when the identity check asked on arrival.</summary>
    public string? Reason { get; init; }
}

/// <summary>Decide what, if anything, to ask the requester for (Art 12(6)); <paramref name="StaffReason"/> when staff ask at the decision step.</summary>
public sealed record AssessIdentityInput(string Reference, DateTimeOffset At, string? StaffReason = null);

/// <summary>The identity check's answer: what is needed, whether this request speaks for those opened with it, and their references.</summary>
public sealed record IdentityPlan(string Need, bool Primary, IReadOnlyList<string> Linked);

/// <summary>After the requester answered <paramref name="Step"/>: match what they gave to our records.</summary>
public sealed record CheckIdentityInput(string Reference, string Need, string Step, DateTimeOffset At);

/// <summary>What the match found (no personal data).</summary>
public static class IdentityOutcomes
{
    /// <summary>The person's records were found and the answer is enough: work starts.</summary>
    public const string Matched = "matched";

    /// <summary>Records were found under another address the requester gave: that mailbox confirms next.</summary>
    public const string ConfirmOther = "confirm-other";

    /// <summary>No record of the person in any system: the answer is that JML holds no data about them.</summary>
    public const string NotFound = "not-found";
}

/// <summary>Whether an erasure waits for the access request opened beside it; <see cref="Why"/> null when it does not.</summary>
public sealed record LinkedInput(string Reference, DateOnly Due, DateTimeOffset At);

public sealed record LinkedWait(string? Why);

public sealed record VerifyIdentityInput(string Reference, DateTimeOffset At);

public sealed record CloseUnverifiedInput(string Reference, bool NoReply, DateTimeOffset At);

public sealed record GatherInput(string Reference, string SystemId, int Round)
{
    /// <summary>The workflow's time of the search (an owner task's reminders are due by it); the activity's clock when absent.</summary>
    public DateTimeOffset? At { get; init; }
}

public sealed record GatherSummary(string SystemId, int RecordCount, string? Blob, bool Succeeded, string? Error)
{
    /// <summary>Why the system has not answered yet, without failing: <see cref="SystemStates.WaitingForOwner"/> or <see cref="SystemStates.Paused"/>.</summary>
    public string? Waiting { get; init; }

    /// <summary>When a waiting system is looked at again (the owner's next reminder, the next look at a paused system).</summary>
    public DateTimeOffset? CheckAt { get; init; }

    /// <summary>How staff settled a system instead of a search: skipped or done by hand, by whom and why (no personal data).</summary>
    public string? Settled { get; init; }
}

/// <summary>What can happen to one system of a request, as the <see cref="DsrEvents.SystemControl"/> event's action.</summary>
public static class SystemControls
{
    /// <summary>The owner of an owner-task system answered (records sent, or the right confirmed done).</summary>
    public const string Answered = "answered";

    /// <summary>A paused system was resumed.</summary>
    public const string Resumed = "resumed";

    /// <summary>Staff: search (or write) again now.</summary>
    public const string Retry = "retry";

    /// <summary>Staff: go on without this system, with a reason.</summary>
    public const string Skip = "skip";

    /// <summary>Staff: it was done by hand, with a note of what was done.</summary>
    public const string Done = "done";

    /// <summary>Staff: keep the request waiting for the system's owner (block it until they answer), with the reason.</summary>
    public const string Block = "block";

    /// <summary>Whether staff give a reason or a note with the action.</summary>
    public static bool NeedsNote(string action) => action is Skip or Done or Block;
}

/// <summary>Where one system stands in one request (the RequestSystems table; the console shows it).</summary>
public static class SystemStates
{
    public const string Searched = "searched";
    public const string Failed = "failed";
    public const string WaitingForOwner = "waiting-for-owner";
    public const string Paused = "paused";
    public const string Skipped = "skipped";
    public const string DoneByHand = "done-by-hand";
    public const string Confirmed = "confirmed";

    /// <summary>Whether staff can still act on the system (retry, skip, mark done by hand).</summary>
    public static bool Open(string? state) => state is Failed or WaitingForOwner or Paused;
}

/// <summary>One owner task of a request looked at: opened (the owner mailed), reminded, alerted as due.</summary>
public sealed record OwnerTaskInput(string Reference, string SystemId, string Purpose, DateTimeOffset At)
{
    /// <summary>The staff decision the right carries out (its approved corrections are on the owner's page).</summary>
    public string? DecisionStep { get; init; }
}

/// <summary>An owner task after a look: done (answered, or settled by staff), or when to look again.</summary>
public sealed record OwnerTaskState(string SystemId, bool Done, int RecordCount, string? Settled, DateTimeOffset NextCheck);

/// <summary>Staff settled one system of a request (skipped it, or marked it done by hand), or asked to try it again.</summary>
public sealed record SystemControlInput(string Reference, string SystemId, string Purpose, string Action, string? Note, string Actor, DateTimeOffset At);

/// <summary>Which of a request's systems are paused now, looked at before the systems are changed.</summary>
public sealed record PausedInput(string Reference, IReadOnlyList<string> SystemIds, DateTimeOffset At);

public sealed record GatheringFailedInput(string Reference, string Step, IReadOnlyList<GatherSummary> Failed, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record ApprovalRequestInput(string Reference, string Step, DateOnly DueDate, IReadOnlyList<GatherSummary> Systems, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record CustomerNoticeInput(string Reference, string Step, string? Reason, DateOnly? DueDate, DateTimeOffset At);

public sealed record ExportInput(string Reference, IReadOnlyList<GatherSummary> Systems, DateTimeOffset At, string? DecisionStep = null);

public sealed record ExportResult(string JsonBlob, string HtmlBlob, long JsonBytes, long HtmlBytes);

public sealed record FulfilmentEmailInput(string Reference, ExportResult Export, IReadOnlyList<GatherSummary> Systems, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record StepFailedInput(string Reference, string Step, string What, string Error, DateTimeOffset LinkExpires, DateTimeOffset At);

public sealed record ReminderInput(string Reference, DateOnly DueDate, int DaysBefore, string Status, DateTimeOffset At);

public sealed record ClarificationInput(string Reference, string Step, string Question, DateTimeOffset LinkExpires, DateTimeOffset At);

/// <summary>Applies the staff decision of <paramref name="DecisionStep"/> (its details are in the Decisions table, not in history).</summary>
public sealed record RightsInput(string Reference, string DecisionStep, DateTimeOffset At);

/// <summary>What a rectification or restriction did, without the values: which systems changed, how many fields.</summary>
public sealed record RightsResult(IReadOnlyList<string> SystemsChanged, int Applied, int Refused);

public sealed record EraseInput(string Reference, string SystemId, int Round, DateTimeOffset At);

/// <summary>One system and category after erasure: no values, only counts, outcomes and dates.</summary>
public sealed record ErasureLineResult(string SystemId, string Category, int Count, string Outcome, string Reason, DateOnly? RetainUntil);

public sealed record EraseResult(string SystemId, int Round, IReadOnlyList<ErasureLineResult> Lines);

/// <summary>After an erasure: remove the person's values from the product's own records of their requests.</summary>
public sealed record ForgetInput(string Reference, DateTimeOffset At);

/// <summary>What Art 19 notices are about.</summary>
public static class PartnerActions
{
    public const string Rectification = "rectification";
    public const string Restriction = "restriction";
    public const string RestrictionLifted = "restriction-lifted";
    public const string Erasure = "erasure";

    /// <summary>Art 21(2)-(3): partners that market are told to stop (not an Art 19 notice, but the same channel).</summary>
    public const string ObjectionMarketing = "objection-marketing";
}

/// <summary>Which objection a request makes (Art 21): <see cref="Domain.Requests.ObjectionScope"/>; no personal data.</summary>
public sealed record ObjectionScopeInput(string Reference, DateTimeOffset At);

/// <summary>What an objection did: <see cref="ObjectionOutcomes"/>, and which systems changed.</summary>
public sealed record ObjectionResult(string Outcome, IReadOnlyList<string> SystemsChanged);

/// <summary>How an objection ended (wire names).</summary>
public static class ObjectionOutcomes
{
    /// <summary>Direct marketing stopped everywhere, on the suppression list (Art 21(3)).</summary>
    public const string MarketingStopped = "marketing-stopped";

    /// <summary>Processing on legitimate interests stopped: no compelling grounds (Art 21(1)).</summary>
    public const string ProcessingStopped = "processing-stopped";

    /// <summary>Staff recorded compelling legitimate grounds; processing continues (Art 21(1)).</summary>
    public const string GroundsShown = "grounds-shown";
}

/// <summary>Outcomes of erasure per record (wire names).</summary>
public static class ErasureOutcomes
{
    public const string Erased = "erased";
    public const string Anonymised = "anonymised";
    public const string Retained = "retained";
}

/// <summary>Art 19: tell every recipient of the person's data what was done.</summary>
public sealed record PartnerNoticeInput(string Reference, string Action, IReadOnlyList<string> Systems, DateTimeOffset At);

/// <summary>The customer's outcome email for rectification, restriction, erasure and their follow-ups.</summary>
public sealed record OutcomeInput(string Reference, string Kind, IReadOnlyList<string> Partners, IReadOnlyList<ErasureLineResult> Erasure, DateOnly? Date, string? Reason, DateTimeOffset At);

public sealed record EscalationInput(string Reference, DateOnly DueDate, string Status, DateTimeOffset At);

public sealed record StaffNoticeInput(string Reference, string Step, DateOnly DueDate, DateTimeOffset At);

/// <summary>Helpers shared by activities that describe systems to people.</summary>
public static class Summaries
{
    public static IReadOnlyList<SystemSummary> ToEmail(Domain.Gathering.DataMap map, IEnumerable<GatherSummary> systems) =>
        systems.Select(s => new SystemSummary(s.SystemId, map.NameOf(s.SystemId), s.RecordCount, s.Succeeded, s.Error)).ToList();
}
