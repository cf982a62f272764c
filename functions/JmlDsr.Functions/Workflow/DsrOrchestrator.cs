using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Verification;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// The statutory part of one request, from receipt to the response: acknowledge, verify identity (clock stopped),
/// gather from every system in parallel, staff decision, fulfil — with the statutory deadline racing every wait. It ends
/// when the response is sent; what lasts longer (retained records erased when their rule ends, a restriction lifted)
/// is scheduled work with its own short workflow. Deterministic: time from the context, settings from the input, no I/O.
/// </summary>
public static class DsrOrchestrator
{
    [Function(nameof(DsrOrchestrator))]
    public static Task<DsrOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<DsrInput>() ?? throw new InvalidOperationException("DsrOrchestrator needs its input.");
        return RunAsync(context, input);
    }

    public static Task<DsrOutcome> RunAsync(TaskOrchestrationContext context, DsrInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        return new DsrFlow(context, input).RunAsync();
    }
}

/// <summary>
/// One run of a request workflow: its clock, its status and where it stands, plus the calls every phase uses (the
/// retry policy, the deadline-racing wait, progress). The phases live beside their activities: identity in
/// <see cref="Verification"/>, gathering in <see cref="GatheringPhase"/>, the decision in <see cref="DecisionPhase"/>,
/// each right's fulfilment in its own file under Fulfilment.
/// </summary>
internal sealed class DsrFlow
{
    internal const string VerifyStep = "verify";

    // A plain constructor, not a primary one: the DurableTask analyzers follow calls from the
    // orchestrator into this class and fail on primary constructors.
    private readonly TaskOrchestrationContext ctx;
    private readonly DateTime _realStart;
    private readonly bool _recordsState;

    public DsrFlow(TaskOrchestrationContext context, DsrInput input, bool recordsState = true)
    {
        ctx = context;
        _realStart = context.CurrentUtcDateTime;
        Input = input;
        _recordsState = recordsState;
        Calendar = BankHolidayCalendar.EnglandAndWales.With(input.Settings.ExtraBankHolidays);
        Clock = input.Resume?.Clock ?? RequestClock.Start(input.ReceivedAt, Calendar);
        Type = input.Resume?.Type ?? input.Type;
        Run = input.Resume?.Run ?? 1;
        Steps = new StepRunner(this);
        Wait = new DeadlineWait(this);
    }

    internal TaskOrchestrationContext Context => ctx;

    internal DsrInput Input { get; }

    internal DsrSettings Settings => Input.Settings;

    internal string Ref => Input.Reference;

    internal BankHolidayCalendar Calendar { get; }

    /// <summary>The statutory clock; phases replace it through its methods, never by arithmetic of their own.</summary>
    internal RequestClock Clock { get; set; }

    internal string Status { get; private set; } = RequestStatus.Received;

    internal RequestType Type { get; set; }

    /// <summary>1, or the restart number when the watchdog started this workflow again.</summary>
    internal int Run { get; }

    /// <summary>Where the workflow stands, recorded with every progress write so a restart can resume it.</summary>
    internal string Phase { get; set; } = WorkflowPhases.Start;

    internal string? ApprovedStep { get; set; }

    internal int DecisionRound { get; set; } = 1;

    /// <summary>The requests opened from the same message (references only), told when this one is answered.</summary>
    internal IReadOnlyList<string> Linked { get; set; } = [];

    internal StepRunner Steps { get; }

    /// <summary>What each system gave the search (counts and blob names only), once gathering is done.</summary>
    internal IReadOnlyList<GatherSummary> Gathered { get; set; } = [];

    internal DeadlineWait Wait { get; }

    /// <summary>
    /// Whether this instance runs the current workflow (version 2 and later): the statutory part ends with the response and
    /// a step that fails waits visibly with an automatic retry. Instances started at an older version replay as they ran.
    /// </summary>
    internal bool ShortWorkflow => DsrVersions.AtLeast(ctx, DsrVersions.ShortWorkflows);

    /// <summary>
    /// Whether the statutory clock runs now, so that a wait for staff (a step that needs attention) is raced by the
    /// deadline: not while it is stopped (identity, clarification, fee), not once the request is answered, never in a
    /// tail's workflow. Version 1 raced every such wait.
    /// </summary>
    internal bool ClockRuns => !ShortWorkflow || (_recordsState && DeadlineWatch.ClockRuns(Type, Status));

    /// <summary>
    /// The statutory "now". Normally the orchestration's own time; in a deadline simulation (settings
    /// <see cref="DsrSettings.SimulatedStart"/> and <see cref="DsrSettings.TimeScale"/>) a virtual time that starts at
    /// the simulated instant and runs <c>TimeScale</c> times faster, so a year of requests runs in minutes through the
    /// real orchestration. Deterministic either way: it derives from the context's replay-safe time.
    /// </summary>
    internal DateTimeOffset Now => new(ToVirtual(ctx.CurrentUtcDateTime), TimeSpan.Zero);

    private DateTime ToVirtual(DateTime real) =>
        Settings.SimulatedStart is { } start ? start.UtcDateTime + ((real - _realStart) * Settings.TimeScale) : real;

    private DateTime ToReal(DateTime virtualUtc) =>
        Settings.SimulatedStart is { } start ? _realStart + ((virtualUtc - start.UtcDateTime) / Settings.TimeScale) : virtualUtc;

