using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Carries out rights in JML's systems as the data map describes them (table systems: Azure Tables): field corrections,
/// restriction and objection flags, erasure and anonymisation. Every write is idempotent: doing it twice leaves the system
/// as doing it once. A flag (the restriction or objection record) lives in the person's partition, so only systems that
/// find people by their address hold one; in the others each record is marked instead.
/// </summary>
public sealed class SystemWriter(SystemConnector connector, DsrStorage storage)
{
    public const string RestrictionRow = "restriction";
    public const string AnonymisedPartition = "anonymised";
    public const string ObjectionRow = "objection";
    public const string SuppressionPartition = "email-sha256";

    public DataMap Map => connector.Map;

    public static string Key(string email) => SystemConnector.Key(email);

    private TableClient Table(string systemId) => connector.Table(Map.Get(systemId));

    /// <summary>Every row the system holds for the person (small per person; erasure and rectification work row by row).</summary>
    public async Task<IReadOnlyList<PersonRow>> RowsAsync(string systemId, string email, CancellationToken ct = default)
    {
        var rows = new List<PersonRow>();
        await foreach (var row in connector.FindAsync(Map.Get(systemId), email, ct))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>True when the system keeps flags in the person's partition (it finds people by their address).</summary>
    public bool HoldsFlags(string systemId) => Map.Get(systemId).Lookup.Any(l => l.IsEmail);

    /// <summary>Sets fields on one row (merge): other fields stay as they are.</summary>
    public async Task SetFieldsAsync(PersonRow row, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        await UpsertAsync(row.SystemId, row.PartitionKey, row.RowKey, fields, ct);
    }

    /// <summary>Writes the person's flag record (restriction, objection) in a system that finds them by address.</summary>
    public Task SetFlagAsync(string systemId, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        UpsertAsync(systemId, Key(email), flag, fields, ct);

    public async Task DeleteFlagAsync(string systemId, string email, string flag, CancellationToken ct = default)
    {
        try
        {
            await Table(systemId).DeleteEntityAsync(Key(email), flag, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone.
        }
    }

    private async Task UpsertAsync(string systemId, string partition, string rowKey, IReadOnlyDictionary<string, string?> fields, CancellationToken ct)
    {
        var entity = new TableEntity(partition, rowKey);
        foreach (var (k, v) in fields)
        {
            entity[k] = v;
        }

        await Table(systemId).UpsertEntityAsync(entity, TableUpdateMode.Merge, ct);
    }

    /// <summary>Removes fields from one row, if it is there.</summary>
    public async Task RemoveFieldsAsync(PersonRow row, IEnumerable<string> names, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var table = Table(row.SystemId);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct);
        if (!found.HasValue)
        {
            return;
        }

        var entity = found.Value!;
        var changed = false;
        foreach (var name in names)
        {
            changed |= entity.Remove(name);
        }

        if (changed)
        {
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Replace, ct);
        }
    }

    public async Task DeleteAsync(PersonRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        try
        {
            await Table(row.SystemId).DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone: erasure is idempotent.
        }
    }

    /// <summary>Replaces a row by an anonymous one (no link to the person left) and deletes the original.</summary>
    public async Task AnonymiseAsync(PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var entity = new TableEntity(AnonymisedPartition, anonymousKey) { ["Category"] = row.Record.Category };
        foreach (var (k, v) in kept)
        {
            entity[k] = v;
        }

        await Table(row.SystemId).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        await DeleteAsync(row, ct);
    }

    /// <summary>True when an erasure left a suppression entry for the address in a marketing system (its anonymised records).</summary>
    public async Task<bool> HasErasureSuppressionAsync(string email, CancellationToken ct = default)
    {
        var hash = Domain.Retention.RetentionRules.EmailHash(email);
        foreach (var system in Map.WithRole(SystemRoles.Marketing))
        {
            await foreach (var _ in connector.Table(system).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AnonymisedPartition} and EmailHash eq {hash}"), maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The restriction register (Art 18): what other processing checks before using a person's data. A lifted restriction
    /// leaves no row behind (the request's audit trail says when it was lifted): the register holds only restrictions in force.
    /// </summary>
    public async Task SetRestrictedAsync(string email, string reference, bool restricted, DateTimeOffset at, CancellationToken ct = default)
    {
        var table = storage.Table(DsrStorage.RestrictionsTable);
        if (!restricted)
        {
            await table.DeleteEntityAsync("person", Key(email), Azure.ETag.All, ct);
            return;
        }

        await table.UpsertEntityAsync(new TableEntity("person", Key(email)) { ["Active"] = true, ["Reference"] = reference, ["Since"] = at }, TableUpdateMode.Merge, ct);
    }

    /// <summary>
    /// Puts the person on the marketing suppression list (Art 21(3)): the hash of the address and the date, no more (ICO: keep
    /// just enough to suppress). Nothing links it to a request, so erasure and the case-file schedule leave it, on purpose.
    /// </summary>
    public async Task SuppressMarketingAsync(string email, DateTimeOffset at, CancellationToken ct = default) =>
        await storage.Table(DsrStorage.SuppressionsTable).UpsertEntityAsync(
            new TableEntity(SuppressionPartition, Domain.Retention.RetentionRules.EmailHash(email)) { ["Since"] = at.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
            TableUpdateMode.Merge, ct);

    public async Task<bool> IsSuppressedAsync(string email, CancellationToken ct = default) =>
        (await storage.Table(DsrStorage.SuppressionsTable).GetEntityIfExistsAsync<TableEntity>(SuppressionPartition, Domain.Retention.RetentionRules.EmailHash(email), select: ["PartitionKey"], cancellationToken: ct)).HasValue;

    public async Task<bool> IsRestrictedAsync(string email, CancellationToken ct = default)
    {
        var row = await storage.Table(DsrStorage.RestrictionsTable).GetEntityIfExistsAsync<TableEntity>("person", Key(email), cancellationToken: ct);
        return row.HasValue && row.Value!.GetBoolean("Active") == true;
    }

    /// <summary>A legal hold on the person (set by staff outside this app): keeps everything it covers (Art 17(3)(e)).</summary>
    public async Task<(bool Held, string? Reason)> LegalHoldAsync(string email, CancellationToken ct = default)
    {
        var row = await Http.LegalHoldsHandler.FindAsync(storage.Table(DsrStorage.LegalHoldsTable), email, ct);
        return row is not null && row.GetBoolean("Active") != false ? (true, row.GetString("Reason")) : (false, null);
    }
}
