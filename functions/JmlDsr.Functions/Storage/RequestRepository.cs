using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Functions.Storage;

/// <summary>Reads and writes the Requests index and allocates references.</summary>
public sealed class RequestRepository(DsrStorage storage) : IDisposable
{
    /// <summary>References an instance takes from the shared counter at a time.</summary>
    public const int ReferenceBlock = 10;

    // One allocation at a time per process: concurrent posts to one instance then never fight over
    // the counter's ETag; instances still coordinate through the ETag.
    private readonly SemaphoreSlim _allocation = new(1, 1);
    private readonly Stack<(int Year, long Number)> _returned = new();
    private int _blockYear;
    private long _blockNext;
    private long _blockEnd;

    private TableClient Requests => storage.Table(DsrStorage.RequestsTable);

    public void Dispose() => _allocation.Dispose();

    public async Task<RequestRecord?> GetAsync(string reference, CancellationToken ct = default)
    {
        // Whatever loads a request works on it: its span and log lines carry the reference.
        Telemetry.DsrTelemetry.Reference(reference);
        var r = await Requests.GetEntityIfExistsAsync<RequestRecord>(RequestRecord.Partition, reference, cancellationToken: ct);
        return r.HasValue ? r.Value : null;
    }

    public async Task<RequestRecord> GetRequiredAsync(string reference, CancellationToken ct = default) =>
        await GetAsync(reference, ct) ?? throw new InvalidOperationException($"Request {reference} does not exist.");

    /// <summary>Creates the row if missing; an existing row is left as it is (intake may run twice).</summary>
    public async Task CreateIfMissingAsync(RequestRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        Telemetry.DsrTelemetry.Reference(record.RowKey);
        try
        {
            await Requests.AddEntityAsync(record, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already created by an earlier attempt.
        }
    }

    /// <summary>Applies a change to the row, retrying on concurrent writes.</summary>
    /// <summary>The requests opened from the same message as <paramref name="record"/> that are still stored, in the order it names them.</summary>
    public async Task<IReadOnlyList<RequestRecord>> LinkedAsync(RequestRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var list = new List<RequestRecord>();
        foreach (var other in record.LinkedReferences())
        {
            if (await GetAsync(other, ct) is { } row)
            {
                list.Add(row);
            }
        }

        return list;
    }

    public async Task UpdateAsync(string reference, Action<RequestRecord> change, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var record = await GetRequiredAsync(reference, ct);
            change(record);
            try
            {
                await Requests.UpdateEntityAsync(record, record.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 10)
            {
                // Someone else wrote in between: read again and re-apply.
            }
        }
    }

    public IAsyncEnumerable<RequestRecord> ListAsync(CancellationToken ct = default) => ListAsync(status: null, type: null, ct);

    /// <summary>
    /// The requests, filtered by status and type (null or empty: any) in the storage query itself, so a filtered list
    /// reads and moves only the rows it shows.
    /// </summary>
    public IAsyncEnumerable<RequestRecord> ListAsync(string? status, string? type, CancellationToken ct = default) => ListAsync(status, type, null, ct);

    /// <summary>The requests of a status and type (either empty: any), with only the <paramref name="select"/> columns when given.</summary>
    public async IAsyncEnumerable<RequestRecord> ListAsync(string? status, string? type, IEnumerable<string>? select, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RequestRecord.Partition}");
        if (!string.IsNullOrEmpty(status))
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        if (!string.IsNullOrEmpty(type))
        {
            filter += " and " + TableClient.CreateQueryFilter($"Type eq {type}");
        }

        await foreach (var r in Requests.QueryAsync<RequestRecord>(filter, select: select, cancellationToken: ct))
        {
            yield return r;
        }
    }

