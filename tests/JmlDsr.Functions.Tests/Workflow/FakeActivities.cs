using System.Collections.Concurrent;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Complaints;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Retention;
using JmlDsr.Functions.Verification;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>
/// Stand-ins for every activity in <see cref="DsrTasks.ActivityNames"/>, registered by name. Every call is
/// recorded (thread-safe: activities run concurrently) so tests can assert what the orchestrator did;
/// behaviour is settable per test.
/// </summary>
public sealed class FakeActivities
{
    private readonly Dictionary<string, Action<DurableTaskRegistry>> _fakes;
    private readonly TaskCompletionSource _twoSearchesInFlight = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _searchesInFlight;

    public FakeActivities()
    {
        IdentityOutcome = _ => IdentityKnown ? IdentityOutcomes.Matched : IdentityOutcomes.NotFound;
        _fakes = new Dictionary<string, Action<DurableTaskRegistry>>(StringComparer.Ordinal)
        {
            [nameof(RecordProgress)] = r => Add<ProgressInput, bool>(r, nameof(RecordProgress), _ => true),
            [nameof(SendAcknowledgement)] = r => Add<AcknowledgeInput, bool>(r, nameof(SendAcknowledgement), _ => true),
            [nameof(SendStaffTriage)] = r => Add<StaffNoticeInput, bool>(r, nameof(SendStaffTriage), _ => true),
            [nameof(SendVerificationEmail)] = r => Add<VerificationEmailInput, bool>(r, nameof(SendVerificationEmail), _ => true),
            [nameof(VerifyIdentity)] = r => Add<VerifyIdentityInput, bool>(r, nameof(VerifyIdentity), _ => IdentityKnown),
            [nameof(AssessIdentity)] = r => Add<AssessIdentityInput, IdentityPlan>(r, nameof(AssessIdentity),
                i => new IdentityPlan(i.StaffReason is null ? IdentityCheck.ToWire(IdentityNeed) : IdentityCheck.ToWire(IdentityNeed.ConfirmMailbox), Primary, Linked)),
            [nameof(CheckIdentity)] = r => Add<CheckIdentityInput, string>(r, nameof(CheckIdentity), i => IdentityOutcome(i)),
            [nameof(CheckLinked)] = r => Add<LinkedInput, LinkedWait>(r, nameof(CheckLinked), _ => new LinkedWait(LinkedWaits())),
            [nameof(CloseUnverified)] = r => Add<CloseUnverifiedInput, bool>(r, nameof(CloseUnverified), _ => true),
            [nameof(GatherFromSystem)] = r => AddAsync<GatherInput, GatherSummary>(r, nameof(GatherFromSystem), GatherAsync),
            [nameof(AlertGatheringFailed)] = r => Add<GatheringFailedInput, bool>(r, nameof(AlertGatheringFailed), _ => true),
            [nameof(CheckOwnerTask)] = r => Add<OwnerTaskInput, OwnerTaskState>(r, nameof(CheckOwnerTask), i => OwnerTask(i)),
            [nameof(RecordSystemControl)] = r => Add<SystemControlInput, bool>(r, nameof(RecordSystemControl), _ => true),
            [nameof(FindPausedSystems)] = r => Add<PausedInput, IReadOnlyList<string>>(r, nameof(FindPausedSystems), i => [.. i.SystemIds.Where(Paused)]),
            [nameof(SendApprovalRequest)] = r => Add<ApprovalRequestInput, bool>(r, nameof(SendApprovalRequest), _ => true),
            [nameof(SendCustomerNotice)] = r => Add<CustomerNoticeInput, bool>(r, nameof(SendCustomerNotice), _ => true),
            [nameof(BuildAccessExport)] = r => Add<ExportInput, ExportResult>(r, nameof(BuildAccessExport),
                i => new ExportResult($"{i.Reference}/personal-data.json", $"{i.Reference}/personal-data.html", 10, 20)),
            [nameof(SendAccessFulfilment)] = r => Add<FulfilmentEmailInput, bool>(r, nameof(SendAccessFulfilment), _ => true),
            [nameof(EscalateDeadline)] = r => Add<EscalationInput, bool>(r, nameof(EscalateDeadline), _ => true),
            [nameof(SendStaffReminder)] = r => Add<ReminderInput, bool>(r, nameof(SendStaffReminder), _ => true),
            [nameof(SendClarificationRequest)] = r => Add<ClarificationInput, bool>(r, nameof(SendClarificationRequest), _ => true),
            [nameof(ApplyRectification)] = r => Add<RightsInput, RightsResult>(r, nameof(ApplyRectification), _ => new RightsResult([SystemCatalog.Crm, SystemCatalog.WebsiteAccounts], 2, 1)),
            [nameof(ApplyRestriction)] = r => Add<RightsInput, RightsResult>(r, nameof(ApplyRestriction), _ => new RightsResult(AllSystems, AllSystems.Count, 0)),
            [nameof(LiftRestriction)] = r => Add<RightsInput, RightsResult>(r, nameof(LiftRestriction), _ => new RightsResult(AllSystems, AllSystems.Count, 0)),
            [nameof(DecideObjectionScope)] = r => Add<ObjectionScopeInput, string>(r, nameof(DecideObjectionScope), _ => ObjectionScope),
            [nameof(ApplyObjection)] = r => Add<RightsInput, ObjectionResult>(r, nameof(ApplyObjection), i => new ObjectionResult(
                i.DecisionStep == "objection-marketing" ? ObjectionOutcomes.MarketingStopped : ObjectionDecisionOutcome,
                i.DecisionStep == "objection-marketing" ? [SystemCatalog.Communications, SystemCatalog.Crm] : [SystemCatalog.Crm])),
            [nameof(EraseFromSystem)] = r => Add<EraseInput, EraseResult>(r, nameof(EraseFromSystem), Erase),
            [nameof(NotifyPartners)] = r => Add<PartnerNoticeInput, IReadOnlyList<string>>(r, nameof(NotifyPartners), i => i.Systems.Contains(SystemCatalog.Crm) ? ["Northwind Implementation Partners"] : []),
            [nameof(SendRightsOutcome)] = r => Add<OutcomeInput, bool>(r, nameof(SendRightsOutcome), _ => true),
            [nameof(AlertStepFailed)] = r => Add<StepFailedInput, bool>(r, nameof(AlertStepFailed), _ => true),
            [nameof(ScheduleErasure)] = r => Add<ScheduleErasureInput, bool>(r, nameof(ScheduleErasure), _ => true),
            [nameof(ForgetAfterErasure)] = r => Add<ForgetInput, CaseFileReport>(r, nameof(ForgetAfterErasure), _ => new CaseFileReport(1, 3, 2, 0)),
            [nameof(SendComplaintAcknowledgement)] = r => Add<ComplaintAcknowledgementInput, bool>(r, nameof(SendComplaintAcknowledgement), _ => true),
            [nameof(SendComplaintToStaff)] = r => Add<ComplaintStaffInput, bool>(r, nameof(SendComplaintToStaff), _ => true),
            [nameof(SendComplaintOutcome)] = r => Add<ComplaintOutcomeInput, bool>(r, nameof(SendComplaintOutcome), _ => true),
        };
    }