    /// <summary>A durable timer for a statutory instant (virtual in a simulation).</summary>
    internal Task TimerAt(DateTime virtualUtc, CancellationToken token) => ctx.CreateTimer(ToReal(virtualUtc), token);

    public async Task<DsrOutcome> RunAsync()
    {
        var resume = Input.Resume;
        if (resume is { Phase: WorkflowPhases.Done })
        {
            return Outcome();
        }

        if (resume is null || resume.Phase == WorkflowPhases.Start)
        {
            if (!await IdentityPhase.RunAsync(this))
            {
                return Outcome();
            }
        }
        else
        {
            Phase = resume.Phase;
            ApprovedStep = resume.ApprovedStep;
            DecisionRound = resume.DecisionRound;
            await AuditAsync($"workflow-restarted-{Run}",
                $"The workflow was started again (run {Run}) from its recorded state ({resume.Phase}); due {Clock.Due:yyyy-MM-dd}. The systems are searched again; every step already done is done once only.");
        }

        var systems = await GatheringPhase.RunAsync(this);
        Gathered = systems;
        if (Type == RequestType.Objection && ApprovedStep is null && await ObjectionFulfilment.IsMarketingAsync(this))
        {
            // Art 21(2)-(3): an objection to direct marketing is absolute; it takes effect without a staff decision.
            Phase = WorkflowPhases.Fulfil;
            ApprovedStep = ObjectionFulfilment.MarketingStep;
        }

        if (!(Phase == WorkflowPhases.Fulfil && ApprovedStep is not null))
        {
            var approved = await DecisionPhase.RunAsync(this, systems, DecisionRound);
            if (approved is null)
            {
                return Outcome();
            }

            Phase = WorkflowPhases.Fulfil;
            ApprovedStep = approved.Step;
        }

        switch (Type)
        {
            case RequestType.Access:
                await AccessFulfilment.RunAsync(this, systems, ApprovedStep!);
                break;
            case RequestType.Rectification:
                await RectificationFulfilment.RunAsync(this, ApprovedStep!);
                break;
            case RequestType.Restriction:
                await RestrictionFulfilment.RunAsync(this, ApprovedStep!);
                break;
            case RequestType.Erasure:
                await ErasureFulfilment.RunAsync(this, systems);
                break;
            case RequestType.Objection:
                await ObjectionFulfilment.RunAsync(this, ApprovedStep!);
                break;
            default:
                await ProgressAsync(RequestStatus.NeedsTriage, "unsupported", $"No fulfilment for type {Type}.");
                break;
        }

        return Outcome();
    }

    /// <summary>Closes the statutory part: on time or late, recorded; <paramref name="current"/> keeps a staff action open (lifting a restriction).</summary>
    internal async Task CompleteAsync(string status, string what, (string Step, string[] Actions)? current = null)
    {
        await Wait.CheckDeadlineAsync();
        var late = Clock.IsOverdue(Now);
        Phase = WorkflowPhases.Done;
        await ProgressAsync(status, "completed",
            late ? $"{what}, after the due date {Clock.Due:yyyy-MM-dd}." : $"{what}, on time (due {Clock.Due:yyyy-MM-dd}).",
            closed: true, currentStep: current?.Step, currentActions: current is { } c ? string.Join(',', c.Actions) : null);
        foreach (var other in Linked)
        {
            // An erasure opened from the same message waits for this answer (it also looks again by itself every six hours).
            ctx.SendEvent(other, DsrEvents.LinkedAnswered, new LinkDecision("linked", "answered", null, "system", Now));
        }
    }

    /// <summary>Art 19: tells every recipient of the changed systems; none when nothing changed.</summary>
    internal async Task<IReadOnlyList<string>> NotifyPartnersAsync(string action, IReadOnlyList<string> systemsChanged) =>
        systemsChanged.Count == 0
            ? []
            : await Steps.CallAsync(DsrActivities.NotifyPartners, new PartnerNoticeInput(Ref, action, systemsChanged, Now));

    internal DsrOutcome Outcome() => new(Ref, Status, Clock.Due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Clock.Escalated);

    /// <summary>The state a restart would resume from.</summary>
    internal WorkflowState State() => new(Phase, Clock, Type, ApprovedStep, DecisionRound, Run);

    /// <summary>An audit entry only.</summary>
    internal Task<bool> AuditAsync(string step, string detail, string actor = "system") =>
        Steps.CallAsync(DsrActivities.RecordProgress, new ProgressInput(Ref, Now, step, detail, actor));

    /// <summary>A status change, the audit entry that explains it, and where the workflow now stands.</summary>
    internal Task<bool> ProgressAsync(string status, string step, string detail, string actor = "system", DateOnly? relevant = null, DateOnly? due = null,
        int? paused = null, bool? extended = null, bool? overdue = null, RequestType? t = null, bool closed = false, string? currentStep = null, string? currentActions = null)
    {
        Status = status;
        ctx.SetCustomStatus(status);
        var state = _recordsState && ShortWorkflow ? WorkflowStates.ToJson(State()) : null;
        return Steps.CallAsync(DsrActivities.RecordProgress,
            new ProgressInput(Ref, Now, step, detail, actor, status, relevant, due, paused, extended, overdue, t, closed, currentStep, currentActions) { Workflow = state });
    }

    internal static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
