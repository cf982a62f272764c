namespace JmlDsr.Functions.Intake;

/// <summary>
/// A seekable copy of a stream for MimeKit's persistent parse: in memory up to a size, then in a temporary file that is
/// deleted when the spool is disposed. Memory stays at most the in-memory size whatever the stream's length.
/// </summary>
internal sealed class Spool : IDisposable
{
    private Spool(Stream stream) => Stream = stream;

    /// <summary>The copy, positioned at its start.</summary>
    public Stream Stream { get; }

    public static async Task<Spool> CopyAsync(Stream source, int memoryBytes, CancellationToken ct)
    {
        var memory = new MemoryStream();
        var chunk = new byte[81920];
        Stream target = memory;
        try
        {
            for (var n = await source.ReadAsync(chunk, ct); n > 0; n = await source.ReadAsync(chunk, ct))
            {
                if (target == memory && memory.Length + n > memoryBytes)
                {
                    var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                    memory.Position = 0;
                    await memory.CopyToAsync(file, ct);
                    await memory.DisposeAsync();
                    target = file;
                }

                await target.WriteAsync(chunk.AsMemory(0, n), ct);
            }

            target.Position = 0;
            return new Spool(target);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    public void Dispose() => Stream.Dispose();
}
