namespace JmlDsr.Functions.Http;

/// <summary>Reads a request body with a ceiling, whatever the post claims its length is.</summary>
public static class RequestBody
{
    /// <summary>
    /// The body, up to <paramref name="limit"/> bytes. Complete is false when there was more: the bytes are then the first
    /// <paramref name="limit"/>, and the rest is left unread.
    /// </summary>
    public static async Task<(byte[] Body, bool Complete)> ReadAsync(Stream body, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await body.ReadAsync(chunk, ct);
            if (read == 0)
            {
                return (buffer.ToArray(), true);
            }

            if (buffer.Length + read > limit)
            {
                buffer.Write(chunk, 0, (int)(limit - buffer.Length));
                return (buffer.ToArray(), false);
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