    /// <summary>
    /// What <see cref="EraseFromSystem"/> answers per system and round; by default everything is erased, except
    /// the contracts system, which retains its records until <see cref="RetainUntil"/> in round 0.
    /// </summary>
    public Func<EraseInput, EraseResult>? EraseBehaviour { get; set; }

    /// <summary>Until when the contracts system keeps its records on the first erasure (null: nothing retained).</summary>
    public DateOnly? RetainUntil { get; set; }

    /// <summary>
    /// Called with each call as soon as it is recorded (on the activity's thread): a simulation's driver indexes the
    /// calls by request and reacts to them, as staff and requesters react to the emails the activities stand for.
    /// </summary>
    public Action<string, object>? Observer { get; set; }

    /// <summary>Every call, in the order the activities started.</summary>
    public ConcurrentQueue<(string Name, object Input)> Calls { get; } = new();

    /// <summary>The names this class has a fake for (a test checks they match <see cref="DsrTasks.ActivityNames"/>).</summary>
    public IReadOnlyCollection<string> Names => _fakes.Keys;

    /// <summary>What <see cref="DecideObjectionScope"/> answers: "marketing" (default) or "other".</summary>
    public string ObjectionScope { get; set; } = Domain.Requests.ObjectionScope.Marketing;

    /// <summary>What <see cref="ApplyObjection"/> answers after a staff decision (an objection to other processing).</summary>
    public string ObjectionDecisionOutcome { get; set; } = ObjectionOutcomes.ProcessingStopped;

    /// <summary>What <see cref="VerifyIdentity"/> answers: false when the confirmed address matches no record.</summary>
    public bool IdentityKnown { get; set; } = true;

    /// <summary>What <see cref="AssessIdentity"/> finds on arrival (version 3): a confirmation by link unless a test says otherwise.</summary>
    public IdentityNeed IdentityNeed { get; set; } = IdentityNeed.ConfirmMailbox;

    /// <summary>Whether the request speaks for those opened with it (sends the acknowledgement and the identity emails).</summary>
    public bool Primary { get; set; } = true;

    /// <summary>The requests opened from the same message.</summary>
    public IReadOnlyList<string> Linked { get; set; } = [];

    /// <summary>What <see cref="CheckIdentity"/> answers; by default matched when <see cref="IdentityKnown"/>, else not found.</summary>
    public Func<CheckIdentityInput, string> IdentityOutcome { get; set; }

