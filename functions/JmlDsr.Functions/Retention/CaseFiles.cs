using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Domain.Retention;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Retention;

/// <summary>What removing a person's values, or ending a case file, did: counts only.</summary>
public sealed record CaseFileReport(int Requests, int BlobsDeleted, int RowsReduced, int RowsDeleted)
{
    public static CaseFileReport None { get; } = new(0, 0, 0, 0);

    public CaseFileReport Add(CaseFileReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Requests + other.Requests, BlobsDeleted + other.BlobsDeleted, RowsReduced + other.RowsReduced, RowsDeleted + other.RowsDeleted);
    }
}

/// <summary>A raw email reduced on erasure to what the case file needs: that it arrived, when, how big, and its SHA-256.</summary>
public sealed record InboundReceipt(string Blob, string Sha256, long Bytes, DateTimeOffset? Created, DateTimeOffset ReducedAt);

/// <summary>
/// Every store a request's records live in, and the two things done to them: an erasure removes the person's values
/// from every one of their requests (<see cref="ForgetAsync"/>), and the end of the case-file period reduces a request to
/// an anonymous statistics row (<see cref="EndAsync"/>). Both are idempotent: run twice, the second finds nothing left.
/// </summary>
public sealed class CaseFiles(DsrStorage storage, RequestRepository requests, RightsEvidence evidence)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The evidence document that records a reduced raw email.</summary>
    public static string ReceiptName(string blob) => "inbound-receipt-" + RecordFingerprint.Value(blob)[..16];

    /// <summary>Every request (and complaint) by this address, however its letters were cased at intake.</summary>
    public async Task<IReadOnlyList<RequestRecord>> OfPersonAsync(string email, CancellationToken ct = default)
    {
        var list = new List<RequestRecord>();
        await foreach (var r in requests.ListAsync(ct))
        {
            if (r.RequesterEmail.Equals(email, StringComparison.OrdinalIgnoreCase) || r.PersonEmail().Equals(email, StringComparison.OrdinalIgnoreCase))
            {
                list.Add(r);
            }
        }

        return list;
    }

    /// <summary>Deletes the working copies of a request: what was gathered from each system, and the requester's export.</summary>
    public async Task<int> DeleteCopiesAsync(string reference, CancellationToken ct = default)
    {
        var deleted = await DeletePrefixAsync(storage.Container(DsrStorage.GatheredContainer), reference + "/", ct);
        return deleted + await DeletePrefixAsync(storage.Container(DsrStorage.ExportsContainer), reference + "/", ct);
    }

    /// <summary>
    /// After an erasure by the person: removes their values from one request's records. The working copies and raw emails
    /// go (each raw email leaves a receipt in the evidence); decisions and link answers keep counts and hashes; the
    /// rectification evidence keeps hashes of old and new values; the request row keeps the reference, the requester's
    /// address (whom JML answered), dates and outcome, without name, subject or text.
    /// </summary>
    public async Task<CaseFileReport> ForgetAsync(string reference, DateTimeOffset at, CancellationToken ct = default)
    {
        var blobs = await DeleteCopiesAsync(reference, ct);
        foreach (var blob in await RawBlobsAsync(reference, ct))
        {
            blobs += await ReduceRawAsync(reference, blob, at, ct) ? 1 : 0;
        }

        var reduced = await ReduceDecisionsAsync(reference, ct) + await ReduceTokensAsync(reference, ct) + await ReduceRectificationAsync(reference, ct);
        await requests.UpdateAsync(reference, r =>
        {
            r.RequesterName = null;
            r.SubjectName = null;
            r.Subject = null;
            r.Details = null;
            r.ClassificationReason = null;
            r.RawBlob = null;
            r.ForgottenAt ??= at;
            r.CopiesDeletedAt ??= at;
        }, ct);
        return new CaseFileReport(1, blobs, reduced + 1, 0);
    }

    /// <summary>
    /// Deletes what this address left outside its requests: set-aside mail from it or about its requests (its
    /// auto-replies, bounces of our mail to it, which quote the reference) and its rows in the sender and mail-rate limits.
    /// </summary>
    public async Task<CaseFileReport> ForgetAddressAsync(string email, IReadOnlyCollection<string> references, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(references);
        var (emails, blobs) = await DeleteSetAsideWhereAsync(row =>
            (row.From is { } from && from.Contains(email, StringComparison.OrdinalIgnoreCase))
            || (row.QuotedReferences ?? string.Empty).Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries).Any(references.Contains), ct);
        var rows = emails;
        var key = MailGuard.AddressKey(email);
        rows += await DeletePartitionAsync(storage.Table(DsrStorage.SenderRequestsTable), key, ct);
        rows += await DeletePartitionAsync(storage.Table(DsrStorage.MailRateTable), key, ct);
        return new CaseFileReport(0, blobs, 0, rows);
    }

    /// <summary>Deletes the set-aside emails <paramref name="which"/> picks: each one's raw body, its intake row and the record staff saw.</summary>
    public async Task<(int Emails, int Blobs)> DeleteSetAsideWhereAsync(Func<SetAsideRecord, bool> which, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(which);
        var picked = new List<SetAsideRecord>();
        await foreach (var row in storage.Table(DsrStorage.SetAsideTable).QueryAsync<SetAsideRecord>(TableClient.CreateQueryFilter($"PartitionKey eq {SetAsideRecord.Partition}"), cancellationToken: ct))
        {
            if (which(row))
            {
                picked.Add(row);
            }
        }

        var blobs = 0;
        foreach (var row in picked)
        {
            if (row.RawBlob is { } raw && await DeleteBlobAsync(storage.Container(DsrStorage.InboundRawContainer), raw, ct))
            {
                blobs++;
            }

            await DeleteRowAsync(storage.Table(DsrStorage.InboundTable), "msg", row.RowKey, ct);
            await DeleteRowAsync(storage.Table(DsrStorage.SetAsideTable), row.PartitionKey, row.RowKey, ct);
        }

        return (picked.Count, blobs);
    }

    /// <summary>Deletes every row of <paramref name="table"/> that <paramref name="filter"/> selects; returns how many.</summary>
    public static async Task<int> DeleteRowsAsync(TableClient table, string filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var keys = new List<(string Partition, string Row)>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            keys.Add((row.PartitionKey, row.RowKey));
        }

        foreach (var (partition, row) in keys)
        {
            await DeleteRowAsync(table, partition, row, ct);
        }

        return keys.Count;
    }

    /// <summary>
    /// The end of a case file: an anonymous statistics row is written, then everything about the request is deleted —
    /// audit trail, emails sent, decisions, link uses, evidence, working copies, raw emails, intake rows — the request row
    /// last, so a run that stops half way is finished by the next.
    /// </summary>
    public async Task<CaseFileReport> EndAsync(RequestRecord r, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(r);
        var reference = r.RowKey;
        var stats = CaseFileSchedule.Statistics(RequestTypes.FromWire(r.Type), r.Status, r.ReceivedAt,
            DateOnly.TryParse(r.DueDate, System.Globalization.CultureInfo.InvariantCulture, out var due) ? due : Domain.Deadlines.StatutoryClock.UkDate(r.ReceivedAt),
            r.ClosedAt, r.Extended);
        await storage.Table(DsrStorage.StatisticsTable).UpsertEntityAsync(StatisticsRow.From(stats, reference), TableUpdateMode.Replace, ct);

        var blobs = await DeleteCopiesAsync(reference, ct) + await DeletePrefixAsync(storage.Container(DsrStorage.EvidenceContainer), reference + "/", ct);
        var raws = await RawBlobsAsync(reference, ct);
        foreach (var blob in raws)
        {
            blobs += await DeleteBlobAsync(storage.Container(DsrStorage.InboundRawContainer), blob, ct) ? 1 : 0;
        }

        var rows = 0;
        foreach (var table in new[] { DsrStorage.AuditTable, DsrStorage.SendsTable, DsrStorage.DecisionsTable, DsrStorage.TokensTable, DsrStorage.OwnerTasksTable, DsrStorage.RequestSystemsTable })
        {
            rows += await DeletePartitionAsync(storage.Table(table), reference, ct);
        }

        await foreach (var row in IntakeRowsAsync(reference, ct))
        {
            await DeleteRowAsync(storage.Table(DsrStorage.InboundTable), row.PartitionKey, row.RowKey, ct);
            await DeleteRowAsync(storage.Table(DsrStorage.SetAsideTable), SetAsideRecord.Partition, row.RowKey, ct);
            rows++;
        }

        await DeleteRowAsync(storage.Table(DsrStorage.RequestsTable), RequestRecord.Partition, reference, ct);
        return new CaseFileReport(1, blobs, 0, rows + 1);
    }

    /// <summary>The raw emails of a request: the one that opened it and any answers by email.</summary>
    private async Task<IReadOnlyList<string>> RawBlobsAsync(string reference, CancellationToken ct)
    {
        var blobs = new List<string>();
        if (await requests.GetAsync(reference, ct) is { RawBlob: { } opened })
        {
            blobs.Add(opened);
        }

        await foreach (var row in IntakeRowsAsync(reference, ct))
        {
            if (row.GetString("RawBlob") is { } raw && !blobs.Contains(raw, StringComparer.Ordinal))
            {
                blobs.Add(raw);
            }
        }

        return blobs;
    }

    /// <summary>The intake rows (one per email received) that opened or answered this request.</summary>
    private AsyncPageable<TableEntity> IntakeRowsAsync(string reference, CancellationToken ct) =>
        storage.Table(DsrStorage.InboundTable).QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {"msg"} and (Reference eq {reference} or AnswerTo eq {reference})"), cancellationToken: ct);

    private async Task<bool> ReduceRawAsync(string reference, string blobName, DateTimeOffset at, CancellationToken ct)
    {
        var blob = storage.Container(DsrStorage.InboundRawContainer).GetBlobClient(blobName);
        var name = ReceiptName(blobName);
        if (await evidence.ReadAsync<InboundReceipt>(reference, name, ct) is null)
        {
            BlobDownloadStreamingResult download;
            try
            {
                download = (await blob.DownloadStreamingAsync(cancellationToken: ct)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return false;
            }

            using (download)
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                long bytes = 0;
                int read;
                while ((read = await download.Content.ReadAsync(buffer, ct)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    bytes += read;
                }

                await evidence.WriteOnceAsync(reference, name, new InboundReceipt(blobName, Convert.ToHexStringLower(sha.GetHashAndReset()), bytes, download.Details.CreatedOn, at), ct);
            }
        }

        return await DeleteBlobAsync(storage.Container(DsrStorage.InboundRawContainer), blobName, ct);
    }

    /// <summary>Decisions keep what was decided, not the values: how many redactions, each change's field, choice and a hash of its value, a hash of an answer.</summary>
    private async Task<int> ReduceDecisionsAsync(string reference, CancellationToken ct)
    {
        var table = storage.Table(DsrStorage.DecisionsTable);
        var count = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {reference}"), cancellationToken: ct))
        {
            if (row.GetString("Json") is not { } json)
            {
                continue;
            }

            var details = JsonSerializer.Deserialize<DecisionDetails>(json, Json) ?? DecisionDetails.None;
            var summary = new
            {
                redactions = details.Redactions.Count,
                changes = details.Changes.Select(c => new { field = c.Field, apply = c.Apply, newValueSha256 = RecordFingerprint.Value(c.NewValue), refused = c.RefusalReason is not null }),
                answerSha256 = details.Answer is null ? null : RecordFingerprint.Value(details.Answer),
            };
            await table.UpsertEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["Summary"] = JsonSerializer.Serialize(summary, Json) }, TableUpdateMode.Replace, ct);
            count++;
        }

        return count;
    }

    /// <summary>Link uses keep who, when and which action; what was typed into the form is kept as a hash.</summary>
    private async Task<int> ReduceTokensAsync(string reference, CancellationToken ct)
    {
        var table = storage.Table(DsrStorage.TokensTable);
        var count = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {reference}"), cancellationToken: ct))
        {
            if (row.GetString("Payload") is not { } payload)
            {
                continue;
            }

            row.Remove("Payload");
            row["PayloadSha256"] = RecordFingerprint.Value(payload);
            await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            count++;
        }

        return count;
    }

    /// <summary>The rectification evidence keeps which field changed where, with hashes of the old and new values.</summary>
    private async Task<int> ReduceRectificationAsync(string reference, CancellationToken ct)
    {
        if (await evidence.ReadAsync<RectificationRecord>(reference, ApplyRectification.Evidence, ct) is not { } plan
            || plan.Applied.Concat(plan.Refused.Select(r => r.Change)).All(c => IsHashed(c.NewValue)))
        {
            return 0;
        }

        static FieldChange Hash(FieldChange c) => c with
        {
            OldValue = c.OldValue is null || IsHashed(c.OldValue) ? c.OldValue : "sha256:" + RecordFingerprint.Value(c.OldValue),
            NewValue = IsHashed(c.NewValue) ? c.NewValue : "sha256:" + RecordFingerprint.Value(c.NewValue),
        };

        await evidence.ReplaceAsync(reference, ApplyRectification.Evidence,
            new RectificationRecord(plan.Applied.Select(Hash).ToList(), plan.Refused.Select(r => r with { Change = Hash(r.Change) }).ToList()), ct);
        return 1;
    }

    private static bool IsHashed(string value) => value.StartsWith("sha256:", StringComparison.Ordinal);

    private static async Task<int> DeletePrefixAsync(BlobContainerClient container, string prefix, CancellationToken ct)
    {
        var count = 0;
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, ct))
        {
            count += await DeleteBlobAsync(container, item.Name, ct) ? 1 : 0;
        }

        return count;
    }

    private static async Task<bool> DeleteBlobAsync(BlobContainerClient container, string name, CancellationToken ct) =>
        (await container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct)).Value;

    private static Task<int> DeletePartitionAsync(TableClient table, string partition, CancellationToken ct) =>
        DeleteRowsAsync(table, TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), ct);

    private static async Task DeleteRowAsync(TableClient table, string partition, string row, CancellationToken ct)
    {
        try
        {
            await table.DeleteEntityAsync(partition, row, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone: a retry, or never there.
        }
    }
}

