using Azure.Data.Tables;
using JmlDsr.Domain.Requests;
using JmlDsr.Domain.Retention;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Retention;

/// <summary>What one housekeeping run did: counts only.</summary>
public sealed record HousekeepingReport(int Requests, int CopiesDeleted, int HistoriesPurged, int CaseFilesEnded, int SetAsideDeleted, int LimitRowsDeleted, int Failures, int ErasuresStarted = 0);

/// <summary>
/// Runs JML's retention schedule for its own records (<see cref="CaseFileSchedule"/>): hourly in Azure (a timer), every
/// few minutes locally, and at once through <c>POST /api/housekeeping/run</c>. For each closed request it deletes the
/// working copies when their time comes, purges the Durable history of workflows an erasure forgot once they have ended,
/// and at the end of the case-file period reduces the request to an anonymous statistics row; it deletes set-aside mail
/// past its period and the sender and mail-rate rows of yesterday. First, it starts the scheduled erasures whose
/// retention ended (<see cref="ScheduledErasures"/>). A request that fails is logged and tried again next
/// run; the others go on.
/// </summary>
public sealed class Housekeeping(DsrStorage storage, RequestRepository requests, CaseFiles caseFiles, SystemWriter writer, ScheduledErasures schedule, IOptions<DsrOptions> options, TimeProvider time, ILogger<Housekeeping> logger) : IDisposable
{
    /// <summary>Rows of the sender and mail-rate limits are kept this long after their last use.</summary>
    public static readonly TimeSpan LimitRowsKeptFor = TimeSpan.FromDays(2);

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public void Dispose() => _oneAtATime.Dispose();

    public async Task<HousekeepingReport> RunAsync(DurableTaskClient client, CancellationToken ct = default)
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

    private async Task<HousekeepingReport> RunOnceAsync(DurableTaskClient client, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var settings = options.Value.Retention();
        int seen = 0, copies = 0, purged = 0, ended = 0, failures = 0, erasures = 0;
        try
        {
            erasures = await schedule.StartDueAsync(client, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failures++;
            Log.HousekeepingFailed(logger, ex, "scheduled-erasures");
        }

        var rows = new List<RequestRecord>();
        await foreach (var r in requests.ListAsync(ct))
        {
            rows.Add(r);
        }

        foreach (var r in rows)
        {
            seen++;
            try
            {
                var (c, p, e) = await RequestAsync(client, r, settings, now, ct);
                copies += c;
                purged += p;
                ended += e;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures++;
                Log.HousekeepingFailed(logger, ex, r.RowKey);
            }
        }

        var setAside = await SetAsideAsync(settings, now, ct);
        var limits = await LimitRowsAsync(now, ct);
        var report = new HousekeepingReport(seen, copies, purged, ended, setAside, limits, failures, erasures);
        Log.HousekeepingDone(logger, seen, copies, purged, ended, setAside, limits, failures);
        return report;
    }

    private async Task<(int Copies, int Purged, int Ended)> RequestAsync(DurableTaskClient client, RequestRecord r, RetentionSettings settings, DateTimeOffset now, CancellationToken ct)
    {
        if (r.ClosedAt is not { } closed)
        {
            return (0, 0, 0);
        }

        var reference = r.RowKey;
        var type = RequestTypes.FromWire(r.Type);
        int copies = 0, purged = 0;
        if (r.CopiesDeletedAt is null && now >= CaseFileSchedule.CopiesEndAt(type, r.Status, closed, settings.ExportLinkLifetime))
        {
            copies = await caseFiles.DeleteCopiesAsync(reference, ct);
            await requests.UpdateAsync(reference, x => x.CopiesDeletedAt ??= now, ct);
        }

        bool? workflowEnded = null;
        // A restriction still in place, or an erasure still scheduled, keeps the case file open though its workflow ended.
        async Task<bool> EndedAsync() => workflowEnded ??= r.Status is not (RequestStatus.Restricted or RequestStatus.LiftPending)
            && await WorkflowEndedAsync(client, reference, ct) && !await schedule.PendingAsync(reference, ct);

        if (r.ForgottenAt is not null && r.HistoryPurgedAt is null && await EndedAsync())
        {
            await PurgeAsync(client, reference, ct);
            await requests.UpdateAsync(reference, x => x.HistoryPurgedAt ??= now, ct);
            purged = 1;
        }

        if (now >= CaseFileSchedule.CaseFileEndsAt(closed, settings.CaseFile) && await EndedAsync()
            && !(await writer.LegalHoldAsync(r.PersonEmail(), ct)).Held)
        {
            await PurgeAsync(client, reference, ct);
            await caseFiles.EndAsync(r, ct);
            Log.CaseFileEnded(logger, reference);
            return (copies, purged, 1);
        }

        return (copies, purged, 0);
    }

    /// <summary>
    /// A request's workflows have ended when each completed, failed or was terminated, or there is none (already purged):
    /// its own and the short ones of its tails (<c>{reference}-lift</c>, <c>{reference}-erasure-{round}</c>).
    /// </summary>
    private static async Task<bool> WorkflowEndedAsync(DurableTaskClient client, string reference, CancellationToken ct)
    {
        foreach (var id in await InstancesAsync(client, reference, ct))
        {
            if (await client.GetInstanceAsync(id, getInputsAndOutputs: false, ct) is { } instance
                && instance.RuntimeStatus is not (OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task PurgeAsync(DurableTaskClient client, string reference, CancellationToken ct)
    {
        foreach (var id in await InstancesAsync(client, reference, ct))
        {
            await client.PurgeInstanceAsync(id, cancellation: ct);
        }
    }

    /// <summary>The request's own workflow and its tails' (their ids start with the reference and a hyphen).</summary>
    private static async Task<List<string>> InstancesAsync(DurableTaskClient client, string reference, CancellationToken ct)
    {
        var ids = new List<string> { reference };
        await foreach (var i in client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = reference + "-" }).WithCancellation(ct))
        {
            ids.Add(i.InstanceId);
        }

        return ids;
    }

    /// <summary>Set-aside mail past its period goes; opened as a request, it is part of that request's case file and goes with it.</summary>
    private async Task<int> SetAsideAsync(RetentionSettings settings, DateTimeOffset now, CancellationToken ct) =>
        (await caseFiles.DeleteSetAsideWhereAsync(row => row.OpenedAs is null && now >= CaseFileSchedule.SetAsideEndsAt(row.ReceivedAt, settings.SetAside), ct)).Emails;

    /// <summary>The sender limit counts 24 hours and the circuit breaker one hour: their rows go two days after their last write.</summary>
    private async Task<int> LimitRowsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"Timestamp lt {now - LimitRowsKeptFor}");
        return await CaseFiles.DeleteRowsAsync(storage.Table(DsrStorage.MailRateTable), filter, ct)
            + await CaseFiles.DeleteRowsAsync(storage.Table(DsrStorage.SenderRequestsTable), filter, ct);
    }
}
