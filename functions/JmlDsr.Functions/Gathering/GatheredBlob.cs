using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Functions.Gathering;

/// <summary>
/// What a system returned, kept in blob storage as JSON Lines: the search on the first line, then one
/// record per line. Written and read as a stream, so a subject with millions of records never has to
/// fit in memory.
/// </summary>
public static class GatheredBlob
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public static string Name(string reference, string systemId) => $"{reference}/{systemId}.jsonl";

    /// <summary>Writes the search and its records; returns how many records were written.</summary>
    public static async Task<int> WriteAsync(Stream output, SystemSearch search, IAsyncEnumerable<PersonalRecord> records, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await JsonSerializer.SerializeAsync(output, search, Json, ct);
        await output.WriteAsync(NewLine, ct);
        var count = 0;
        await foreach (var record in records.WithCancellation(ct))
        {
            await JsonSerializer.SerializeAsync(output, record, Json, ct);
            await output.WriteAsync(NewLine, ct);
            count++;
        }

        return count;
    }

    /// <summary>Reads the search line; the records follow lazily from <see cref="ReadRecordsAsync"/> on the same reader.</summary>
    public static async Task<SystemSearch> ReadSearchAsync(StreamReader reader, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var line = await reader.ReadLineAsync(ct) ?? throw new InvalidDataException("A gathered blob is empty.");
        return JsonSerializer.Deserialize<SystemSearch>(line, Json) ?? throw new InvalidDataException("A gathered blob has no search line.");
    }

    public static async IAsyncEnumerable<PersonalRecord> ReadRecordsAsync(StreamReader reader, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<PersonalRecord>(line, Json) ?? throw new InvalidDataException("A gathered record is empty.");
            }
        }
    }

    /// <summary>The records one system returned for a request, streamed; none when the system was not searched.</summary>
    public static async IAsyncEnumerable<PersonalRecord> RecordsOfAsync(Azure.Storage.Blobs.BlobContainerClient gathered, string reference, string systemId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(gathered);
        var blob = gathered.GetBlobClient(Name(reference, systemId));
        Azure.Storage.Blobs.Models.BlobDownloadStreamingResult download;
        try
        {
            // One streamed GET; a system not searched has no blob.
            download = (await blob.DownloadStreamingAsync(cancellationToken: ct)).Value;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            yield break;
        }

        using var _ = download;
        using var reader = Reader(download.Content);
        await ReadSearchAsync(reader, ct);
        await foreach (var record in ReadRecordsAsync(reader, ct))
        {
            yield return record;
        }
    }

    public static StreamReader Reader(Stream stream) => new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
}
