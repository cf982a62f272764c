using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace JmlDsr.Domain.Gathering;

/// <summary>
/// How JmlDsr signs each call to a system of the <c>http</c> connector (docs/http-connector.md): HMAC-SHA256, keyed by the
/// system's shared secret, over the timestamp header's text, a full stop, the method, a full stop, the path, a full stop and
/// the raw body; sent as <c>X-JmlDsr-Signature: v1=&lt;lower-case hex&gt;</c> beside <c>X-JmlDsr-Timestamp</c> (Unix seconds).
/// A system refuses a call whose signature does not match or whose timestamp is more than <see cref="Tolerance"/> away, so a
/// captured call cannot be replayed later or against another operation.
/// </summary>
public static class SystemCallSignature
{
    public const string SignatureHeader = "X-JmlDsr-Signature";
    public const string TimestampHeader = "X-JmlDsr-Timestamp";
    public const string Version = "v1";

    /// <summary>How far a call's timestamp may be from the receiver's clock.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public enum Verdict
    {
        Valid,
        Missing,
        Malformed,
        Stale,
        Forged,
    }

    /// <summary>The signature header's value for a call.</summary>
    public static string Sign(string secret, string timestamp, string method, string path, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return $"{Version}={Convert.ToHexStringLower(Mac(secret, timestamp, method, path, body))}";
    }

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>What a receiver makes of a call: valid only when signed by the secret, for this method and path, and fresh.</summary>
    public static Verdict Check(string? secret, string? timestamp, string? signature, string method, string path, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrWhiteSpace(timestamp) || string.IsNullOrWhiteSpace(signature))
        {
            return Verdict.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || unix > 253402300799
            || !signature.StartsWith(Version + "=", StringComparison.Ordinal))
        {
            return Verdict.Malformed;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.AsSpan(Version.Length + 1));
        }
        catch (FormatException)
        {
            return Verdict.Malformed;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(unix)).Duration() > Tolerance)
        {
            return Verdict.Stale;
        }

        return CryptographicOperations.FixedTimeEquals(given, Mac(secret, timestamp, method, path, body)) ? Verdict.Valid : Verdict.Forged;
    }

    private static byte[] Mac(string secret, string timestamp, string method, string path, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes($"{timestamp}.{method.ToUpperInvariant()}.{path}.");
        var message = new byte[head.Length + body.Length];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
    }
}
