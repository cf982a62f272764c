using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Complaints;
using JmlDsr.Functions.Configuration;
using Microsoft.DurableTask;
using JmlDsr.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Workflow;

/// <summary>Starts a request's orchestration exactly once (instance id = reference) and computes its first due date.</summary>
public sealed class WorkflowStarter(IOptions<DsrOptions> options, Domain.Gathering.DataMap map)
{
    public DsrSettings Settings()
    {
        var o = options.Value;
        return new DsrSettings(o.VerificationWindow, o.ApprovalLinkLifetime, o.ExportLinkLifetime,
            BankHolidayCalendar.ParseList(o.ExtraBankHolidays), o.GatherAttempts, o.GatherFirstRetry)
        {
            ClarificationWindow = o.ClarificationWindow,
            ReminderDaysBefore = ReminderSchedule.Parse(o.ReminderDaysBefore),
            RestrictionLiftNotice = o.RestrictionLiftNotice,
            StepAutoRetry = o.StepAutoRetry,
            PausedSystemCheck = o.PausedSystemCheck,
            Systems = WorkflowSystem.From(map),
        };
    }

    public BankHolidayCalendar Calendar() => BankHolidayCalendar.EnglandAndWales.With(BankHolidayCalendar.ParseList(options.Value.ExtraBankHolidays));

    /// <summary>The due date counted from receipt, before anything stops the clock.</summary>
    public DateOnly InitialDueDate(DateTimeOffset receivedAt) => StatutoryClock.DueDate(StatutoryClock.UkDate(receivedAt), 0, false, Calendar());

    /// <summary>
    /// The first due date of <paramref name="type"/>: for a request, the Art 12(3) date counted from receipt; for a complaint,
    /// the last day to acknowledge it (DPA 2018 s 164A(3)), as complaints have no statutory date for the outcome.
    /// </summary>
    public DateOnly InitialDueDate(RequestType type, DateTimeOffset receivedAt) =>
        type == RequestType.Complaint ? ComplaintClock.AcknowledgementDue(StatutoryClock.UkDate(receivedAt), Calendar()) : InitialDueDate(receivedAt);

    public ComplaintSettings ComplaintSettings() =>
        new(options.Value.ApprovalLinkLifetime, BankHolidayCalendar.ParseList(options.Value.ExtraBankHolidays)) { StepAutoRetry = options.Value.StepAutoRetry };

    /// <summary>
    /// Starts a request's workflow again from the state the index recorded (<see cref="RequestRecord.Workflow"/>): the one
    /// that failed, was terminated or is stuck is ended and its history purged, and a new run under the same instance id
    /// resumes at the recorded phase with the recorded clock. Every step it repeats is idempotent (emails are sent once,
    /// erasure and rectification follow their recorded plans). A complaint starts its own workflow again.
    /// </summary>
    /// <returns>The phase the new run resumes at.</returns>
    public async Task<string> RestartAsync(DurableTaskClient client, RequestRecord row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(row);
        var reference = row.RowKey;
        if (await client.GetInstanceAsync(reference, getInputsAndOutputs: false, ct) is { } instance)
        {
            if (instance.IsRunning || instance.RuntimeStatus is OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended)
            {
                await client.TerminateInstanceAsync(reference, new TerminateInstanceOptions(Output: "Restarted from its recorded state"), ct);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromMinutes(2));
                await client.WaitForInstanceCompletionAsync(reference, getInputsAndOutputs: false, wait.Token);
            }

            await client.PurgeInstanceAsync(reference, cancellation: ct);
        }

