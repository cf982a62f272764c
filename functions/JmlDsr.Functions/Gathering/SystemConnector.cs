using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Gathering;

/// <summary>Thrown when a system cannot be searched right now; the orchestration retries, then tells staff.</summary>
public sealed class SystemUnavailableException(string systemId, string message) : Exception(message)
{
    public string SystemId { get; } = systemId;
}

/// <summary>
/// Searches one of JML's systems for a person. Each system is a table keyed by the person's email
/// address (PartitionKey) — the demo stand-in for the real connector. A row in SystemStatus marked
/// Down makes the system fail, as a real outage would.
/// </summary>
public sealed class SystemConnector(DsrStorage storage, TimeProvider time)
{
    public const string StatusTable = "SystemStatus";

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "PartitionKey", "RowKey", "Timestamp", "odata.etag", "Category",
    };

    public static string TableFor(string systemId) =>
        "Sys" + string.Concat(systemId.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    public static IEnumerable<string> AllTables => SystemCatalog.All.Select(s => TableFor(s.Id)).Append(StatusTable);

    /// <summary>The search about to be made; throws when the system is down, before anything is read.</summary>
    public async Task<SystemSearch> BeginSearchAsync(string systemId, CancellationToken ct = default)
    {
        var status = await storage.Table(StatusTable).GetEntityIfExistsAsync<TableEntity>("status", systemId, cancellationToken: ct);
        if (status.HasValue && status.Value!.GetBoolean("Down") == true)
        {
            throw new SystemUnavailableException(systemId, $"{SystemCatalog.Get(systemId).Name} is not answering.");
        }

        return new SystemSearch(systemId, time.GetUtcNow(), $"{TableFor(systemId)} by email address");
    }

    /// <summary>Every record the system holds for the address, streamed page by page.</summary>
    public async IAsyncEnumerable<PersonalRecord> RecordsAsync(string systemId, string email, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = storage.Table(TableFor(systemId));
        var key = email.Trim().ToLowerInvariant();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {key}"), cancellationToken: ct))
        {
            yield return ToRecord(row);
        }
    }

    /// <summary>A system row as a record: its category and its fields, dates as yyyy-MM-dd, numbers invariant.</summary>
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

    /// <summary>True when any system that identifies people (accounts, CRM, contracts) knows the address.</summary>
    public async Task<bool> IsKnownAsync(string email, CancellationToken ct = default)
    {
        var key = email.Trim().ToLowerInvariant();
        foreach (var system in new[] { SystemCatalog.WebsiteAccounts, SystemCatalog.Crm, SystemCatalog.Contracts })
        {
            await foreach (var _ in storage.Table(TableFor(system)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {key}"), maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The address whose contract or licence has this number (a contract number or a licence key, as the person would quote it
    /// from their paperwork), or null. Used only to find whose records to confirm, never to answer on its own.
    /// </summary>
    public async Task<string?> AddressForNumberAsync(string number, CancellationToken ct = default)
    {
        var n = number.Trim();
        if (n.Length is < 3 or > 100)
        {
            return null;
        }

        var filter = TableClient.CreateQueryFilter($"RowKey eq {n} or Contract eq {n} or LicenceKey eq {n}");
        await foreach (var row in storage.Table(TableFor(SystemCatalog.Contracts)).QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
        {
            return row.PartitionKey;
        }

        return null;
    }
}
