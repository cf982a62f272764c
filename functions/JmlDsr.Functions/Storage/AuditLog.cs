using Azure.Data.Tables;

namespace JmlDsr.Functions.Storage;

/// <summary>The append-only audit trail. Entries are keyed by time and step, so writing one twice is harmless.</summary>
public sealed class AuditLog(DsrStorage storage)
{
    public const string SecurityPartition = "security";

    private TableClient Table => storage.Table(DsrStorage.AuditTable);

    public async Task AppendAsync(string reference, DateTimeOffset at, string step, string actor, string detail, CancellationToken ct = default)
    {
        Telemetry.DsrTelemetry.Reference(reference);
        var entry = new AuditRecord
        {
            PartitionKey = reference,
            RowKey = AuditRecord.KeyFor(at, step),
            At = at,
            Step = step,
            Actor = actor,
            Detail = detail,
        };
        // Insert-or-replace with the same key and content: a retry rewrites the same entry, never adds one.
        await Table.UpsertEntityAsync(entry, TableUpdateMode.Replace, ct);
    }

    /// <summary>Whether the trail already has an entry of <paramref name="step"/> whose detail contains <paramref name="detailPart"/>.</summary>
    public async Task<bool> HasAsync(string reference, string step, string detailPart, CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {reference} and Step eq {step}");
        await foreach (var e in Table.QueryAsync<AuditRecord>(filter, cancellationToken: ct))
        {
            if (e.Detail.Contains(detailPart, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public async Task<IReadOnlyList<AuditRecord>> ReadAsync(string reference, CancellationToken ct = default)
    {
        var list = new List<AuditRecord>();
        await foreach (var e in Table.QueryAsync<AuditRecord>(TableClient.CreateQueryFilter($"PartitionKey eq {reference}"), cancellationToken: ct))
        {
            list.Add(e);
        }

        return list;
    }
}
