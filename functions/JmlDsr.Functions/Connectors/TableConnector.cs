using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Connectors;

/// <summary>
/// <c>table</c>: an Azure Table in the app's own storage account. The person's rows are the partition named by their lower-cased
/// address, or the rows whose column holds a derived key; a flag is a row in the person's partition.
/// </summary>
public sealed class TableConnector(DsrStorage storage) : IConnector
{
    public const string KindName = "table";
    public const string AnonymisedPartition = "anonymised";

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "PartitionKey", "RowKey", "Timestamp", "odata.etag", "Category",
    };

    public string Kind => KindName;

    public static string TableFor(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.Connector.Setting("table") ?? throw new InvalidOperationException($"System '{system.Id}' has no table.");
    }

    public TableClient Table(SystemDescriptor system) => storage.Table(TableFor(system));

    public string Describe(SystemDescriptor system) => TableFor(system);

    public async IAsyncEnumerable<PersonRow> FindAsync(SystemDescriptor system, LookupKey key, string value, string email, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var filter = key.IsEmail
            ? TableClient.CreateQueryFilter($"PartitionKey eq {value}")
            : $"{key.Column} eq '{value.Replace("'", "''", StringComparison.Ordinal)}'";
        var own = SystemConnector.Key(email);
        await foreach (var e in Table(system).QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            yield return new PersonRow(system.Id, e.RowKey, ToRecord(e))
            {
                PartitionKey = e.PartitionKey,
                Id = e.PartitionKey == own ? e.RowKey : $"{e.PartitionKey}/{e.RowKey}",
            };
        }
    }

    /// <summary>A table row as a record: its category and its fields, dates as yyyy-MM-dd, numbers invariant.</summary>
    public static PersonalRecord ToRecord(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (k, v) in row)
        {
            if (!Reserved.Contains(k))
            {
                fields[k] = v switch
                {
                    null => null,
                    DateTimeOffset d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                    _ => v.ToString(),
                };
            }
        }

        return new PersonalRecord(row.GetString("Category") ?? "record", fields);
    }

    public async Task EraseAsync(SystemDescriptor system, PersonRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        try
        {
            await Table(system).DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone: erasure is idempotent.
        }
    }

    public async Task AnonymiseAsync(SystemDescriptor system, PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(kept);
        var entity = new TableEntity(AnonymisedPartition, anonymousKey) { ["Category"] = row.Record.Category };
        foreach (var (k, v) in kept)
        {
            entity[k] = v;
        }

        await Table(system).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        await EraseAsync(system, row, ct);
    }

    public Task RetainAsync(SystemDescriptor system, PersonRow row, string rule, string retainUntil, CancellationToken ct = default) =>
        MergeAsync(system, row, new Dictionary<string, string?> { ["Restricted"] = "yes", ["RetentionRule"] = rule, ["RetainUntil"] = retainUntil }, ct);

    public bool CanRectify(SystemDescriptor system, string field) => true;

    public Task RectifyAsync(SystemDescriptor system, PersonRow row, string field, string? value, CancellationToken ct = default) =>
        MergeAsync(system, row, new Dictionary<string, string?> { [field] = value }, ct);

    public Task MarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        MergeAsync(system, row, fields, ct);

    public async Task UnmarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyList<string> fields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(fields);
        var table = Table(system);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct);
        if (!found.HasValue)
        {
            return;
        }

        var entity = found.Value!;
        var changed = false;
        foreach (var name in fields)
        {
            changed |= entity.Remove(name);
        }

        if (changed)
        {
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Replace, ct);
        }
    }

    public bool HoldsFlags(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.Lookup.Any(l => l.IsEmail);
    }

    public Task SetFlagAsync(SystemDescriptor system, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        UpsertAsync(system, SystemConnector.Key(email), flag, fields, ct);

    public async Task DeleteFlagAsync(SystemDescriptor system, string email, string flag, CancellationToken ct = default)
    {
        try
        {
            await Table(system).DeleteEntityAsync(SystemConnector.Key(email), flag, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone.
        }
    }

    private Task MergeAsync(SystemDescriptor system, PersonRow row, IReadOnlyDictionary<string, string?> fields, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        return UpsertAsync(system, row.PartitionKey, row.RowKey, fields, ct);
    }

    private async Task UpsertAsync(SystemDescriptor system, string partition, string rowKey, IReadOnlyDictionary<string, string?> fields, CancellationToken ct)
    {
        var entity = new TableEntity(partition, rowKey);
        foreach (var (k, v) in fields)
        {
            entity[k] = v;
        }

        await Table(system).UpsertEntityAsync(entity, TableUpdateMode.Merge, ct);
    }
}
