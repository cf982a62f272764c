using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JmlDsr.Domain.Links;

/// <summary>
/// What a signed link allows: one step of one request, the actions offered at that step, until
/// when. <see cref="Step"/> identifies the decision point (e.g. "approval-1"); spending any link of a
/// step spends them all, so a decision is taken once. <see cref="By"/> names the signed-in staff
/// member when the staff console minted the link.
/// </summary>
public sealed record LinkClaims(
    [property: JsonPropertyName("r")] string Reference,
    [property: JsonPropertyName("s")] string Step,
    [property: JsonPropertyName("a")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("e")] long ExpiresAtUnix,
    [property: JsonPropertyName("n")] string Nonce,
    [property: JsonPropertyName("b"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? By = null)
{
    [JsonIgnore]
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(ExpiresAtUnix);

    public bool Allows(string action) => Actions.Contains(action, StringComparer.Ordinal);
}

public enum TokenVerdict
{
    Valid,
    Malformed,
    BadSignature,
    Expired,
}

public sealed record TokenCheck(TokenVerdict Verdict, LinkClaims? Claims)
{
    public bool IsValid => Verdict == TokenVerdict.Valid;
}

/// <summary>
/// Signs and checks link tokens: base64url(JSON claims) "." base64url(HMAC-SHA256). Keys come from
/// configuration; during a rotation the previous key is still accepted for checking, never for signing.
/// Spending (single use) is the caller's job: it needs storage.
/// </summary>
public sealed class LinkTokenSigner
{
    private readonly byte[] _current;
    private readonly byte[]? _previous;

    public LinkTokenSigner(string currentKey, string? previousKey = null)
    {
        if (string.IsNullOrWhiteSpace(currentKey) || currentKey.Length < 32)
        {
            throw new ArgumentException("The link-signing key must be at least 32 characters.", nameof(currentKey));
        }

        _current = Encoding.UTF8.GetBytes(currentKey);
        _previous = string.IsNullOrWhiteSpace(previousKey) ? null : Encoding.UTF8.GetBytes(previousKey);
    }

    public string Sign(LinkClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var payload = JsonSerializer.SerializeToUtf8Bytes(claims);
        var body = Base64Url.Encode(payload);
        return body + "." + Base64Url.Encode(HMACSHA256.HashData(_current, Encoding.ASCII.GetBytes(body)));
    }

    public TokenCheck Verify(string? token, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 4096)
        {
            return new(TokenVerdict.Malformed, null);
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot != token.LastIndexOf('.') || !Base64Url.TryDecode(token[(dot + 1)..], out var signature))
        {
            return new(TokenVerdict.Malformed, null);
        }

        var body = token[..dot];
        var bodyBytes = Encoding.ASCII.GetBytes(body);
        var matches = CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_current, bodyBytes), signature)
            || (_previous is not null && CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_previous, bodyBytes), signature));
        if (!matches)
        {
            return new(TokenVerdict.BadSignature, null);
        }

        LinkClaims? claims;
        try
        {
            claims = Base64Url.TryDecode(body, out var json) ? JsonSerializer.Deserialize<LinkClaims>(json) : null;
        }
        catch (JsonException)
        {
            claims = null;
        }

        if (claims is null || string.IsNullOrEmpty(claims.Reference) || string.IsNullOrEmpty(claims.Step) || claims.Actions is null)
        {
            return new(TokenVerdict.Malformed, null);
        }

        return now >= claims.ExpiresAt ? new(TokenVerdict.Expired, claims) : new(TokenVerdict.Valid, claims);
    }
}

internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return false;
        }

        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", 0 => string.Empty, _ => "!" };
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
