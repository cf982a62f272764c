using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Retention;
using JmlDsr.Functions.Verification;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// One request, from receipt to close: acknowledge, verify identity (clock stopped), gather from every
/// system in parallel, staff decision, fulfil — with the statutory deadline racing every wait.
/// Deterministic: time from the context, settings from the input, no I/O.
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
        var flow = new DsrFlow(context, input);
        return flow.RunAsync();
    }
}

/// <summary>The state of one run of <see cref="DsrOrchestrator"/>: the clock and where the request is.</summary>
internal sealed class DsrFlow
{
    private const string VerifyStep = "verify";
    private const string LiftStep = "lift-restriction";

    // A plain constructor, not a primary one: the DurableTask analyzers follow calls from the
    // orchestrator into this class and fail on primary constructors.
    private readonly TaskOrchestrationContext ctx;
    private readonly DsrInput input;
    private readonly BankHolidayCalendar _calendar;
    private readonly DateOnly _received;
    private readonly DateTime _realStart;
    private DateOnly _relevant;
    private int _pausedDays;
    private int _clarificationDays;
    private int _failures;
    private readonly HashSet<string> _reminders = [];
    private bool _extended;
    private bool _escalated;
    private DateOnly _due;
    private string _status = RequestStatus.Received;

    public DsrFlow(TaskOrchestrationContext context, DsrInput input)
    {
        ctx = context;
        _realStart = context.CurrentUtcDateTime;
        this.input = input;
        _calendar = BankHolidayCalendar.EnglandAndWales.With(input.Settings.ExtraBankHolidays);
        _received = StatutoryClock.UkDate(input.ReceivedAt);
    }

    private string Ref => input.Reference;

    /// <summary>
    /// The statutory "now". Normally the orchestration's own time; in a deadline simulation (settings
    /// <see cref="DsrSettings.SimulatedStart"/> and <see cref="DsrSettings.TimeScale"/>) a virtual time that starts at
    /// the simulated instant and runs <c>TimeScale</c> times faster, so a year of requests runs in minutes through the
    /// real orchestration. Deterministic either way: it derives from the context's replay-safe time.
    /// </summary>
    private DateTimeOffset Now => new(ToVirtual(ctx.CurrentUtcDateTime), TimeSpan.Zero);

    private DateTime ToVirtual(DateTime real) =>
        input.Settings.SimulatedStart is { } start ? start.UtcDateTime + ((real - _realStart) * input.Settings.TimeScale) : real;

    private DateTime ToReal(DateTime virtualUtc) =>
        input.Settings.SimulatedStart is { } start ? _realStart + ((virtualUtc - start.UtcDateTime) / input.Settings.TimeScale) : virtualUtc;

    /// <summary>A durable timer for a statutory instant (virtual in a simulation).</summary>
    private Task TimerAt(DateTime virtualUtc, CancellationToken token) => ctx.CreateTimer(ToReal(virtualUtc), token);

    public async Task<DsrOutcome> RunAsync()
    {
        _relevant = _received;
        _due = ComputeDue();
        var type = input.Type;

        if (type == RequestType.Unclassified)
        {
            await ProgressAsync(RequestStatus.NeedsTriage, "triage", "Not recognised as one of the four rights on arrival; waiting for staff to classify it.");
            await MustAsync<bool>(nameof(SendStaffTriage), new StaffNoticeInput(Ref, "triage", _due, Now));
            var classified = await WaitAsync<ClassifiedEvent>(DsrEvents.Classified, expires: null, step: null);
            type = classified!.Type;
            await ProgressAsync(RequestStatus.Received, "classified", $"Classified by {classified.Actor} as {type.Title()}.", t: type);
        }

        await MustAsync<bool>(nameof(SendAcknowledgement), new AcknowledgeInput(Ref, _due, Now));

        // Identity (Art 12(6)): the clock does not run until the requester confirms (Art 12A).
        var confirmBy = Now + input.Settings.VerificationWindow;
        await ProgressAsync(RequestStatus.AwaitingIdentity, "awaiting-identity", "Waiting for the requester to confirm the request; the statutory clock is stopped.");
        await MustAsync<bool>(nameof(SendVerificationEmail), new VerificationEmailInput(Ref, VerifyStep, confirmBy, Now));
        var confirmed = await WaitAsync<LinkDecision>(DsrEvents.IdentityConfirmed, confirmBy, VerifyStep, clockStopped: true);
        if (confirmed is null)
        {
            return await CloseUnverifiedAsync(noReply: true);
        }

        if (!await MustAsync<bool>(nameof(VerifyIdentity), new VerifyIdentityInput(Ref, Now)))
        {
            return await CloseUnverifiedAsync(noReply: false);
        }

        // Art 12A: the month begins with the relevant time — here, receipt of the confirmation.
        var confirmedOn = StatutoryClock.UkDate(confirmed.At);
        _relevant = confirmedOn > _received ? confirmedOn : _received;
        _pausedDays = _relevant.DayNumber - _received.DayNumber;
        _due = ComputeDue();

        // A due date reached while waiting for triage was escalated; the new due date is watched afresh.
        _escalated = Now > StatutoryClock.EndOfUkDayUtc(_due) && _escalated;
        await ProgressAsync(RequestStatus.Gathering, "identity-confirmed",
            $"Identity confirmed on {_relevant:yyyy-MM-dd}; the clock runs from that day (Art 12A). Due {_due:yyyy-MM-dd}.",
            relevant: _relevant, due: _due, paused: _pausedDays, overdue: _escalated ? null : false);

        var systems = await GatherAsync();

        var approved = await DecideAsync(systems);
        if (approved is null)
        {
            return Outcome();
        }

        switch (type)
        {
            case RequestType.Access:
                await FulfilAccessAsync(systems, approved.Step);
                break;
            case RequestType.Rectification:
                await RectifyAsync(approved.Step);
                break;
            case RequestType.Restriction:
                await RestrictAsync(approved.Step);
                break;
            case RequestType.Erasure:
                await EraseAsync(systems);
                break;
            default:
                await ProgressAsync(RequestStatus.NeedsTriage, "unsupported", $"No fulfilment for type {type}.");
                break;
        }

        return Outcome();
    }

