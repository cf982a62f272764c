using Azure;
using Azure.Data.Tables;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Gathering;

/// <summary>Where one system stands in one request, for the console: searched, waiting for its owner, paused, failed, skipped...</summary>
public sealed record RequestSystemState(string SystemId, string State, string Detail, string Actor, DateTimeOffset At);

/// <summary>A system paused by staff: requests wait for it instead of failing (<see cref="SystemPauses"/>).</summary>
public sealed record SystemPause(string SystemId, string By, string Reason, DateTimeOffset Since);

/// <summary>
/// Where each system stands in each request (the RequestSystems table: one row per request and system, no personal data),
/// written by the searches, the owners' answers and staff's controls, and read by the console's request page.
/// </summary>
public sealed class RequestSystemStates(DsrStorage storage)
{
    public const string Table = DsrStorage.RequestSystemsTable;

    public async Task SetAsync(string reference, string systemId, string state, string detail, string actor, DateTimeOffset at, CancellationToken ct = default) =>
        await storage.Table(Table).UpsertEntityAsync(new TableEntity(reference, systemId)
        {
            ["State"] = state,
            ["Detail"] = detail,
            ["Actor"] = actor,
            ["At"] = at,
        }, TableUpdateMode.Replace, ct);

    public async Task<IReadOnlyDictionary<string, RequestSystemState>> ReadAsync(string reference, CancellationToken ct = default)
    {
        var states = new Dictionary<string, RequestSystemState>(StringComparer.Ordinal);
        await foreach (var e in storage.Table(Table).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {reference}"), cancellationToken: ct))
        {
            states[e.RowKey] = new RequestSystemState(e.RowKey, e.GetString("State") ?? string.Empty, e.GetString("Detail") ?? string.Empty, e.GetString("Actor") ?? "system",
                e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue);
        }

        return states;
    }

    public async Task<RequestSystemState?> GetAsync(string reference, string systemId, CancellationToken ct = default) =>
        (await ReadAsync(reference, ct)).GetValueOrDefault(systemId);
}

/// <summary>
/// Systems paused by staff (a migration, an outage announced in advance): a request that reaches a paused system waits for
/// it, visibly, instead of failing and alerting; resuming tells every request waiting on it at once. The pause is kept on
/// the system's row of the SystemStatus table; the requests waiting on a system in the SystemWaits table; who paused and
/// resumed it, and why, in the audit trail under "system:{id}".
/// </summary>
public sealed class SystemPauses(DsrStorage storage, AuditLog audit, TimeProvider time)
{
    public const string WaitsTable = DsrStorage.SystemWaitsTable;

    public static string AuditPartition(string systemId) => "system:" + systemId;

    public async Task<SystemPause?> GetAsync(string systemId, CancellationToken ct = default)
    {
        var row = await storage.Table(SystemConnector.StatusTable).GetEntityIfExistsAsync<TableEntity>("status", systemId, cancellationToken: ct);
        return row.HasValue && row.Value!.GetBoolean("Paused") == true
            ? new SystemPause(systemId, row.Value.GetString("PausedBy") ?? "staff", row.Value.GetString("PauseReason") ?? string.Empty, row.Value.GetDateTimeOffset("PausedAt") ?? DateTimeOffset.MinValue)
            : null;
    }

    public async Task<IReadOnlyDictionary<string, SystemPause>> AllAsync(CancellationToken ct = default)
    {
        var all = new Dictionary<string, SystemPause>(StringComparer.Ordinal);
        await foreach (var row in storage.Table(SystemConnector.StatusTable).QueryAsync<TableEntity>("PartitionKey eq 'status' and Paused eq true", cancellationToken: ct))
        {
            all[row.RowKey] = new SystemPause(row.RowKey, row.GetString("PausedBy") ?? "staff", row.GetString("PauseReason") ?? string.Empty, row.GetDateTimeOffset("PausedAt") ?? DateTimeOffset.MinValue);
        }

        return all;
    }

    public async Task PauseAsync(string systemId, string systemName, string by, string reason, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await storage.Table(SystemConnector.StatusTable).UpsertEntityAsync(new TableEntity("status", systemId)
        {
            ["Paused"] = true,
            ["PausedBy"] = by,
            ["PausedAt"] = now,
            ["PauseReason"] = reason,
        }, TableUpdateMode.Merge, ct);
        await audit.AppendAsync(AuditPartition(systemId), now, "system-paused", by, $"{systemName} paused: requests wait for it instead of failing. Reason: {reason}", ct);
    }

    /// <summary>Resumes the system and tells each request waiting on it; returns how many were told.</summary>
    public async Task<int> ResumeAsync(DurableTaskClient client, string systemId, string systemName, string by, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow();
        await storage.Table(SystemConnector.StatusTable).UpsertEntityAsync(new TableEntity("status", systemId) { ["Paused"] = false, ["ResumedBy"] = by, ["ResumedAt"] = now }, TableUpdateMode.Merge, ct);
        var told = 0;
        var waits = storage.Table(WaitsTable);
        await foreach (var w in waits.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {systemId}"), select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            try
            {
                await client.RaiseEventAsync(w.RowKey, DsrEvents.SystemControl, new LinkDecision(systemId, SystemControls.Resumed, null, by, now), ct);
                told++;
            }
            catch (Exception e) when (e is InvalidOperationException or Grpc.Core.RpcException)
            {
                // The request is no longer running: it has nothing to wait for.
            }

            await waits.DeleteEntityAsync(w.PartitionKey, w.RowKey, ETag.All, ct);
        }

        await audit.AppendAsync(AuditPartition(systemId), now, "system-resumed", by, $"{systemName} resumed; {told} waiting request(s) told to go on.", ct);
        return told;
    }

    /// <summary>
    /// Records that the request waits for the paused system: noted for the resume to tell it, its state on the request page,
    /// and one audit entry per pause (keyed by when the pause began).
    /// </summary>
    public async Task RecordWaitAsync(SystemPause pause, string systemName, string reference, DateTimeOffset at, RequestSystemStates states)
    {
        ArgumentNullException.ThrowIfNull(pause);
        ArgumentNullException.ThrowIfNull(states);
        await WaitOnAsync(pause.SystemId, reference);
        await states.SetAsync(reference, pause.SystemId, SystemStates.Paused, $"Paused by {pause.By}: {pause.Reason}", pause.By, at);
        await audit.AppendAsync(reference, pause.Since, $"waiting-paused-{pause.SystemId}", "system",
            $"{systemName} is paused (by {pause.By}, since {pause.Since:yyyy-MM-dd HH:mm} UTC: {pause.Reason}); the request waits for it.");
    }

    /// <summary>Notes that the request waits on the paused system, so that the resume tells it.</summary>
    public async Task WaitOnAsync(string systemId, string reference, CancellationToken ct = default) =>
        await storage.Table(WaitsTable).UpsertEntityAsync(new TableEntity(systemId, reference), TableUpdateMode.Replace, ct);

    public async Task DoneWaitingAsync(string systemId, string reference, CancellationToken ct = default)
    {
        try
        {
            await storage.Table(WaitsTable).DeleteEntityAsync(systemId, reference, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>The system's history of pauses and resumes, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> HistoryAsync(string systemId, CancellationToken ct = default) =>
        [.. (await audit.ReadAsync(AuditPartition(systemId), ct)).OrderByDescending(a => a.RowKey, StringComparer.Ordinal)];
}
