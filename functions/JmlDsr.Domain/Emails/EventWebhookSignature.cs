using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace JmlDsr.Domain.Emails;

/// <summary>
/// SendGrid's Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64, DER) over the timestamp header's
/// text followed by the raw body, checked with the public key SendGrid shows under Mail Settings (base64
/// SubjectPublicKeyInfo).
/// </summary>
public static class EventWebhookSignature
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>How far the timestamp may be from now: a captured post cannot be replayed later.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(15);

    public enum Verdict
    {
        Valid,
        Missing,
        Malformed,
        Stale,
        Forged,
    }

    public static Verdict Check(string? publicKeyBase64, string? timestamp, string? signatureBase64, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(publicKeyBase64) || string.IsNullOrWhiteSpace(timestamp) || string.IsNullOrWhiteSpace(signatureBase64))
        {
            return Verdict.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || unix > 253402300799)
        {
            return Verdict.Malformed;
        }

        byte[] signature;
        byte[] key;
        try
        {
            signature = Convert.FromBase64String(signatureBase64.Trim());
            key = Convert.FromBase64String(publicKeyBase64.Trim());
        }
        catch (FormatException)
        {
            return Verdict.Malformed;
        }

        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(key, out _);
        }
        catch (CryptographicException)
        {
            return Verdict.Malformed;
        }

        var signed = Signed(timestamp, body);
        bool ok;
        try
        {
            ok = ecdsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            ok = false;
        }

        if (!ok)
        {
            return Verdict.Forged;
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(unix);
        return (now - at).Duration() > Tolerance ? Verdict.Stale : Verdict.Valid;
    }

    /// <summary>Signs a post as SendGrid does (the local stand-in for SendGrid, and tests).</summary>
    public static string Sign(ECDsa key, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToBase64String(key.SignData(Signed(timestamp, body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    private static byte[] Signed(string timestamp, ReadOnlySpan<byte> body)
    {
        var ts = Encoding.UTF8.GetBytes(timestamp);
        var all = new byte[ts.Length + body.Length];
        ts.CopyTo(all, 0);
        body.CopyTo(all.AsSpan(ts.Length));
        return all;
    }
}