    /// <summary>Art 15: the copy and the supplementary information, with the third parties staff chose redacted (Art 15(4)).</summary>
    private async Task FulfilAccessAsync(IReadOnlyList<GatherSummary> systems, string decisionStep)
    {
        await ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Building the access response.");
        var export = await MustAsync<ExportResult>(nameof(BuildAccessExport), new ExportInput(Ref, systems, Now, decisionStep));
        await MustAsync<bool>(nameof(SendAccessFulfilment), new FulfilmentEmailInput(Ref, export, systems, Now + input.Settings.ExportLinkLifetime, Now));
        await CompleteAsync(RequestStatus.Completed, "Access response sent");
    }

    /// <summary>Art 16: each approved change in every system holding the field; refused changes with reasons; recipients told (Art 19).</summary>
    private async Task RectifyAsync(string decisionStep)
    {
        await ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Applying the approved corrections in every system that holds the fields.");
        var result = await MustAsync<RightsResult>(nameof(ApplyRectification), "Applying the corrections", new RightsInput(Ref, decisionStep, Now));
        var partners = await NotifyPartnersAsync(PartnerActions.Rectification, result.SystemsChanged);
        await MustAsync<bool>(nameof(SendRightsOutcome), new OutcomeInput(Ref, SendRightsOutcome.Rectification, partners, [], null, null, Now));
        await CompleteAsync(RequestStatus.Completed, $"Rectification done: {result.Applied} change(s) applied, {result.Refused} refused with reasons");
    }

    /// <summary>
    /// Art 18: a restriction flag in every system (marketing and notices stop; storage continues), recipients
    /// told (Art 19). The request is then answered; the restriction lasts until staff lift it, and the
    /// requester is told before it lifts (Art 18(3)).
    /// </summary>
    private async Task RestrictAsync(string decisionStep)
    {
        await ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Flagging the person as restricted in every system.");
        var result = await MustAsync<RightsResult>(nameof(ApplyRestriction), "Flagging the restriction", new RightsInput(Ref, decisionStep, Now));
        var partners = await NotifyPartnersAsync(PartnerActions.Restriction, result.SystemsChanged);
        await MustAsync<bool>(nameof(SendRightsOutcome), new OutcomeInput(Ref, SendRightsOutcome.Restriction, partners, [], null, null, Now));
        await CompleteAsync(RequestStatus.Restricted, "Restriction applied in every system", current: (LiftStep, [LinkActions.LiftRestriction]));

        var lift = await WaitAsync<LinkDecision>(DsrEvents.LiftRestriction, expires: null, LiftStep, clockStopped: true);
        var liftAt = Now + input.Settings.RestrictionLiftNotice;
        var liftOn = StatutoryClock.UkDate(liftAt);
        await MustAsync<bool>(nameof(SendRightsOutcome), new OutcomeInput(Ref, SendRightsOutcome.RestrictionLiftNotice, [], [], liftOn, lift!.Reason, Now));
        await ProgressAsync(RequestStatus.LiftPending, "restriction-lift-notified",
            $"{lift.Actor} decided to lift the restriction. Reason: {lift.Reason?.TrimEnd('.')}. The requester was told first (Art 18(3)); it lifts on {liftOn:yyyy-MM-dd}.", actor: lift.Actor);
        await TimerAt(liftAt.UtcDateTime, CancellationToken.None);
        var lifted = await MustAsync<RightsResult>(nameof(LiftRestriction), "Lifting the restriction", new RightsInput(Ref, LiftStep, Now));
        var told = await NotifyPartnersAsync(PartnerActions.RestrictionLifted, lifted.SystemsChanged);
        await MustAsync<bool>(nameof(SendRightsOutcome), new OutcomeInput(Ref, SendRightsOutcome.RestrictionLifted, told, [], liftOn, null, Now));
        await ProgressAsync(RequestStatus.Completed, "restriction-lifted", $"Restriction lifted in {lifted.SystemsChanged.Count} system(s); recipients told: {Names(told)}.", closed: true);
    }