/// <summary>A row of the Statistics table: no reference, no person; keyed so that ending the same case file twice writes one row.</summary>
public static class StatisticsRow
{
    public const string Partition = "stats";

    public static TableEntity From(CaseStatistics s, string reference)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new TableEntity(Partition, RecordFingerprint.Value("statistics|" + reference)[..32])
        {
            ["Type"] = s.Type.ToWire(),
            ["Status"] = s.Status,
            ["Received"] = Day(s.Received),
            ["Due"] = Day(s.Due),
            ["Closed"] = s.Closed is { } c ? Day(c) : null,
            ["OnTime"] = s.OnTime,
            ["Extended"] = s.Extended,
        };
    }

    public static Domain.Reporting.RequestFacts? ToFacts(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!DateOnly.TryParse(row.GetString("Received"), System.Globalization.CultureInfo.InvariantCulture, out var received)
            || !DateOnly.TryParse(row.GetString("Due"), System.Globalization.CultureInfo.InvariantCulture, out var due))
        {
            return null;
        }

        DateOnly? closed = DateOnly.TryParse(row.GetString("Closed"), System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : null;
        return new Domain.Reporting.RequestFacts(string.Empty, RequestTypes.FromWire(row.GetString("Type") ?? string.Empty), row.GetString("Status") ?? string.Empty, received, due, closed);
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
