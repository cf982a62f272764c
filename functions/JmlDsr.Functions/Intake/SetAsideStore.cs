using Azure;
using Azure.Data.Tables;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// One inbound email that is not a request (SetAside table, partition "mail", row = the email's de-duplication key): an
/// auto-reply, a bounce, our own mail come back. Kept with its raw body so staff can read it and open it as a request
/// in one action: nothing a person wrote is ever lost to a filter.
/// </summary>
public sealed class SetAsideRecord : ITableEntity
{
    public const string Partition = "mail";

    public string PartitionKey { get; set; } = Partition;

    /// <summary>The email's de-duplication key (the id the API and the console use).</summary>
    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>When the privacy mailbox first received it (the time a request opened from it counts from).</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The set-aside reason's wire name (own-mail, auto-reply, bounce, …).</summary>
    public string Reason { get; set; } = string.Empty;

    /// <summary>Why, in words, for staff.</summary>
    public string Explanation { get; set; } = string.Empty;

    public string? RawBlob { get; set; }

    /// <summary>The From header as it came (who to answer if staff open it as a request).</summary>
    public string? From { get; set; }

    public string? Subject { get; set; }

    /// <summary>Our request references it quotes (comma-separated, at most a handful).</summary>
    public string? QuotedReferences { get; set; }

    /// <summary>The request staff opened from it, if they did.</summary>
    public string? OpenedAs { get; set; }

    public string? OpenedBy { get; set; }

    public DateTimeOffset? OpenedAt { get; set; }
}

/// <summary>The set-aside list: written by intake, read by staff, opened as a request by staff.</summary>
public sealed class SetAsideStore(DsrStorage storage)
{
    private TableClient Table => storage.Table(DsrStorage.SetAsideTable);

    /// <summary>Records the email (idempotent: a SendGrid retry writes the same row, and never undoes an opening).</summary>
    public async Task AddAsync(SetAsideRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await Table.AddEntityAsync(record, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already kept by an earlier post of the same email.
        }
    }

    public async Task<SetAsideRecord?> GetAsync(string id, CancellationToken ct = default) =>
        (await Table.GetEntityIfExistsAsync<SetAsideRecord>(SetAsideRecord.Partition, id, cancellationToken: ct)) is { HasValue: true } r ? r.Value : null;

    /// <summary>Every set-aside email, newest first; <paramref name="reason"/> filters by reason (wire name).</summary>
    public async Task<IReadOnlyList<SetAsideRecord>> ListAsync(string? reason, CancellationToken ct = default)
    {
        var filter = string.IsNullOrEmpty(reason)
            ? TableClient.CreateQueryFilter($"PartitionKey eq {SetAsideRecord.Partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {SetAsideRecord.Partition} and Reason eq {reason}");
        var list = new List<SetAsideRecord>();
        await foreach (var r in Table.QueryAsync<SetAsideRecord>(filter, cancellationToken: ct))
        {
            list.Add(r);
        }

        return list.OrderByDescending(r => r.ReceivedAt).ToList();
    }

    /// <summary>Marks the email opened as <paramref name="reference"/> (first opening wins).</summary>
    public async Task MarkOpenedAsync(SetAsideRecord record, string reference, string by, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.OpenedAs = reference;
        record.OpenedBy = by;
        record.OpenedAt = at;
        await Table.UpdateEntityAsync(record, ETag.All, TableUpdateMode.Merge, ct);
    }
}