    /// <summary>
    /// Art 17: every system erases or anonymises, unless a retention rule keeps the data (Art 17(3)(b), (e));
    /// retained data is restricted and erased by a durable timer when its retention ends.
    /// </summary>
    private async Task EraseAsync(IReadOnlyList<GatherSummary> systems)
    {
        await ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Erasing in every system, keeping only what a retention rule requires.");
        var results = await EraseInAsync(systems.Select(s => s.SystemId).ToList(), 0, "Erasure");
        var lines = results.SelectMany(r => r.Lines).ToList();
        var partners = await NotifyPartnersAsync(PartnerActions.Erasure, lines.Select(l => l.SystemId).Distinct().ToList());
        await MustAsync<bool>(nameof(SendRightsOutcome), new OutcomeInput(Ref, SendRightsOutcome.Erasure, partners, lines, null, null, Now));
        await ForgetAsync();
        await CompleteAsync(RequestStatus.Completed, $"Erasure done: {Count(lines, ErasureOutcomes.Erased)} erased, {Count(lines, ErasureOutcomes.Anonymised)} anonymised, {Count(lines, ErasureOutcomes.Retained)} retained");

        // Retained data is erased when its rule ends (Art 5(1)(e), Art 17(1)(a)); a legal hold has no end date and waits for staff.
        for (var round = 1; ; round++)
        {
            var dated = lines.Where(l => l.Outcome == ErasureOutcomes.Retained && l.RetainUntil is not null).ToList();
            var held = lines.Where(l => l.Outcome == ErasureOutcomes.Retained && l.RetainUntil is null).ToList();
            if (dated.Count == 0 && held.Count == 0)
            {
                break;
            }

            List<string> dueSystems;
            string when;
            DateOnly? next = null;
            if (dated.Count > 0)
            {
                next = dated.Min(l => l.RetainUntil!.Value);
                await AuditAsync($"erasure-scheduled-{round}", $"{dated.Sum(l => l.Count)} retained record(s) are scheduled; the next erasure runs when retention ends after {next:yyyy-MM-dd}.");
                var at = StatutoryClock.EndOfUkDayUtc(next.Value).AddTicks(1);
                if (at > Now.UtcDateTime)
                {
                    await TimerAt(at, CancellationToken.None);
                }

                dueSystems = dated.Where(l => l.RetainUntil <= next).Select(l => l.SystemId).Distinct().ToList();
                when = $"Retention ended {next:yyyy-MM-dd}";
            }
            else
            {
                // Art 17(3)(e): a legal hold has no end date; when staff lift it, the held records are decided again.
                await AuditAsync($"erasure-held-{round}", $"{held.Sum(l => l.Count)} record(s) are kept under a legal hold (Art 17(3)(e)); they are decided again when the hold is lifted.");
                var lifted = await WaitAsync<LinkDecision>(DsrEvents.LegalHoldLifted, expires: null, step: null, clockStopped: true);
                dueSystems = held.Select(l => l.SystemId).Distinct().ToList();
                when = $"The legal hold was lifted by {lifted!.Actor}";
            }

            var again = await EraseInAsync(dueSystems, round, "Scheduled erasure");
            var nowErased = again.SelectMany(r => r.Lines).Where(l => l.Outcome != ErasureOutcomes.Retained).ToList();
            lines = lines.Where(l => !dueSystems.Contains(l.SystemId)).Concat(again.SelectMany(r => r.Lines)).ToList();
            if (nowErased.Count > 0)
            {
                await MustAsync<bool>(nameof(SendRightsOutcome), new OutcomeInput(Ref, $"{SendRightsOutcome.ErasureScheduled}-{round}", [], nowErased, next, null, Now));
            }

            await AuditAsync($"erasure-scheduled-done-{round}", $"{when}: {nowErased.Sum(l => l.Count)} record(s) erased or anonymised on schedule.");
            await ForgetAsync();
        }
    }

