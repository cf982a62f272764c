using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Connectors;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Carries out rights in JML's systems as the data map describes them, each through its connector (<see cref="IConnector"/>):
/// field corrections, restriction and objection flags and marks, erasure, anonymisation and retention. Every write is
/// idempotent: doing it twice leaves the system as doing it once. A flag (the restriction or objection record) lives
/// beside the person's records where the connector can hold one; elsewhere each record is marked instead.
/// </summary>
public sealed class SystemWriter(SystemConnector connector, DsrStorage storage)
{
    public const string RestrictionRow = "restriction";
    public const string AnonymisedPartition = TableConnector.AnonymisedPartition;
    public const string ObjectionRow = "objection";
    public const string SuppressionPartition = "email-sha256";

    public DataMap Map => connector.Map;

    public static string Key(string email) => SystemConnector.Key(email);

    private (SystemDescriptor System, IConnector Connector) Of(string systemId)
    {
        var system = Map.Get(systemId);
        return (system, connector.For(system));
    }

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

    /// <summary>True when the system keeps flags beside the person's records.</summary>
    public bool HoldsFlags(string systemId)
    {
        var (s, c) = Of(systemId);
        return c.HoldsFlags(s);
    }

    public bool CanRectify(string systemId, string field)
    {
        var (s, c) = Of(systemId);
        return c.CanRectify(s, field);
    }

    public Task RectifyAsync(PersonRow row, string field, string? value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (s, c) = Of(row.SystemId);
        return c.RectifyAsync(s, row, field, value, ct);
    }

    public Task RetainAsync(PersonRow row, string rule, string retainUntil, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (s, c) = Of(row.SystemId);
        return c.RetainAsync(s, row, rule, retainUntil, ct);
    }

    public Task MarkAsync(PersonRow row, string purpose, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (s, c) = Of(row.SystemId);
        return c.MarkAsync(s, row, purpose, fields, ct);
    }

    public Task UnmarkAsync(PersonRow row, string purpose, IReadOnlyList<string> fields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (s, c) = Of(row.SystemId);
        return c.UnmarkAsync(s, row, purpose, fields, ct);
    }

    /// <summary>Writes the person's flag record (restriction, objection) in a system that holds flags.</summary>
    public Task SetFlagAsync(string systemId, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default)
    {
        var (s, c) = Of(systemId);
        return c.SetFlagAsync(s, email, flag, fields, ct);
    }

    public Task DeleteFlagAsync(string systemId, string email, string flag, CancellationToken ct = default)
    {
        var (s, c) = Of(systemId);
        return c.DeleteFlagAsync(s, email, flag, ct);
    }

    public Task DeleteAsync(PersonRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (s, c) = Of(row.SystemId);
        return c.EraseAsync(s, row, ct);
    }

    /// <summary>Replaces a row by an anonymous one (no link to the person left), or runs the system's own anonymisation.</summary>
    public Task AnonymiseAsync(PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (s, c) = Of(row.SystemId);
        return c.AnonymiseAsync(s, row, kept, anonymousKey, ct);
    }

    /// <summary>True when an erasure left a suppression entry for the address in a marketing system (its anonymised records).</summary>
    public async Task<bool> HasErasureSuppressionAsync(string email, CancellationToken ct = default)
    {
        var hash = Domain.Retention.RetentionRules.EmailHash(email);
        foreach (var system in Map.WithRole(SystemRoles.Marketing).Where(s => s.Connector.Kind == TableConnector.KindName))
        {
            await foreach (var _ in storage.Table(TableConnector.TableFor(system)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AnonymisedPartition} and EmailHash eq {hash}"), maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
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
