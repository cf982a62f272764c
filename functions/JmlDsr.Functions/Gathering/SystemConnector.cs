using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Connectors;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Gathering;

/// <summary>Thrown when a system cannot be searched right now; the orchestration retries, then tells staff.</summary>
public sealed class SystemUnavailableException(string systemId, string message) : Exception(message)
{
    public string SystemId { get; } = systemId;
}

/// <summary>
/// One record of one system about the person, with where it is: the table's partition and row. <see cref="Id"/> names it
/// within the system (the row key where the partition is the person's address, else partition/row).
/// </summary>
public sealed record PersonRow(string SystemId, string RowKey, PersonalRecord Record)
{
    public string PartitionKey { get; init; } = string.Empty;

    public string Id { get; init; } = RowKey;
}

/// <summary>
/// Finds a person in JML's systems as the data map describes them, through each system's connector (<see cref="IConnector"/>):
/// by the person's address, and by keys read from another system's records (a customer number in the CRM). A row in
/// SystemStatus marked Down makes a system fail, as a real outage would.
/// </summary>
public sealed class SystemConnector(DataMap map, DsrStorage storage, TimeProvider time, IEnumerable<IConnector> connectors)
{
    public const string StatusTable = "SystemStatus";

    private readonly Dictionary<string, IConnector> _kinds = connectors.ToDictionary(c => c.Kind, StringComparer.Ordinal);

    public DataMap Map => map;

    /// <summary>The connector of the system's kind.</summary>
    public IConnector For(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return _kinds.TryGetValue(system.Connector.Kind, out var c) ? c : throw new InvalidOperationException($"No connector of kind '{system.Connector.Kind}' (system '{system.Id}').");
    }

    /// <summary>The system's table (table connectors).</summary>
    public static string TableFor(SystemDescriptor system) => TableConnector.TableFor(system);

    /// <summary>The tables the app keeps in its own storage for the data map's table systems, and the status table.</summary>
    public static IEnumerable<string> TablesOf(DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Systems.Where(s => s.Connector.Kind == TableConnector.KindName).Select(TableFor).Append(StatusTable);
    }

    public static string Key(string email) => email.Trim().ToLowerInvariant();

    private TableConnector Tables => (TableConnector)_kinds[TableConnector.KindName];

    /// <summary>The search about to be made; throws when the system is down, before anything is read.</summary>
    public async Task<SystemSearch> BeginSearchAsync(string systemId, CancellationToken ct = default)
    {
        var system = map.Get(systemId);
        var status = await storage.Table(StatusTable).GetEntityIfExistsAsync<TableEntity>("status", systemId, cancellationToken: ct);
        if (status.HasValue && status.Value!.GetBoolean("Down") == true)
        {
            throw new SystemUnavailableException(systemId, $"{system.Name} is not answering.");
        }

        var by = string.Join(" and ", system.Lookup.Select(l => l.IsEmail ? "email address" : $"{l.Key} from {map.NameOf(l.From!)}"));
        return new SystemSearch(systemId, time.GetUtcNow(), $"{For(system).Describe(system)} by {by}");
    }

    /// <summary>Every record the system holds for the address, streamed.</summary>
    public async IAsyncEnumerable<PersonalRecord> RecordsAsync(string systemId, string email, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var row in FindAsync(map.Get(systemId), email, ct))
        {
            yield return row.Record;
        }
    }

    /// <summary>
    /// Every row the system holds about the person: by their address, then by each derived key (the values the source system's
    /// records about them hold in the key's field). A row found by two keys comes once.
    /// </summary>
    public async IAsyncEnumerable<PersonRow> FindAsync(SystemDescriptor system, string email, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var connector = For(system);
        var seen = new HashSet<(string, string)>();
        foreach (var lookup in system.Lookup)
        {
            var values = new SortedSet<string>(StringComparer.Ordinal);
            if (lookup.IsEmail)
            {
                values.Add(Key(email));
            }
            else
            {
                await foreach (var source in FindAsync(map.Get(lookup.From!), email, ct))
                {
                    if (source.Record.Fields.FirstOrDefault(f => string.Equals(f.Key, lookup.Field, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } v)
                    {
                        values.Add(v.Trim());
                    }
                }
            }

            foreach (var value in values)
            {
                await foreach (var row in connector.FindAsync(system, lookup, value, email, ct))
                {
                    if (seen.Add((row.PartitionKey, row.RowKey)))
                    {
                        yield return row;
                    }
                }
            }
        }
    }

    /// <summary>True when any system that identifies people (the data map's identity role) knows the address.</summary>
    public async Task<bool> IsKnownAsync(string email, CancellationToken ct = default)
    {
        foreach (var system in map.WithRole(SystemRoles.Identity))
        {
            await foreach (var _ in FindAsync(system, email, ct))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The address whose contract or licence has this number (a contract number or a licence key, as the person would quote it
    /// from their paperwork: the fields the data map names as numbers, in table systems keyed by address), or null. Used only
    /// to find whose records to confirm, never to answer on its own.
    /// </summary>
    public async Task<string?> AddressForNumberAsync(string number, CancellationToken ct = default)
    {
        var n = number.Trim();
        if (n.Length is < 3 or > 100)
        {
            return null;
        }

        foreach (var system in map.Systems.Where(s => s.Numbers.Count > 0 && s.Connector.Kind == TableConnector.KindName && s.Lookup.Any(l => l.IsEmail)))
        {
            var filter = string.Join(" or ", system.Numbers.Prepend("RowKey").Select(f => $"{f} eq '{n.Replace("'", "''", StringComparison.Ordinal)}'"));
            await foreach (var row in Tables.Table(system).QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
            {
                return row.PartitionKey;
            }
        }

        return null;
    }
}