    /// <summary>Art 17 in JML's own records: the person's values leave the product's stores (copies, raw mail, decisions) too.</summary>
    private async Task ForgetAsync()
    {
        if (input.Settings.ForgetAfterErasure)
        {
            await MustAsync<CaseFileReport>(nameof(ForgetAfterErasure), "Erasing the person's data from JML's own records of the request", new ForgetInput(Ref, Now));
        }
    }

    /// <summary>Erases in the systems in parallel; a system that still fails after retries is put to staff, one at a time.</summary>
    private async Task<EraseResult[]> EraseInAsync(List<string> systemIds, int round, string what)
    {
        var first = await Task.WhenAll(systemIds.Select(async id =>
        {
            try
            {
                return await ctx.CallActivityAsync<EraseResult>(nameof(EraseFromSystem), new EraseInput(Ref, id, round, Now), Retry);
            }
            catch (TaskFailedException)
            {
                return null;
            }
        }));
        var results = new EraseResult[systemIds.Count];
        for (var i = 0; i < systemIds.Count; i++)
        {
            results[i] = first[i] ?? await MustAsync<EraseResult>(nameof(EraseFromSystem), $"{what} in {SystemCatalog.Get(systemIds[i]).Name}", new EraseInput(Ref, systemIds[i], round, Now));
        }

        return results;
    }

    private async Task<IReadOnlyList<string>> NotifyPartnersAsync(string action, IReadOnlyList<string> systemsChanged) =>
        systemsChanged.Count == 0
            ? []
            : await MustAsync<IReadOnlyList<string>>(nameof(NotifyPartners), "Telling the partners (Art 19)", new PartnerNoticeInput(Ref, action, systemsChanged, Now));

    /// <summary>Closes the statutory part: on time or late, recorded; <paramref name="current"/> keeps a staff action open (lifting a restriction).</summary>
    private async Task CompleteAsync(string status, string what, (string Step, string[] Actions)? current = null)
    {
        await CheckDeadlineAsync();
        var late = Now > StatutoryClock.EndOfUkDayUtc(_due);
        await ProgressAsync(status, "completed",
            late ? $"{what}, after the due date {_due:yyyy-MM-dd}." : $"{what}, on time (due {_due:yyyy-MM-dd}).",
            closed: true, currentStep: current?.Step, currentActions: current is { } c ? string.Join(',', c.Actions) : null);
    }

    private static int Count(IEnumerable<ErasureLineResult> lines, string outcome) => lines.Where(l => l.Outcome == outcome).Sum(l => l.Count);

    private static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    /// <summary>
    /// Calls a fulfilment activity with retries; if it still fails, the privacy team is alerted with a link to try
    /// again and the request waits (the deadline keeps racing): a request is never marked done with a step missing.
    /// The activities are idempotent, so trying again is safe.
    /// </summary>
    private Task<T> MustAsync<T>(string activity, object activityInput) => MustAsync<T>(activity, Describe(activity), activityInput);

    private static string Describe(string activity) => activity switch
    {
        nameof(SendAcknowledgement) => "Acknowledging the request",
        nameof(SendVerificationEmail) => "Asking the requester to confirm",
        nameof(VerifyIdentity) => "Matching the requester to our records",
        nameof(SendStaffTriage) => "Asking staff to classify the message",
        nameof(SendApprovalRequest) => "Asking staff for a decision",
        nameof(BuildAccessExport) => "Building the copy of the data",
        nameof(SendAccessFulfilment) => "Sending the response to the requester",
        nameof(SendRightsOutcome) => "Sending the outcome to the requester",
        nameof(SendCustomerNotice) => "Sending a notice to the requester",
        nameof(SendClarificationRequest) => "Asking the requester to clarify",
        nameof(CloseUnverified) => "Closing the unverified request",
        _ => activity,
    };