    /// <summary>
    /// The open requests (not closed: <see cref="RequestRecord.ClosedAt"/> unset), a page at a time, for the deadline watchdog.
    /// Closed statuses are left out in the storage query itself; a row closed without one of them is left out here.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<RequestRecord>> OpenPagesAsync(int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RequestRecord.Partition}");
        foreach (var closed in ClosedStatuses)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status ne {closed}");
        }

        await foreach (var page in Requests.QueryAsync<RequestRecord>(filter, maxPerPage: pageSize, cancellationToken: ct).AsPages(pageSizeHint: pageSize).WithCancellation(ct))
        {
            var open = page.Values.Where(r => r.ClosedAt is null).ToList();
            if (open.Count > 0)
            {
                yield return open;
            }
        }
    }

    /// <summary>
    /// Records the deadline watchdog's look at a request: its fields only, merged, so it never overwrites the workflow's
    /// writes nor moves <see cref="RequestRecord.ProgressAt"/>. A row gone meanwhile (its case file ended) is left gone.
    /// </summary>
    public async Task RecordWatchAsync(string reference, string verdict, string reason, DateTimeOffset? since, DateTimeOffset at, CancellationToken ct = default)
    {
        var entity = new TableEntity(RequestRecord.Partition, reference)
        {
            [nameof(RequestRecord.WatchVerdict)] = verdict,
            [nameof(RequestRecord.WatchReason)] = reason,
            [nameof(RequestRecord.WatchSince)] = since,
            [nameof(RequestRecord.WatchedAt)] = at,
        };
        await MergeIfExistsAsync(entity, ct);
    }

    /// <summary>Records that staff restarted the request's workflow (merged, as <see cref="RecordWatchAsync"/>).</summary>
    public Task RecordRestartAsync(string reference, DateTimeOffset at, CancellationToken ct = default) =>
        MergeIfExistsAsync(new TableEntity(RequestRecord.Partition, reference) { [nameof(RequestRecord.RestartedAt)] = at }, ct);

    private static readonly string[] ClosedStatuses =
    [
        RequestStatus.Completed, RequestStatus.Rejected, RequestStatus.ClosedUnverified, RequestStatus.Refused, RequestStatus.ClosedNoClarification,
        RequestStatus.ComplaintClosed, RequestStatus.ClosedFeeUnpaid,
    ];

    private async Task MergeIfExistsAsync(TableEntity entity, CancellationToken ct)
    {
        try
        {
            await Requests.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The row went (its case file ended) between the read and this write: nothing to record.
        }
    }

    /// <summary>
    /// Issues the next reference for the year (DSR-yyyy-nnnnnn). The counter row is shared by every instance through its
    /// ETag; each instance takes <see cref="ReferenceBlock"/> numbers at a time from it, so busy intake does not queue on
    /// one row. Numbers an instance took and never used (it stopped before <see cref="GiveBackAsync"/> could return them) are
    /// skipped: references are unique and rising per instance, not gap-free.
    /// </summary>
    public async Task<string> AllocateReferenceAsync(int year, CancellationToken ct = default)
    {
        await _allocation.WaitAsync(ct);
        try
        {
            if (_returned.Count > 0 && _returned.Peek().Year == year)
            {
                return RequestReference.Format(year, _returned.Pop().Number);
            }

            if (_blockYear != year || _blockNext >= _blockEnd)
            {
                _blockNext = await TakeBlockAsync(year, ct);
                _blockEnd = _blockNext + ReferenceBlock;
                _blockYear = year;
                _returned.Clear();
            }

            return RequestReference.Format(year, _blockNext++);
        }
        finally
        {
            _allocation.Release();
        }
    }

    /// <summary>A reference allocated but not used (the email turned out to be a repeat): the next allocation here reuses it.</summary>
    public async Task GiveBackAsync(string reference)
    {
        if (!RequestReference.TryParse(reference, out var year, out var number))
        {
            return;
        }

        await _allocation.WaitAsync();
        try
        {
            if (year == _blockYear)
            {
                _returned.Push((year, number));
            }
        }
        finally
        {
            _allocation.Release();
        }
    }

    /// <summary>Moves the year's counter on by a block and returns the block's first number.</summary>
    private async Task<long> TakeBlockAsync(int year, CancellationToken ct)
    {
        var counters = storage.Table(DsrStorage.CountersTable);
        var key = year.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; ; attempt++)
        {
            var existing = await counters.GetEntityIfExistsAsync<TableEntity>("reference", key, cancellationToken: ct);
            try
            {
                if (!existing.HasValue)
                {
                    await counters.AddEntityAsync(new TableEntity("reference", key) { ["Next"] = 1L + ReferenceBlock }, ct);
                    return 1;
                }

                var entity = existing.Value!;
                var next = entity.GetInt64("Next") ?? 1L;
                entity["Next"] = next + ReferenceBlock;
                await counters.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                return next;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 50)
            {
                await Task.Delay(Random.Shared.Next(5, 25) * (attempt + 1), ct);
            }
        }
    }
}