    /// <summary>What <see cref="CheckLinked"/> answers on each call: a reason to wait, or null (the default) to go on.</summary>
    public Func<string?> LinkedWaits { get; set; } = () => null;

    /// <summary>What <see cref="CheckOwnerTask"/> answers: by default the owner has confirmed.</summary>
    public Func<OwnerTaskInput, OwnerTaskState> OwnerTask { get; set; } = i => new OwnerTaskState(i.SystemId, true, 0, null, i.At);

    /// <summary>Whether a system is paused now (<see cref="FindPausedSystems"/>, and the search answers "waiting").</summary>
    public Func<string, bool> Paused { get; set; } = _ => false;

    /// <summary>When true for a call, <see cref="GatherFromSystem"/> throws (as a system that is down would).</summary>
    public Func<GatherInput, bool> GatherFails { get; set; } = _ => false;

    /// <summary>
    /// When set, each first-round search waits (up to this long) until another search is in flight with it.
    /// Only an orchestrator that fans out gets past the gate promptly; one that searches system by system never
    /// does. (Two, not seven: the in-process host runs at most one activity per processor at a time.)
    /// </summary>
    public TimeSpan? FanOutGate { get; set; }

    /// <summary>True once two first-round searches were in flight at the same time.</summary>
    public bool SawParallelFanOut => _twoSearchesInFlight.Task.IsCompletedSuccessfully;

    public static IReadOnlyList<string> AllSystems { get; } = DataMap.Shipped.Systems.Select(s => s.Id).ToList();

    public IReadOnlyList<T> Inputs<T>(string name) => Calls.Where(c => c.Name == name).Select(c => (T)c.Input).ToList();

    public int Count(string name) => Calls.Count(c => c.Name == name);

    /// <summary>Registers a fake for every activity the orchestrator may call, by the name it calls it by.</summary>
    public void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var name in DsrTasks.ActivityNames)
        {
            if (!_fakes.TryGetValue(name, out var add))
            {
                throw new InvalidOperationException($"No fake for the activity {name}: add one to {nameof(FakeActivities)}.");
            }

            add(registry);
        }
    }

    private async Task<GatherSummary> GatherAsync(GatherInput input)
    {
        if (FanOutGate is { } gate && input.Round == 1)
        {
            if (Interlocked.Increment(ref _searchesInFlight) >= 2)
            {
                _twoSearchesInFlight.TrySetResult();
            }

            await Task.WhenAny(_twoSearchesInFlight.Task, Task.Delay(gate));
            Interlocked.Decrement(ref _searchesInFlight);
        }

        if (Paused(input.SystemId))
        {
            return new GatherSummary(input.SystemId, 0, null, false, null) { Waiting = SystemStates.Paused };
        }

        return GatherFails(input)
            ? throw new SystemUnavailableException(input.SystemId, $"{input.SystemId} is not answering.")
            : new GatherSummary(input.SystemId, 2, $"{input.Reference}/{input.SystemId}.json", true, null);
    }

    /// <summary>When true for an activity name, every call of it throws (an outside service that is down).</summary>
    public Func<string, bool> Fails { get; set; } = _ => false;

    /// <summary>When true for a call, <see cref="EraseFromSystem"/> throws (a system that refuses the write).</summary>
    public Func<EraseInput, bool> EraseFails { get; set; } = _ => false;

    private EraseResult Erase(EraseInput input)
    {
        if (EraseFails(input))
        {
            throw new InvalidOperationException($"{input.SystemId} refused the erasure.");
        }

        if (EraseBehaviour is { } behave)
        {
            return behave(input);
        }

        var retained = input.SystemId == SystemCatalog.Contracts && input.Round == 0 && RetainUntil is not null;
        return new EraseResult(input.SystemId, input.Round,
        [
            retained
                ? new ErasureLineResult(input.SystemId, "contract", 2, ErasureOutcomes.Retained, "Kept for legal claims.", RetainUntil)
                : new ErasureLineResult(input.SystemId, "record", 2, ErasureOutcomes.Erased, "No rule keeps it.", null),
        ]);
    }

    private void Add<TIn, TOut>(DurableTaskRegistry r, string name, Func<TIn, TOut> behave) =>
        AddAsync<TIn, TOut>(r, name, i => Task.FromResult(behave(i)));

    private void AddAsync<TIn, TOut>(DurableTaskRegistry r, string name, Func<TIn, Task<TOut>> behave) =>
        r.AddActivityFunc<TIn, TOut>(name, (_, input) =>
        {
            ArgumentNullException.ThrowIfNull(input);
            Calls.Enqueue((name, input));
            if (Fails(name))
            {
                throw new InvalidOperationException($"{name} failed (the mail service is down).");
            }

            Observer?.Invoke(name, input);
            return behave(input);
        });
}
