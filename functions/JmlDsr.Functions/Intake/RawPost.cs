using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// An inbound post as kept in <c>inbound-raw/</c>, streamed there as it is read, hashing as it goes. A post up to
/// <see cref="MemoryBytes"/> (nearly all mail) is held in memory, named by its SHA-256 and written in one call that a
/// retry of the same bytes finds already done; a larger one streams to a block blob under a unique name as it arrives,
/// so memory stays at one buffer whatever its size, and the parser then reads it back from the blob.
/// </summary>
public sealed class RawPost : IAsyncDisposable
{
    /// <summary>A post up to this size is kept (and parsed) from memory; a larger one streams to and from the blob.</summary>
    public const int MemoryBytes = 4 * 1024 * 1024;

    private const int ChunkBytes = 81920;

    private readonly BlobClient _blob;
    private byte[]? _buffer;
    private int _buffered;

    private RawPost(BlobClient blob, string blobName)
    {
        _blob = blob;
        BlobName = blobName;
    }

    /// <summary>The blob's name in <c>inbound-raw/</c>.</summary>
    public string BlobName { get; }

    /// <summary>The SHA-256 of the bytes read, lower-case hex.</summary>
    public string Sha256 { get; private set; } = string.Empty;

    /// <summary>The bytes read (and kept).</summary>
    public long Length { get; private set; }

    /// <summary>False when the post was longer than the read limit: only its first bytes were read and kept.</summary>
    public bool Complete { get; private set; }

    /// <summary>Reads <paramref name="body"/> (at most <paramref name="limit"/> bytes) into the container, streaming.</summary>
    public static async Task<RawPost> KeepAsync(BlobContainerClient container, Stream body, long limit, string? contentType, DateTimeOffset receivedAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(body);
        var headers = new BlobHttpHeaders { ContentType = string.IsNullOrEmpty(contentType) ? "application/octet-stream" : contentType };
        var day = receivedAt.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // First as much as fits in memory.
        var buffer = ArrayPool<byte>.Shared.Rent(MemoryBytes);
        var filled = 0;
        var ended = false;
        while (filled < MemoryBytes)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled, (int)Math.Min(MemoryBytes - filled, limit - filled)), ct);
            if (read == 0)
            {
                ended = true;
                break;
            }

            filled += read;
            if (filled >= limit)
            {
                ended = await AtEndAsync(body, ct);
                break;
            }
        }

        hash.AppendData(buffer, 0, filled);
        if (ended || filled >= limit)
        {
            var sha = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            var name = $"{day}/{sha}.bin";
            var post = new RawPost(container.GetBlobClient(name), name) { Sha256 = sha, Length = filled, Complete = ended, _buffer = buffer, _buffered = filled };
            try
            {
                await post._blob.UploadAsync(new BinaryData(buffer.AsMemory(0, filled)), new BlobUploadOptions
                {
                    HttpHeaders = headers,
                    Metadata = Metadata(receivedAt, ended, sha),
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, ct);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // The same bytes are already kept.
            }

            return post;
        }

        // Larger: stream the rest to a block blob as it arrives, under a name of its own.
        var bigName = string.Create(CultureInfo.InvariantCulture, $"{day}/{receivedAt:HHmmss}-{Guid.NewGuid():N}.bin");
        var big = new RawPost(container.GetBlobClient(bigName), bigName);
        long total = filled;
        var complete = false;
        await using (var upload = await big._blob.OpenWriteAsync(overwrite: true, new BlobOpenWriteOptions { HttpHeaders = headers, BufferSize = MemoryBytes }, ct))
        {
            await upload.WriteAsync(buffer.AsMemory(0, filled), ct);
            ArrayPool<byte>.Shared.Return(buffer);
            var chunk = new byte[ChunkBytes];
            while (true)
            {
                var read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - total)), ct);
                if (read == 0)
                {
                    complete = total < limit || await AtEndAsync(body, ct);
                    break;
                }

                hash.AppendData(chunk, 0, read);
                await upload.WriteAsync(chunk.AsMemory(0, read), ct);
                total += read;
                if (total >= limit)
                {
                    complete = await AtEndAsync(body, ct);
                    break;
                }
            }
        }

        big.Sha256 = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        big.Length = total;
        big.Complete = complete;
        await big._blob.SetMetadataAsync(Metadata(receivedAt, complete, big.Sha256), cancellationToken: ct);
        return big;
    }

    /// <summary>The post's bytes to parse: from memory when it fitted, else read back from the blob (a 1 MiB buffer).</summary>
    public async Task<Stream> OpenReadAsync(CancellationToken ct) =>
        _buffer is not null
            ? new MemoryStream(_buffer, 0, _buffered, writable: false)
            : await _blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 1024 * 1024 }, ct);

    public ValueTask DisposeAsync()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        return ValueTask.CompletedTask;
    }

    private static Dictionary<string, string> Metadata(DateTimeOffset receivedAt, bool complete, string sha) => new()
    {
        ["receivedAt"] = receivedAt.ToString("O", CultureInfo.InvariantCulture),
        ["complete"] = complete ? "true" : "false",
        ["sha256"] = sha,
    };

    /// <summary>Whether the body has nothing after what was read (one byte is read to tell; it is not kept).</summary>
    private static async Task<bool> AtEndAsync(Stream body, CancellationToken ct)
    {
        var probe = new byte[1];
        return await body.ReadAsync(probe, ct) == 0;
    }
}
