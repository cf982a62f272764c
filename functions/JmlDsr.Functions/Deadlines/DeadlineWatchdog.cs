using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Deadlines;

/// <summary>One open request the watchdog found not under watch: by reference, with what is wrong (no personal data).</summary>
public sealed record WatchdogProblem(string Reference, string Verdict, string Reason, string Status, string DueDate);

/// <summary>What one run of the deadline watchdog found and did.</summary>
/// <param name="Restarted">Requests staff restarted since the previous run (from the alert's link or the console).</param>
public sealed record WatchdogReport(
    DateTimeOffset At, int Open, int Watched, int NotWatched, int RemindersSent, int EscalationsSent, int AlertsSent,
    IReadOnlyList<string> Restarted, IReadOnlyList<WatchdogProblem> Problems, int Failures, double Seconds);

/// <summary>
/// The independent deadline watchdog (issue 15): the workflow is one guard of a request's statutory deadline, this is the
/// second. Hourly in Azure (<see cref="DeadlineWatchdogFunctions"/>), every few minutes locally, and at once through
/// <c>POST /api/watchdog/run</c>, it reads every open request in the index and asks the engine about its workflow
/// (<see cref="DeadlineWatch"/> decides). It sends the reminders and the due-date escalation itself when they are due and not
/// recorded, through the workflow's own activities (<see cref="SendStaffReminder"/>, <see cref="EscalateDeadline"/>), so the
/// Sends record keeps either sender from repeating the other. For a workflow that is failed, terminated, missing or stuck it
/// alerts the privacy team and the DPO once per problem, with a single-use link that restarts it from its recorded state
/// (<see cref="WorkflowStarter.RestartAsync"/>). It records its verdict on each request's index row and a summary of the run.
/// </summary>
public sealed class DeadlineWatchdog(
    RequestRepository requests, DsrStorage storage, Mailer mailer, AuditLog audit, LinkService links, WorkflowStarter starter,
    SendStaffReminder reminders, EscalateDeadline escalations, IOptions<DsrOptions> options, TimeProvider time, ILogger<DeadlineWatchdog> logger) : IDisposable
{
    /// <summary>The actor of the watchdog's own actions in the audit trail.</summary>
    public const string Actor = "deadline watchdog";

    /// <summary>The audit step of a restart.</summary>
    public const string RestartedStep = "workflow-restarted";

    /// <summary>The row of <see cref="DsrStorage.WatchdogTable"/> that holds the last run.</summary>
    public const string RunPartition = "run";
    public const string LastRow = "last";

    private const int PageSize = 100;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public void Dispose() => _oneAtATime.Dispose();

    public async Task<WatchdogReport> RunAsync(DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        await _oneAtATime.WaitAsync(ct);
        try
        {
            return await RunOnceAsync(client, ct);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Whether staff may restart the request's workflow now: open, and still not under watch (a workflow that recovered, or was
    /// restarted already, is left alone). Null when it may, else why not, in words for the page.
    /// </summary>
    public async Task<(RequestRecord? Row, string? Refusal)> CanRestartAsync(DurableTaskClient client, string reference, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await requests.GetAsync(reference, ct) is not { } row)
        {
            return (null, "There is no such request.");
        }

        if (row.ClosedAt is not null)
        {
            return (row, "The request is closed, so its workflow has nothing left to do.");
        }

        var (decision, _, _, _) = await EvaluateAsync(client, row, time.GetUtcNow(), ct);
        return decision.IsWatched ? (row, "Its workflow is running and waiting where the request index says, so it was not restarted.") : (row, null);
    }

    /// <summary>
    /// Restarts the request's workflow from its recorded state (<see cref="WorkflowStarter.RestartAsync"/>) and audits who did
    /// it; returns the phase it resumes at. The caller checked <see cref="CanRestartAsync"/> and spent its link.
    /// </summary>
    public async Task<string> RestartAsync(DurableTaskClient client, RequestRecord row, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(row);
        var now = time.GetUtcNow();
        var phase = await starter.RestartAsync(client, row, ct);
        await requests.RecordRestartAsync(row.RowKey, now, ct);
        var found = row.WatchVerdict is { } v && v != DeadlineWatch.ToWire(WatchVerdict.Watched) ? $" after the deadline watchdog found it {v}: {row.WatchReason}" : string.Empty;
        await audit.AppendAsync(row.RowKey, now, RestartedStep, actor, $"Workflow restarted from its recorded state, at phase {phase}{found}.", ct);
        Log.WorkflowRestarted(logger, row.RowKey, phase);
        return phase;
    }

    private async Task<WatchdogReport> RunOnceAsync(DurableTaskClient client, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var now = time.GetUtcNow();
        var previous = await LastRunAtAsync(ct);
        int open = 0, watched = 0, remindersSent = 0, escalationsSent = 0, alertsSent = 0, failures = 0;
        var problems = new List<WatchdogProblem>();
        var restarted = new List<string>();
        await foreach (var page in requests.OpenPagesAsync(PageSize, ct))
        {
            foreach (var row in page)
            {
                open++;
                if (row.RestartedAt is { } r && (previous is null || r > previous))
                {
                    restarted.Add(row.RowKey);
                }

                try
                {
                    var (decision, r2, e, a) = await WatchAsync(client, row, now, ct);
                    remindersSent += r2;
                    escalationsSent += e;
                    alertsSent += a;
                    if (decision.IsWatched)
                    {
                        watched++;
                    }
                    else
                    {
                        problems.Add(new WatchdogProblem(row.RowKey, DeadlineWatch.ToWire(decision.Verdict), decision.Reason, row.Status, row.DueDate));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Not checked is not watched: it counts against the run, and is looked at again on the next one.
                    failures++;
                    problems.Add(new WatchdogProblem(row.RowKey, "unchecked", "the watchdog could not check it this run (see the log)", row.Status, row.DueDate));
                    Log.WatchdogCheckFailed(logger, ex, row.RowKey);
                }
            }
        }

        var report = new WatchdogReport(now, open, watched, open - watched, remindersSent, escalationsSent, alertsSent, restarted, problems, failures,
            Math.Round(started.Elapsed.TotalSeconds, 3));
        await storage.Table(DsrStorage.WatchdogTable).UpsertEntityAsync(new TableEntity(RunPartition, LastRow)
        {
            ["At"] = now, ["Open"] = open, ["Watched"] = watched, ["NotWatched"] = open - watched, ["RemindersSent"] = remindersSent,
            ["EscalationsSent"] = escalationsSent, ["AlertsSent"] = alertsSent, ["Restarted"] = restarted.Count, ["Failures"] = failures, ["Seconds"] = report.Seconds,
        }, TableUpdateMode.Replace, ct);
        Log.WatchdogRun(logger, open, watched, open - watched, remindersSent, escalationsSent, alertsSent, failures);
        return report;
    }

    /// <summary>One open request: the verdict, then what the watchdog does about it. Returns the verdict and what it sent.</summary>
    private async Task<(WatchDecision Decision, int Reminders, int Escalations, int Alerts)> WatchAsync(DurableTaskClient client, RequestRecord row, DateTimeOffset now, CancellationToken ct)
    {
        var reference = row.RowKey;
        var (decision, clock, type, recorded) = await EvaluateAsync(client, row, now, ct);
        int reminded = 0, escalated = 0, alerted = 0;
        if (decision.ReminderDaysBefore is { } days
            && await reminders.SendAsync(new ReminderInput(reference, clock.Due, days, row.Status, now), Actor))
        {
            reminded = 1;
            Log.WatchdogReminderSent(logger, reference, days);
        }

        if (decision.EscalationDue && await escalations.SendAsync(new EscalationInput(reference, clock.Due, row.Status, now), Actor))
        {
            escalated = 1;
            Log.WatchdogEscalationSent(logger, reference);
        }

        var verdict = DeadlineWatch.ToWire(decision.Verdict);
        if (!decision.IsWatched)
        {
            Log.WatchdogNotWatched(logger, reference, verdict, decision.Reason);
            alerted = await AlertAsync(row, decision, type, clock, recorded, now, ct);
        }
        else if (DeadlineWatch.FromWire(row.WatchVerdict) is { } before && before != WatchVerdict.Watched)
        {
            await audit.AppendAsync(reference, now, "watchdog-watched", Actor, $"The workflow is under watch again: {decision.Reason}.", ct);
            Log.WatchdogWatchedAgain(logger, reference);
        }

        await requests.RecordWatchAsync(reference, verdict, decision.Reason, decision.Since, now, ct);
        return (decision, reminded, escalated, alerted);
    }

    /// <summary>The privacy team's and the DPO's alert of one problem, each with a restart link; sent and audited once.</summary>
    private async Task<int> AlertAsync(RequestRecord row, WatchDecision decision, RequestType type, RequestClock clock, IReadOnlySet<string> recorded, DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        var reference = row.RowKey;
        var step = decision.AlertStep!;
        var verdict = DeadlineWatch.ToWire(decision.Verdict);
        var expires = now + o.ApprovalLinkLifetime;
        var clockRuns = DeadlineWatch.ClockRuns(type, row.Status);
        var sent = 0;
        foreach (var (who, to) in new[] { ("team", o.PrivacyTeamAddress), ("dpo", o.DpoAddress) })
        {
            var key = DeadlineWatch.AlertSendKey(step, who);
            if (recorded.Contains(key))
            {
                continue;
            }

            // Each recipient has a link of their own; both are for one step, so whichever is used first restarts it.
            var restart = new EmailLink(LinkActions.Label(LinkActions.RestartWorkflow), links.ActionUrl(reference, step, [LinkActions.RestartWorkflow], expires));
            var mail = EmailComposer.StaffWorkflowNotWatched(to, reference, type, verdict, decision.Reason, row.Status, clock.Due, clockRuns, restart, expires);
            if (await mailer.SendOnceAsync(reference, key, mail, ct))
            {
                sent++;
            }
        }

        if (sent > 0 || !await audit.HasAsync(reference, step, string.Empty, ct))
        {
            await audit.AppendAsync(reference, now, step, Actor,
                $"The workflow is {verdict}: {decision.Reason}. The privacy team and the DPO were alerted, with a link to restart it from its recorded state.", ct);
        }

        if (sent > 0)
        {
            Log.WatchdogAlertSent(logger, reference, verdict, sent);
        }

        return sent;
    }

    /// <summary>The watchdog's view of one open request: the decision, the clock it watched, the type, and the Sends recorded.</summary>
    private async Task<(WatchDecision Decision, RequestClock Clock, RequestType Type, IReadOnlySet<string> Recorded)> EvaluateAsync(DurableTaskClient client, RequestRecord row, DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        var type = RequestTypes.FromWire(row.Type);
        var clock = starter.RecordedState(row).Clock;
        if (row.Workflow is null && DateOnly.TryParseExact(row.DueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due))
        {
            // No recorded state yet: the index's due date is the one the workflow last wrote.
            clock = clock with { Due = due };
        }

        // With inputs and outputs: the engine returns the custom status only then (the SDK's contract; the local sidecar and
        // Azure both honour it). The input is a reference and settings, no personal data.
        var instance = Facts(await client.GetInstanceAsync(row.RowKey, getInputsAndOutputs: true, ct));
        var recorded = await mailer.RecordedStepsAsync(row.RowKey, ct);
        var request = new WatchedRequest(row.Status, clock, row.ReceivedAt, DeadlineWatch.ClockRuns(type, row.Status), row.ProgressAt, row.Attention is not null);
        var settings = new WatchSettings(o.WatchdogGrace, ReminderSchedule.Parse(o.ReminderDaysBefore));
        return (DeadlineWatch.Decide(request, instance, now, settings, recorded), clock, type, recorded);
    }

    private async Task<DateTimeOffset?> LastRunAtAsync(CancellationToken ct)
    {
        var last = await storage.Table(DsrStorage.WatchdogTable).GetEntityIfExistsAsync<TableEntity>(RunPartition, LastRow, cancellationToken: ct);
        return last.HasValue ? last.Value!.GetDateTimeOffset("At") : null;
    }

    /// <summary>The engine's facts about an instance, in the watchdog's terms.</summary>
    public static WorkflowInstance Facts(OrchestrationMetadata? instance) => instance is null
        ? WorkflowInstance.None
        : new WorkflowInstance(instance.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Pending => InstanceState.Pending,
            OrchestrationRuntimeStatus.Completed => InstanceState.Completed,
            OrchestrationRuntimeStatus.Failed => InstanceState.Failed,
#pragma warning disable CS0618 // Canceled is obsolete in the SDK but can still be reported: it ended the instance.
            OrchestrationRuntimeStatus.Terminated or OrchestrationRuntimeStatus.Canceled => InstanceState.Terminated,
#pragma warning restore CS0618
            OrchestrationRuntimeStatus.Suspended => InstanceState.Suspended,
            _ => InstanceState.Running,
        }, CustomStatus(instance.SerializedCustomStatus), instance.CreatedAt, instance.LastUpdatedAt);

    /// <summary>The workflow's custom status is the index status it last recorded, serialized as a JSON string.</summary>
    private static string? CustomStatus(string? serialized)
    {
        if (string.IsNullOrWhiteSpace(serialized))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<string>(serialized);
        }
        catch (JsonException)
        {
            return serialized;
        }
    }
}
