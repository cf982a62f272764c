using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>The plan and result of a rectification: what changed where, from what to what, and what was refused.</summary>
public sealed record RectificationRecord(IReadOnlyList<FieldChange> Applied, IReadOnlyList<RefusedChange> Refused);

/// <summary>The systems a restriction (or its lifting) touched.</summary>
public sealed record RestrictionRecord(IReadOnlyList<string> Systems, DateTimeOffset At);

/// <summary>
/// Proof of what a right did, kept in evidence/{reference}/…: written once (the first write wins, so a retried
/// activity reads back the plan it made before a crash), read by the outcome emails and the evidence pack.
/// </summary>
public sealed class RightsEvidence(DsrStorage storage)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Name(string reference, string what) => $"{reference}/{what}.json";

    public async Task<T?> ReadAsync<T>(string reference, string what, CancellationToken ct = default)
        where T : class
    {
        var blob = storage.Container(DsrStorage.EvidenceContainer).GetBlobClient(Name(reference, what));
        try
        {
            var content = await blob.DownloadContentAsync(ct);
            return content.Value.Content.ToObjectFromJson<T>(Json);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// For a record that grows (a later search adds to it, never takes away): reads it, applies <paramref name="merge"/>
    /// and writes the result only if the record is still as read (ETag), trying again when a concurrent run of the same
    /// activity wrote first. Unchanged content is not written again. Returns the record that stands.
    /// </summary>
    public async Task<T> MergeAsync<T>(string reference, string what, Func<T?, T> merge, CancellationToken ct = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(merge);
        var blob = storage.Container(DsrStorage.EvidenceContainer).GetBlobClient(Name(reference, what));
        for (var attempt = 1; ; attempt++)
        {
            T? existing = null;
            ETag? etag = null;
            BinaryData? before = null;
            try
            {
                var content = await blob.DownloadContentAsync(ct);
                before = content.Value.Content;
                existing = before.ToObjectFromJson<T>(Json);
                etag = content.Value.Details.ETag;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }

            var merged = merge(existing);
            var after = BinaryData.FromObjectAsJson(merged, Json);
            if (before is not null && before.ToMemory().Span.SequenceEqual(after.ToMemory().Span))
            {
                return merged;
            }

            try
            {
                await blob.UploadAsync(after, new BlobUploadOptions
                {
                    Conditions = etag is { } tag ? new BlobRequestConditions { IfMatch = tag } : new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                }, ct);
                return merged;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 5)
            {
                // Someone else wrote in between: merge into what they wrote.
            }
        }
    }

    /// <summary>Writes <paramref name="value"/> unless a record is already there; returns the one that stands.</summary>
    public async Task<T> WriteOnceAsync<T>(string reference, string what, T value, CancellationToken ct = default)
        where T : class
    {
        var blob = storage.Container(DsrStorage.EvidenceContainer).GetBlobClient(Name(reference, what));
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(value, Json), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, ct);
            return value;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return await ReadAsync<T>(reference, what, ct) ?? value;
        }
    }

    /// <summary>Replaces a record (only to reduce it: an erasure takes the values out of the evidence).</summary>
    public async Task ReplaceAsync<T>(string reference, string what, T value, CancellationToken ct = default)
        where T : class
    {
        var blob = storage.Container(DsrStorage.EvidenceContainer).GetBlobClient(Name(reference, what));
        await blob.UploadAsync(BinaryData.FromObjectAsJson(value, Json), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, ct);
    }

    /// <summary>Every evidence document of a request, name and JSON, for the evidence pack.</summary>
    public async Task<IReadOnlyList<(string Name, JsonElement Json)>> AllAsync(string reference, CancellationToken ct = default)
    {
        var container = storage.Container(DsrStorage.EvidenceContainer);
        var list = new List<(string, JsonElement)>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = reference + "/" }, ct))
        {
            var content = await container.GetBlobClient(item.Name).DownloadContentAsync(ct);
            using var doc = JsonDocument.Parse(content.Value.Content.ToMemory());
            var name = item.Name[(reference.Length + 1)..];
            list.Add((name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : name, doc.RootElement.Clone()));
        }

        return list;
    }
}