    private async Task<T> MustAsync<T>(string activity, string what, object activityInput)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ctx.CallActivityAsync<T>(activity, activityInput, Retry);
            }
            catch (TaskFailedException e)
            {
                var failure = ++_failures;
                LinkDecision? retry = null;
                for (var alert = 1; retry is null; alert++)
                {
                    var step = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step-failed-{failure}-{alert}");
                    var expires = Now + input.Settings.ApprovalLinkLifetime;
                    await ctx.CallActivityAsync<bool>(nameof(AlertStepFailed), new StepFailedInput(Ref, step, what, e.FailureDetails.ErrorMessage, expires, Now), Retry);
                    retry = await WaitAsync<LinkDecision>(DsrEvents.RetryGathering, expires, step);
                }

                await AuditAsync($"step-retry-{failure}", $"{retry.Actor} asked to try again: {what}.", retry.Actor);
            }
        }
    }

    private TaskOptions Retry => TaskOptions.FromRetryPolicy(new RetryPolicy(input.Settings.GatherAttempts, input.Settings.GatherFirstRetry, backoffCoefficient: 2.0));

    /// <summary>Fans out to every system; failures are retried, then put to staff — never skipped.</summary>
    private async Task<IReadOnlyList<GatherSummary>> GatherAsync()
    {
        var found = new Dictionary<string, GatherSummary>();
        var pending = SystemCatalog.All.Select(s => s.Id).ToList();
        for (var round = 1; ; round++)
        {
            var results = await Task.WhenAll(pending.Select(id => GatherOneAsync(id, round)));
            foreach (var r in results.Where(r => r.Succeeded))
            {
                found[r.SystemId] = r;
            }

            var failed = results.Where(r => !r.Succeeded).ToList();
            if (failed.Count == 0)
            {
                break;
            }

            await ProgressAsync(RequestStatus.GatheringFailed, $"gathering-failed-{round}",
                $"{failed.Count} system(s) could not be searched after retries: {string.Join(", ", failed.Select(f => f.SystemId))}. Waiting for staff.");
            LinkDecision? retry = null;
            for (var alert = 1; retry is null; alert++)
            {
                var step = $"gathering-retry-{round}-{alert}";
                var expires = Now + input.Settings.ApprovalLinkLifetime;
                await ctx.CallActivityAsync<bool>(nameof(AlertGatheringFailed), new GatheringFailedInput(Ref, step, failed, expires, Now), Retry);
                retry = await WaitAsync<LinkDecision>(DsrEvents.RetryGathering, expires, step);
            }

            pending = failed.Select(f => f.SystemId).ToList();
            await ProgressAsync(RequestStatus.Gathering, $"gathering-retry-{round}", $"{retry.Actor} asked to search the failed systems again.", actor: retry.Actor);
        }

        return SystemCatalog.All.Select(s => found[s.Id]).ToList();
    }

    private async Task<GatherSummary> GatherOneAsync(string systemId, int round)
    {
        var policy = new RetryPolicy(input.Settings.GatherAttempts, input.Settings.GatherFirstRetry, backoffCoefficient: 2.0);
        try
        {
            return await ctx.CallActivityAsync<GatherSummary>(nameof(GatherFromSystem), new GatherInput(Ref, systemId, round), TaskOptions.FromRetryPolicy(policy));
        }
        catch (TaskFailedException e)
        {
            return new GatherSummary(systemId, 0, null, false, e.FailureDetails.ErrorMessage);
        }
    }

    /// <summary>
    /// Asks staff to decide: approve, reject, refuse as manifestly unfounded or excessive, extend, or ask the
    /// requester to clarify. Returns the approving decision, or null when the request was closed.
    /// </summary>
    private async Task<LinkDecision?> DecideAsync(IReadOnlyList<GatherSummary> systems)
    {
        for (var round = 1; ; round++)
        {
            var step = $"approval-{round}";
            var expires = Now + input.Settings.ApprovalLinkLifetime;
            await ProgressAsync(RequestStatus.AwaitingApproval, $"awaiting-approval-{round}", "Waiting for a staff decision.");
            await MustAsync<bool>(nameof(SendApprovalRequest), new ApprovalRequestInput(Ref, step, _due, systems, expires, Now));
            var decision = await WaitAsync<LinkDecision>(DsrEvents.StaffDecision, expires, step);
            if (decision is null)
            {
                await AuditAsync("approval-links-expired", "The decision links expired unused; new links sent.");
                continue;
            }

            switch (decision.Action)
            {
                case LinkActions.Approve:
                    await AuditAsync("approved", "Approved.", decision.Actor);
                    return decision;

                case LinkActions.Reject:
                    // Art 12(4): reasons, the right to complain to the ICO and to a judicial remedy.
                    await AuditAsync("rejected", $"Rejected. Reason: {decision.Reason}", decision.Actor);
                    await MustAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, SendCustomerNotice.Rejection, decision.Reason, null, Now));
                    await ProgressAsync(RequestStatus.Rejected, "closed", "Rejected with reasons; the requester was told how to complain.", closed: true);
                    return null;

                case LinkActions.Refuse:
                    // Art 12(5): manifestly unfounded or excessive; Art 12(4): reasons, ICO, judicial remedy.
                    await AuditAsync("refused", $"Refused as manifestly unfounded or excessive (Art 12(5)). Reason: {decision.Reason}", decision.Actor);
                    await MustAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, SendCustomerNotice.Refusal, decision.Reason, null, Now));
                    await ProgressAsync(RequestStatus.Refused, "closed", "Refused as manifestly unfounded or excessive; the requester was given the reasons, the right to complain to the ICO and to a judicial remedy.", closed: true);
                    return null;

                case LinkActions.Extend:
                    await ExtendAsync(decision);
                    break;

                case LinkActions.ChargeFee:
                    if (!await ChargeFeeAsync(decision, round))
                    {
                        return null;
                    }

                    break;

                case LinkActions.Clarify:
                    if (!await ClarifyAsync(decision, round))
                    {
                        return null;
                    }

                    break;

                default:
                    await AuditAsync("decision-ignored", $"Unknown action '{decision.Action}' ignored.", decision.Actor);
                    break;
            }
        }
    }

    /// <summary>
    /// Art 12(5)(a): a reasonable fee for a manifestly unfounded or excessive request (or further copies). Nothing is
    /// done until it is paid; Art 12A: the relevant time becomes the day of payment, so the month runs from then.
    /// Staff record the payment (it arrives outside this system); unpaid within the window closes the request.
    /// </summary>
    private async Task<bool> ChargeFeeAsync(LinkDecision decision, int round)
    {
        var step = $"fee-{round}";
        var expires = Now + input.Settings.ClarificationWindow;
        await ProgressAsync(RequestStatus.AwaitingFee, step,
            $"{decision.Actor} asked for a fee (Art 12(5)(a)): {decision.Reason?.TrimEnd('.')}. The clock is stopped until it is paid (Art 12A).",
            actor: decision.Actor, currentStep: step, currentActions: LinkActions.FeePaid);
        await MustAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, $"{SendCustomerNotice.Fee}-{round}", decision.Reason, StatutoryClock.UkDate(expires), Now));
        var paid = await WaitAsync<LinkDecision>(DsrEvents.FeePaid, expires, step, clockStopped: true);
        if (paid is null)
        {
            await MustAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, SendCustomerNotice.FeeUnpaid, null, null, Now));
            await ProgressAsync(RequestStatus.ClosedFeeUnpaid, "closed", "Closed: the fee asked for was not paid in time; the requester was told.", closed: true);
            return false;
        }

        var paidOn = StatutoryClock.UkDate(paid.At);
        if (paidOn > _relevant)
        {
            _relevant = paidOn;
        }

        _pausedDays = _relevant.DayNumber - _received.DayNumber;
        _due = ComputeDue();
        _escalated = Now > StatutoryClock.EndOfUkDayUtc(_due) && _escalated;
        await ProgressAsync(RequestStatus.AwaitingApproval, step + "-paid",
            $"{paid.Actor} recorded the fee as paid on {paidOn:yyyy-MM-dd}; the month runs from that day (Art 12A). Due {_due:yyyy-MM-dd}.",
            actor: paid.Actor, relevant: _relevant, due: _due, paused: _pausedDays + _clarificationDays, overdue: _escalated ? null : false);
        return true;
    }

    /// <summary>
    /// Art 12A: staff ask what the request is about; from the day we ask to the day the answer arrives (both
    /// included) does not count. No answer within the window closes the request with a letter.
    /// </summary>
    private async Task<bool> ClarifyAsync(LinkDecision decision, int round)
    {
        var step = $"clarification-{round}";
        var askedOn = StatutoryClock.UkDate(Now);
        var expires = Now + input.Settings.ClarificationWindow;
        await ProgressAsync(RequestStatus.AwaitingClarification, step,
            $"{decision.Actor} asked the requester to clarify the request; the clock is stopped from {askedOn:yyyy-MM-dd} until the answer arrives (Art 12A).", actor: decision.Actor,
            currentStep: step, currentActions: LinkActions.Answer);
        await MustAsync<bool>(nameof(SendClarificationRequest), new ClarificationInput(Ref, step, decision.Reason ?? string.Empty, expires, Now));
        var answer = await WaitAsync<LinkDecision>(DsrEvents.ClarificationAnswered, expires, step, clockStopped: true);
        if (answer is null)
        {
            await MustAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, SendCustomerNotice.NoClarification, null, null, Now));
            await ProgressAsync(RequestStatus.ClosedNoClarification, "closed", "Closed: the requester did not answer the request for clarification in time; they were told by letter.", closed: true);
            return false;
        }

        var answeredOn = StatutoryClock.UkDate(answer.At);
        var stopped = StatutoryClock.InclusiveDays(askedOn, answeredOn);
        _clarificationDays += stopped;
        _due = ComputeDue();
        if (Now <= StatutoryClock.EndOfUkDayUtc(_due))
        {
            _escalated = false;
        }

        await ProgressAsync(RequestStatus.AwaitingApproval, step + "-answered",
            $"The requester answered on {answeredOn:yyyy-MM-dd}; {stopped} day(s) from {askedOn:yyyy-MM-dd} did not count (Art 12A). Due {_due:yyyy-MM-dd}.",
            actor: answer.Actor, due: _due, paused: _pausedDays + _clarificationDays, overdue: _escalated ? null : false);
        return true;
    }

    /// <summary>Art 12(3): two further months for complex or numerous requests, by notice within the first month.</summary>
    private async Task ExtendAsync(LinkDecision decision)
    {
        if (_extended)
        {
            await AuditAsync("extension-refused", "Extension refused: the request was already extended.", decision.Actor);
            return;
        }

        if (StatutoryClock.UkDate(Now) > _due)
        {
            await AuditAsync("extension-refused", $"Extension refused: notice must be given before the end of the first month (due {_due:yyyy-MM-dd}).", decision.Actor);
            return;
        }

        _extended = true;
        _due = ComputeDue();
        _escalated = false;
        await ProgressAsync(_status, "extended", $"Extended by two months by {decision.Actor}. Reason: {decision.Reason?.TrimEnd('.')}. New due date {_due:yyyy-MM-dd}.",
            actor: decision.Actor, due: _due, extended: true, overdue: false);
        await MustAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, SendCustomerNotice.Extension, decision.Reason, _due, Now));
    }

    /// <summary>
    /// Waits for an event (a <see cref="LinkDecision"/> must be for <paramref name="step"/>), until <paramref name="expires"/> (null: no
    /// limit). Unless the clock is stopped, the statutory deadline races the wait: reaching it escalates
    /// once and the wait goes on — a deadline never passes silently. Reminders go out on their days meanwhile. One durable
    /// timer serves all three, set for whichever comes first.
    /// </summary>
    private async Task<T?> WaitAsync<T>(string eventName, DateTimeOffset? expires, string? step, bool clockStopped = false)
        where T : class
    {
        if (!input.Settings.OneTimerPerWait)
        {
            return await WaitWithATimerEachAsync<T>(eventName, expires, step, clockStopped);
        }

        using var cts = new CancellationTokenSource();
        var evt = ctx.WaitForExternalEvent<T>(eventName, cts.Token);
        DateTime? expiryAt = expires?.UtcDateTime;
        Task? timer = null;
        DateTime? timerAt = null;
        while (true)
        {
            DateTime? deadlineAt = null;
            DateTime? reminderAt = null;
            var reminderDays = 0;
            if (!clockStopped && !_escalated)
            {
                deadlineAt = StatutoryClock.EndOfUkDayUtc(_due);
                if (await RemindersDueNowAsync() is { } next)
                {
                    reminderDays = next.DaysBefore;
                    reminderAt = next.At;
                }
            }

            var wakeAt = new[] { expiryAt, deadlineAt, reminderAt }.Where(t => t is not null).Min();
            if (wakeAt != timerAt)
            {
                timer = wakeAt is null ? null : TimerAt(wakeAt.Value, cts.Token);
                timerAt = wakeAt;
            }

            var winner = timer is null ? await Task.WhenAny(evt) : await Task.WhenAny(evt, timer);
            if (winner == evt)
            {
                if (IsForStep(evt.Result, step))
                {
                    cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                    return evt.Result;
                }

                evt = await IgnoreAndWaitAgainAsync<T>(eventName, cts.Token);
                continue;
            }

            // The timer fired: it was set for the earliest of the three, so that one (or several at the same instant) is due.
            timer = null;
            timerAt = null;
            if (wakeAt == expiryAt)
            {
                cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                return null;
            }

            if (wakeAt == deadlineAt)
            {
                await EscalateAsync();
            }
            else if (wakeAt == reminderAt)
            {
                await RemindAsync(reminderDays);
            }
        }
    }

    /// <summary>
    /// The wait of orchestrations started before <see cref="DsrSettings.OneTimerPerWait"/>: a durable timer each for the expiry,
    /// the deadline and the next reminder. Kept so those replay as they ran; remove once none is left running.
    /// </summary>
    private async Task<T?> WaitWithATimerEachAsync<T>(string eventName, DateTimeOffset? expires, string? step, bool clockStopped)
        where T : class
    {
        using var cts = new CancellationTokenSource();
        var expiry = expires is null ? null : TimerAt(expires.Value.UtcDateTime, cts.Token);
        var evt = ctx.WaitForExternalEvent<T>(eventName, cts.Token);
        while (true)
        {
            var waits = new List<Task> { evt };
            if (expiry is not null)
            {
                waits.Add(expiry);
            }

            Task? deadline = null;
            Task? reminder = null;
            var reminderDays = 0;
            if (!clockStopped && !_escalated)
            {
                deadline = TimerAt(StatutoryClock.EndOfUkDayUtc(_due), cts.Token);
                waits.Add(deadline);
                if (await RemindersDueNowAsync() is { } next)
                {
                    reminderDays = next.DaysBefore;
                    reminder = TimerAt(next.At, cts.Token);
                    waits.Add(reminder);
                }
            }

            var winner = await Task.WhenAny(waits);
            if (winner == evt)
            {
                if (IsForStep(evt.Result, step))
                {
                    cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                    return evt.Result;
                }

                evt = await IgnoreAndWaitAgainAsync<T>(eventName, cts.Token);
            }
            else if (winner == expiry)
            {
                cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                return null;
            }
            else if (winner == deadline)
            {
                await EscalateAsync();
            }
            else if (winner == reminder)
            {
                await RemindAsync(reminderDays);
            }
        }
    }

    /// <summary>An event answers the wait unless it is a decision for another step (a stale link).</summary>
    private static bool IsForStep<T>(T result, string? step) => step is null || result is not LinkDecision d || d.Step == step;

    /// <summary>Notes an event for another step in the audit trail and waits for the next one.</summary>
    private async Task<Task<T>> IgnoreAndWaitAgainAsync<T>(string eventName, CancellationToken token)
    {
        await AuditAsync("event-ignored", $"A {eventName} for another step was ignored.");
        return ctx.WaitForExternalEvent<T>(eventName, token);
    }

    /// <summary>Sends the reminders whose time has come and returns the next one still to come, if any.</summary>
    private async Task<(int DaysBefore, DateTime At)?> RemindersDueNowAsync()
    {
        while (NextReminder() is { } due && due.At <= Now.UtcDateTime)
        {
            await RemindAsync(due.DaysBefore);
        }

        return NextReminder();
    }

    private async Task RemindAsync(int daysBefore)
    {
        _reminders.Add(ReminderKey(daysBefore));
        await ctx.CallActivityAsync<bool>(nameof(SendStaffReminder), new ReminderInput(Ref, _due, daysBefore, _status, Now), Retry);
    }

    /// <summary>
    /// The next reminder to the privacy team for the current due date (default 7 and 2 days before it). A
    /// reminder whose time passed while a later one is also due is skipped, so a late start sends one, not a burst.
    /// </summary>
    private (int DaysBefore, DateTime At)? NextReminder()
    {
        var pending = input.Settings.ReminderDaysBefore
            .Where(d => !_reminders.Contains(ReminderKey(d)))
            .Select(d => (DaysBefore: d, At: ReminderSchedule.ReminderAtUtc(_due, d)))
            .Where(r => r.At <= StatutoryClock.EndOfUkDayUtc(_due))
            .OrderBy(r => r.At)
            .ToList();
        var now = Now.UtcDateTime;
        if (now > StatutoryClock.EndOfUkDayUtc(_due))
        {
            return null; // Overdue: the escalation speaks for it.
        }

        while (pending.Count > 1 && pending[1].At <= now)
        {
            _reminders.Add(ReminderKey(pending[0].DaysBefore));
            pending.RemoveAt(0);
        }

        return pending.Count == 0 ? null : pending[0];
    }

    private string ReminderKey(int daysBefore) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_due:yyyy-MM-dd}/{daysBefore}");

    private async Task CheckDeadlineAsync()
    {
        if (!_escalated && Now > StatutoryClock.EndOfUkDayUtc(_due))
        {
            await EscalateAsync();
        }
    }

    private async Task EscalateAsync()
    {
        _escalated = true;
        await ctx.CallActivityAsync<bool>(nameof(EscalateDeadline), new EscalationInput(Ref, _due, _status, Now), Retry);
    }

    private async Task<DsrOutcome> CloseUnverifiedAsync(bool noReply)
    {
        await MustAsync<bool>(nameof(CloseUnverified), new CloseUnverifiedInput(Ref, noReply, Now));
        await ProgressAsync(RequestStatus.ClosedUnverified, "closed",
            noReply ? "Closed: the requester did not confirm within the verification window." : "Closed: the confirmed address matches no record we hold.", closed: true);
        return Outcome();
    }

    private DateOnly ComputeDue() => StatutoryClock.DueDate(_relevant, _clarificationDays, _extended, _calendar);

    private DsrOutcome Outcome() => new(Ref, _status, _due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), _escalated);

    private Task<bool> AuditAsync(string step, string detail, string actor = "system") =>
        ctx.CallActivityAsync<bool>(nameof(RecordProgress), new ProgressInput(Ref, Now, step, detail, actor), Retry);

    private Task<bool> ProgressAsync(string status, string step, string detail, string actor = "system", DateOnly? relevant = null, DateOnly? due = null,
        int? paused = null, bool? extended = null, bool? overdue = null, RequestType? t = null, bool closed = false, string? currentStep = null, string? currentActions = null)
    {
        _status = status;
        ctx.SetCustomStatus(status);
        return ctx.CallActivityAsync<bool>(nameof(RecordProgress),
            new ProgressInput(Ref, Now, step, detail, actor, status, relevant, due, paused, extended, overdue, t, closed, currentStep, currentActions), Retry);
    }
}
