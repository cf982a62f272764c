using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>One row of a system about the person, as it is now.</summary>
public sealed record SystemRow(string SystemId, string RowKey, PersonalRecord Record);

/// <summary>
/// Carries out rights in JML's systems (the demo stand-ins: a table per system keyed by email address):
/// field corrections, restriction flags, erasure and anonymisation. Every write is idempotent: doing it
/// twice leaves the system as doing it once.
/// </summary>
public sealed class SystemWriter(DsrStorage storage)
{
    public const string RestrictionRow = "restriction";
    public const string AnonymisedPartition = "anonymised";
    public const string ObjectionRow = "objection";
    public const string SuppressionPartition = "email-sha256";

    public static string Key(string email) => email.Trim().ToLowerInvariant();

    private TableClient Table(string systemId) => storage.Table(SystemConnector.TableFor(systemId));

    /// <summary>Every row the system holds for the person (small per person; erasure and rectification work row by row).</summary>
    public async Task<IReadOnlyList<SystemRow>> RowsAsync(string systemId, string email, CancellationToken ct = default)
    {
        var key = Key(email);
        var rows = new List<SystemRow>();
        await foreach (var e in Table(systemId).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {key}"), cancellationToken: ct))
        {
            rows.Add(new SystemRow(systemId, e.RowKey, SystemConnector.ToRecord(e)));
        }

        return rows;
    }

    /// <summary>Sets fields on one row (merge): other fields stay as they are.</summary>
    public async Task SetFieldsAsync(string systemId, string email, string rowKey, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default)
    {
        var entity = new TableEntity(Key(email), rowKey);
        foreach (var (k, v) in fields)
        {
            entity[k] = v;
        }

        await Table(systemId).UpsertEntityAsync(entity, TableUpdateMode.Merge, ct);
    }

    /// <summary>Removes fields from one row, if it is there.</summary>
    public async Task RemoveFieldsAsync(string systemId, string email, string rowKey, IEnumerable<string> names, CancellationToken ct = default)
    {
        var table = Table(systemId);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Key(email), rowKey, cancellationToken: ct);
        if (!row.HasValue)
        {
            return;
        }

        var entity = row.Value!;
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

    public async Task DeleteAsync(string systemId, string email, string rowKey, CancellationToken ct = default)
    {
        try
        {
            await Table(systemId).DeleteEntityAsync(Key(email), rowKey, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone: erasure is idempotent.
        }
    }

    /// <summary>Replaces a row by an anonymous one (no link to the person left) and deletes the original.</summary>
    public async Task AnonymiseAsync(string systemId, string email, string rowKey, string category, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default)
    {
        var entity = new TableEntity(AnonymisedPartition, anonymousKey) { ["Category"] = category };
        foreach (var (k, v) in kept)
        {
            entity[k] = v;
        }

        await Table(systemId).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        await DeleteAsync(systemId, email, rowKey, ct);
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
