using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace JmlDsr.Functions.Storage;

/// <summary>
/// Writes a blob, replacing it, with as few storage calls as its size allows: what fits in <see cref="SingleUploadLimit"/>
/// goes up in one call when the stream is disposed; anything larger becomes a block upload as soon as it passes the
/// limit and streams from there, so memory stays bounded whatever the size. Dispose (asynchronously) to commit.
/// </summary>
public sealed class BlobWriteStream(BlobClient blob, string contentType, int singleUploadLimit = BlobWriteStream.SingleUploadLimit) : Stream
{
    /// <summary>The largest blob written in a single call (4 MiB, the default block size).</summary>
    public const int SingleUploadLimit = 4 * 1024 * 1024;

    private readonly BlobHttpHeaders _headers = new() { ContentType = contentType };
    private MemoryStream? _buffer = new();
    private Stream? _blocks;
    private bool _committed;

    /// <summary>Bytes written so far (the blob's length once committed).</summary>
    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_committed;

    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_blocks is not null)
        {
            _blocks.Write(buffer);
        }
        else
        {
            _buffer!.Write(buffer);
            if (_buffer.Length > singleUploadLimit)
            {
                _blocks = blob.OpenWrite(true, new BlobOpenWriteOptions { HttpHeaders = _headers });
                _buffer.Position = 0;
                _buffer.CopyTo(_blocks);
                _buffer.Dispose();
                _buffer = null;
            }
        }

        Written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_blocks is not null)
        {
            await _blocks.WriteAsync(buffer, cancellationToken);
        }
        else
        {
            _buffer!.Write(buffer.Span);
            if (_buffer.Length > singleUploadLimit)
            {
                _blocks = await blob.OpenWriteAsync(true, new BlobOpenWriteOptions { HttpHeaders = _headers }, cancellationToken);
                await SpillBuffer(cancellationToken);
            }
        }

        Written += buffer.Length;
    }

    public override void Flush()
    {
        // Nothing reaches storage before the stream is disposed, or before it passes the single-upload limit.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            _committed = true;
            if (_blocks is not null)
            {
                await _blocks.DisposeAsync();
            }
            else if (_buffer is not null)
            {
                await blob.UploadAsync(new BinaryData(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length)), new BlobUploadOptions { HttpHeaders = _headers });
                await _buffer.DisposeAsync();
                _buffer = null;
            }
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_committed)
        {
            _committed = true;
            if (_blocks is not null)
            {
                _blocks.Dispose();
            }
            else if (_buffer is not null)
            {
                blob.Upload(new BinaryData(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length)), new BlobUploadOptions { HttpHeaders = _headers });
                _buffer.Dispose();
                _buffer = null;
            }
        }

        base.Dispose(disposing);
    }

    private async Task SpillBuffer(CancellationToken ct)
    {
        _buffer!.Position = 0;
        await _buffer.CopyToAsync(_blocks!, ct);
        await _buffer.DisposeAsync();
        _buffer = null;
    }
}
