using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
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

    // A plain constructor, not a primary one: the DurableTask analyzers follow calls from the
    // orchestrator into this class and fail on primary constructors.
    private readonly TaskOrchestrationContext ctx;
    private readonly DsrInput input;
    private readonly BankHolidayCalendar _calendar;
    private readonly DateOnly _received;
    private DateOnly _relevant;
    private int _pausedDays;
    private bool _extended;
    private bool _escalated;
    private DateOnly _due;
    private string _status = RequestStatus.Received;

    public DsrFlow(TaskOrchestrationContext context, DsrInput input)
    {
        ctx = context;
        this.input = input;
        _calendar = BankHolidayCalendar.EnglandAndWales.With(input.Settings.ExtraBankHolidays);
        _received = StatutoryClock.UkDate(input.ReceivedAt);
    }

    private string Ref => input.Reference;

    private DateTimeOffset Now => new(ctx.CurrentUtcDateTime, TimeSpan.Zero);

    public async Task<DsrOutcome> RunAsync()
    {
        _relevant = _received;
        _due = ComputeDue();
        var type = input.Type;

        if (type == RequestType.Unclassified)
        {
            await ProgressAsync(RequestStatus.NeedsTriage, "triage", "Not recognised as one of the four rights on arrival; waiting for staff to classify it.");
            await ctx.CallActivityAsync<bool>(nameof(SendStaffTriage), new StaffNoticeInput(Ref, "triage", _due, Now));
            var classified = await WaitAsync<ClassifiedEvent>(DsrEvents.Classified, expires: null, step: null);
            type = classified!.Type;
            await ProgressAsync(RequestStatus.Received, "classified", $"Classified by {classified.Actor} as {type.Title()}.", t: type);
        }

        await ctx.CallActivityAsync<bool>(nameof(SendAcknowledgement), new AcknowledgeInput(Ref, _due, Now));

        // Identity (Art 12(6)): the clock does not run until the requester confirms (Art 12A).
        var confirmBy = Now + input.Settings.VerificationWindow;
        await ProgressAsync(RequestStatus.AwaitingIdentity, "awaiting-identity", "Waiting for the requester to confirm the request; the statutory clock is stopped.");
        await ctx.CallActivityAsync<bool>(nameof(SendVerificationEmail), new VerificationEmailInput(Ref, VerifyStep, confirmBy, Now));
        var confirmed = await WaitAsync<LinkDecision>(DsrEvents.IdentityConfirmed, confirmBy, VerifyStep, clockStopped: true);
        if (confirmed is null)
        {
            return await CloseUnverifiedAsync(noReply: true);
        }

        if (!await ctx.CallActivityAsync<bool>(nameof(VerifyIdentity), new VerifyIdentityInput(Ref, Now)))
        {
            return await CloseUnverifiedAsync(noReply: false);
        }

        // Art 12A: the month begins with the relevant time — here, receipt of the confirmation.
        var confirmedOn = StatutoryClock.UkDate(confirmed.At);
        _relevant = confirmedOn > _received ? confirmedOn : _received;
        _pausedDays = _relevant.DayNumber - _received.DayNumber;
        _due = ComputeDue();
        await ProgressAsync(RequestStatus.Gathering, "identity-confirmed",
            $"Identity confirmed on {_relevant:yyyy-MM-dd}; the clock runs from that day (Art 12A). Due {_due:yyyy-MM-dd}.",
            relevant: _relevant, due: _due, paused: _pausedDays);

        var systems = await GatherAsync();

        var approved = await DecideAsync(systems);
        if (!approved)
        {
            return Outcome();
        }

        if (type != RequestType.Access)
        {
            await ProgressAsync("awaiting-fulfilment", "approved", $"Approved. {type.Title()} is carried out by staff in each system.");
            return Outcome();
        }

        await ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Building the access response.");
        var export = await ctx.CallActivityAsync<ExportResult>(nameof(BuildAccessExport), new ExportInput(Ref, systems, Now));
        await ctx.CallActivityAsync<bool>(nameof(SendAccessFulfilment), new FulfilmentEmailInput(Ref, export, systems, Now + input.Settings.ExportLinkLifetime, Now));
        await CheckDeadlineAsync();
        var late = Now > StatutoryClock.EndOfUkDayUtc(_due);
        await ProgressAsync(RequestStatus.Completed, "completed",
            late ? $"Access response sent, after the due date {_due:yyyy-MM-dd}." : $"Access response sent on time (due {_due:yyyy-MM-dd}).", closed: true);
        return Outcome();
    }

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
                await ctx.CallActivityAsync<bool>(nameof(AlertGatheringFailed), new GatheringFailedInput(Ref, step, failed, expires, Now));
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

    /// <summary>Asks staff to approve, reject or extend; true when approved.</summary>
    private async Task<bool> DecideAsync(IReadOnlyList<GatherSummary> systems)
    {
        for (var round = 1; ; round++)
        {
            var step = $"approval-{round}";
            var expires = Now + input.Settings.ApprovalLinkLifetime;
            await ProgressAsync(RequestStatus.AwaitingApproval, $"awaiting-approval-{round}", "Waiting for a staff decision.");
            await ctx.CallActivityAsync<bool>(nameof(SendApprovalRequest), new ApprovalRequestInput(Ref, step, _due, systems, expires, Now));
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
                    return true;

                case LinkActions.Reject:
                    // Art 12(4): reasons, the right to complain to the ICO and to a judicial remedy.
                    await AuditAsync("rejected", $"Rejected. Reason: {decision.Reason}", decision.Actor);
                    await ctx.CallActivityAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, SendCustomerNotice.Rejection, decision.Reason, null, Now));
                    await ProgressAsync(RequestStatus.Rejected, "closed", "Rejected with reasons; the requester was told how to complain.", closed: true);
                    return false;

                case LinkActions.Extend:
                    await ExtendAsync(decision);
                    break;

                default:
                    await AuditAsync("decision-ignored", $"Unknown action '{decision.Action}' ignored.", decision.Actor);
                    break;
            }
        }
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
        await ProgressAsync(_status, "extended", $"Extended by two months by {decision.Actor}. Reason: {decision.Reason}. New due date {_due:yyyy-MM-dd}.",
            actor: decision.Actor, due: _due, extended: true, overdue: false);
        await ctx.CallActivityAsync<bool>(nameof(SendCustomerNotice), new CustomerNoticeInput(Ref, SendCustomerNotice.Extension, decision.Reason, _due, Now));
    }

    /// <summary>
    /// Waits for an event (a <see cref="LinkDecision"/> must be for <paramref name="step"/>), until <paramref name="expires"/> (null: no
    /// limit). Unless the clock is stopped, the statutory deadline races the wait: reaching it escalates
    /// once and the wait goes on — a deadline never passes silently.
    /// </summary>
    private async Task<T?> WaitAsync<T>(string eventName, DateTimeOffset? expires, string? step, bool clockStopped = false)
        where T : class
    {
        using var cts = new CancellationTokenSource();
        var expiry = expires is null ? null : ctx.CreateTimer(expires.Value.UtcDateTime, cts.Token);
        var evt = ctx.WaitForExternalEvent<T>(eventName, cts.Token);
        while (true)
        {
            var waits = new List<Task> { evt };
            if (expiry is not null)
            {
                waits.Add(expiry);
            }

            Task? deadline = null;
            if (!clockStopped && !_escalated)
            {
                deadline = ctx.CreateTimer(StatutoryClock.EndOfUkDayUtc(_due), cts.Token);
                waits.Add(deadline);
            }

            var winner = await Task.WhenAny(waits);
            if (winner == evt)
            {
                if (step is null || evt.Result is not LinkDecision d || d.Step == step)
                {
                    cts.Cancel(); // Not CancelAsync: its callbacks run off the orchestrator thread.
                    return evt.Result;
                }

                await AuditAsync("event-ignored", $"A {eventName} for another step was ignored.");
                evt = ctx.WaitForExternalEvent<T>(eventName, cts.Token);
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
        }
    }

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
        await ctx.CallActivityAsync<bool>(nameof(EscalateDeadline), new EscalationInput(Ref, _due, _status, Now));
    }

    private async Task<DsrOutcome> CloseUnverifiedAsync(bool noReply)
    {
        await ctx.CallActivityAsync<bool>(nameof(CloseUnverified), new CloseUnverifiedInput(Ref, noReply, Now));
        await ProgressAsync(RequestStatus.ClosedUnverified, "closed",
            noReply ? "Closed: the requester did not confirm within the verification window." : "Closed: the confirmed address matches no record we hold.", closed: true);
        return Outcome();
    }

    private DateOnly ComputeDue() => StatutoryClock.DueDate(_relevant, 0, _extended, _calendar);

    private DsrOutcome Outcome() => new(Ref, _status, _due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), _escalated);

    private Task<bool> AuditAsync(string step, string detail, string actor = "system") =>
        ctx.CallActivityAsync<bool>(nameof(RecordProgress), new ProgressInput(Ref, Now, step, detail, actor));

    private Task<bool> ProgressAsync(string status, string step, string detail, string actor = "system", DateOnly? relevant = null, DateOnly? due = null,
        int? paused = null, bool? extended = null, bool? overdue = null, RequestType? t = null, bool closed = false)
    {
        _status = status;
        return ctx.CallActivityAsync<bool>(nameof(RecordProgress),
            new ProgressInput(Ref, Now, step, detail, actor, status, relevant, due, paused, extended, overdue, t, closed));
    }
}