        var type = RequestTypes.FromWire(row.Type);
        var start = new StartOrchestrationOptions(InstanceId: reference);
        if (type == RequestType.Complaint)
        {
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(ComplaintOrchestrator), new ComplaintInput(reference, row.ReceivedAt, ComplaintSettings()), start, ct);
            return WorkflowPhases.Start;
        }

        var state = RecordedState(row);
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(DsrOrchestrator), new DsrInput(reference, state.Type, row.ReceivedAt, Settings()) { Resume = state }, start, ct);
        return state.Phase;
    }

    /// <summary>The state to resume from: the one the workflow recorded, or (for a row written before it recorded one) what the index says.</summary>
    public WorkflowState RecordedState(RequestRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var recorded = WorkflowStates.FromJson(row.Workflow);
        if (recorded is not null)
        {
            // A decision is asked again in a new round, with new links: the old round's links then decide nothing.
            return recorded with { Run = recorded.Run + 1, DecisionRound = recorded.Phase == WorkflowPhases.Decide ? recorded.DecisionRound + 1 : recorded.DecisionRound };
        }

        var clock = RequestClock.Start(row.ReceivedAt, Calendar());
        if (DateOnly.TryParse(row.RelevantDate, System.Globalization.CultureInfo.InvariantCulture, out var relevant))
        {
            clock = clock with { Relevant = relevant, Extended = row.Extended, ClarificationDays = Math.Max(0, row.PausedDays - (relevant.DayNumber - clock.Received.DayNumber)) };
            clock = clock with { Due = StatutoryClock.DueDate(clock.Relevant, clock.ClarificationDays, clock.Extended, Calendar()), Escalated = row.Overdue };
        }

        var phase = row.Status switch
        {
            RequestStatus.Received or RequestStatus.NeedsTriage or RequestStatus.AwaitingIdentity => WorkflowPhases.Start,
            RequestStatus.Fulfilling => WorkflowPhases.Decide,
            _ when RequestStatus.IsClosed(row.Status) => WorkflowPhases.Done,
            _ => WorkflowPhases.Decide,
        };
        var round = row.CurrentStep is { } step && step.StartsWith("approval-", StringComparison.Ordinal)
            && int.TryParse(step["approval-".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n + 1 : 1;
        return new WorkflowState(phase, clock, RequestTypes.FromWire(row.Type), DecisionRound: round, Run: 2);
    }

    /// <summary>Starts the lift of a restriction (its own short workflow, once per request: instance <c>{reference}-lift</c>).</summary>
    public Task<bool> StartRestrictionLiftAsync(DurableTaskClient client, RequestRecord row, LinkDecision lift, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return StartOnceAsync(client, nameof(Fulfilment.RestrictionLiftOrchestrator), new Fulfilment.RestrictionLiftInput(row.RowKey, row.ReceivedAt, lift, Settings()),
            Fulfilment.RestrictionLiftOrchestrator.InstanceId(row.RowKey), ct);
    }

    public Task EnsureStartedAsync(DurableTaskClient client, string reference, RequestType type, DateTimeOffset receivedAt, CancellationToken ct = default) =>
        // A complaint (DPA 2018 s 164A) is not a request: it runs its own workflow, under the same instance id.
        type == RequestType.Complaint
            ? StartOnceAsync(client, nameof(ComplaintOrchestrator), new ComplaintInput(reference, receivedAt, ComplaintSettings()), reference, ct)
            : StartOnceAsync(client, nameof(DsrOrchestrator), new DsrInput(reference, type, receivedAt, Settings()), reference, ct);

    /// <summary>
    /// Starts <paramref name="orchestrator"/> under <paramref name="instanceId"/> unless an instance of that id exists; one started
    /// concurrently (a retried post, a second sweep) counts as started. Returns whether this call started it.
    /// </summary>
    public static async Task<bool> StartOnceAsync<TInput>(DurableTaskClient client, string orchestrator, TInput input, string instanceId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
        {
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(InstanceId: instanceId), ct);
            return true;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is null)
            {
                throw;
            }

            return false;
        }
    }
}

/// <summary>How a <see cref="WorkflowState"/> is kept in the request index.</summary>
public static class WorkflowStates
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static string ToJson(WorkflowState state) => System.Text.Json.JsonSerializer.Serialize(state, Json);

    public static WorkflowState? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<WorkflowState>(json, Json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
