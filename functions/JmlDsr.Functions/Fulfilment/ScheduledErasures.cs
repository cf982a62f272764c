using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// The schedule of erasures that wait: one row per request in <see cref="DsrStorage.ScheduledErasuresTable"/> with the
/// retained lines (systems, categories, counts, dates — no values), the round, and when it runs (none: when the legal
/// hold is lifted). Housekeeping sweeps it on its timer and starts one <see cref="RetainedErasureOrchestrator"/> per due
/// round; lifting a legal hold starts the held round at once. Starting is idempotent (the instance id names the round).
/// </summary>
public sealed class ScheduledErasures(DsrStorage storage, WorkflowStarter starter, TimeProvider time)
{
    public const string Partition = "erasure";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TableClient Table => storage.Table(DsrStorage.ScheduledErasuresTable);

    /// <summary>Writes the next round for a request, or deletes its row when nothing is retained any more.</summary>
    public async Task ScheduleAsync(ScheduleErasureInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var existing = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, input.Reference, cancellationToken: ct);
        if (input.Retained.Count == 0)
        {
            if (existing.HasValue)
            {
                await Table.DeleteEntityAsync(Partition, input.Reference, ETag.All, ct);
            }

            return;
        }

        var row = existing.HasValue ? existing.Value! : new TableEntity(Partition, input.Reference);
        if (row.GetInt32("Round") is { } written && written > input.Round)
        {
            return; // A later round was scheduled already: this is a retry of an earlier one.
        }

        var holdLiftedAt = input.HeldDecided ? null : row.GetDateTimeOffset("HoldLiftedAt");
        row["Round"] = input.Round;
        row["Lines"] = JsonSerializer.Serialize(input.Retained, Json);
        // Only held records left and the hold was lifted while earlier dates were still waiting: they are decided at once.
        row["RunAt"] = input.RunAt ?? holdLiftedAt;
        row["HoldLiftedAt"] = holdLiftedAt;
        row["ReceivedAt"] = input.ReceivedAt;
        row["ScheduledAt"] = input.At;
        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
    }

    /// <summary>Starts every round whose time has come; returns how many were started.</summary>
    public async Task<int> StartDueAsync(DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow();
        var started = 0;
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RunAt le {now}"), cancellationToken: ct))
        {
            started += await StartAsync(client, row, row.GetString("HoldLiftedBy"), ct) ? 1 : 0;
        }

        return started;
    }

    /// <summary>
    /// A legal hold on the person was lifted: a request whose only retained records were held is decided at once; one
    /// with dated records still waiting decides the held ones when their turn comes. Returns whether a round was started now.
    /// </summary>
    public async Task<bool> HoldLiftedAsync(DurableTaskClient client, string reference, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var existing = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, reference, cancellationToken: ct);
        if (!existing.HasValue)
        {
            return false;
        }

        var row = existing.Value!;
        var now = time.GetUtcNow();
        row["HoldLiftedAt"] = now;
        row["HoldLiftedBy"] = actor;
        if (row.GetDateTimeOffset("RunAt") is null)
        {
            row["RunAt"] = now;
        }

        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
        return row.GetDateTimeOffset("RunAt") <= now && await StartAsync(client, row, actor, ct);
    }

    /// <summary>Whether the request still has an erasure waiting.</summary>
    public async Task<bool> PendingAsync(string reference, CancellationToken ct = default) =>
        (await Table.GetEntityIfExistsAsync<TableEntity>(Partition, reference, select: ["RowKey"], cancellationToken: ct)).HasValue;

    private async Task<bool> StartAsync(DurableTaskClient client, TableEntity row, string? holdLiftedBy, CancellationToken ct)
    {
        var reference = row.RowKey;
        var round = row.GetInt32("Round") ?? 1;
        var lines = JsonSerializer.Deserialize<List<ErasureLineResult>>(row.GetString("Lines") ?? "[]", Json) ?? [];
        var input = new RetainedErasureInput(reference, round, lines, row.GetDateTimeOffset("ReceivedAt") ?? time.GetUtcNow(), holdLiftedBy, starter.Settings());
        return await WorkflowStarter.StartOnceAsync(client, nameof(RetainedErasureOrchestrator), input, RetainedErasureOrchestrator.InstanceId(reference, round), ct);
    }
}

/// <summary>Records a request's erasure schedule (idempotent: a retry writes the same row).</summary>
public sealed class ScheduleErasure(ScheduledErasures schedule) : IDsrActivity<ScheduleErasureInput, bool>
{
    [Microsoft.Azure.Functions.Worker.Function(nameof(ScheduleErasure))]
    public Task<bool> Run([Microsoft.Azure.Functions.Worker.ActivityTrigger] ScheduleErasureInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ScheduleErasureInput input)
    {
        await schedule.ScheduleAsync(input);
        return true;
    }
}
