using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>
/// Who is using the console. In Azure, App Service authentication (Entra ID) signs staff in and passes the principal in
/// X-MS-CLIENT-PRINCIPAL (trusted only when Console:TrustPlatformAuth is set, as the Bicep does); the app role Privacy.Staff
/// (or Privacy.Dpo) is required, and the staff-key sign-in is off. Locally, a development account (Console:DevAccounts) signs in
/// with the staff key and gets a signed, HttpOnly, SameSite=Strict session cookie naming the account. No page is open without one or the other.
/// </summary>
public sealed class StaffAuth(IOptions<SecretOptions> secrets, IOptions<ConsoleOptions> console, TimeProvider time)
{
    public const string Cookie = "jmldsr_staff";
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    private const string SessionStep = "console-session";

    private readonly LinkTokenSigner _signer = new(secrets.Value.LinkSigningKey, secrets.Value.LinkSigningKeyPrevious);

    public bool UsesPlatformSignIn => console.Value.TrustPlatformAuth;

    /// <summary>The development accounts the sign-in page offers (none when platform sign-in is on).</summary>
    public IReadOnlyList<DevAccount> DevAccounts => console.Value.TrustPlatformAuth ? [] : console.Value.DevAccounts;

    /// <summary>The signed-in staff member, with the console role; null if nobody is, or the principal lacks the role.</summary>
    public StaffIdentity? Identity(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (console.Value.TrustPlatformAuth)
        {
            return PlatformPrincipal(context.Request.Headers[PrincipalHeader].ToString()) is { } platform && StaffRoles.Admit(Http.RouteAccess.Console, platform.Roles) ? platform : null;
        }

        var check = _signer.Verify(context.Request.Cookies[Cookie], time.GetUtcNow());
        return check.IsValid && check.Claims!.Step == SessionStep && check.Claims.Actions.Count == 1 && Account(check.Claims.Actions[0]) is { } account
            ? account.Identity()
            : null;
    }

    /// <summary>The audit trail's name for the signed-in staff member (<see cref="StaffIdentity.Actor"/>), or null.</summary>
    public string? StaffName(HttpContext context) => Identity(context)?.Actor;

    /// <summary>
    /// App Service authentication's principal: base64 JSON with <c>claims</c> (<c>typ</c>, <c>val</c>), <c>name_typ</c> and
    /// <c>role_typ</c>. Null when absent or malformed.
    /// </summary>
    public static StaffIdentity? PlatformPrincipal(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(header));
            var root = doc.RootElement;
            var nameType = root.TryGetProperty("name_typ", out var n) ? n.GetString() : null;
            var roleType = root.TryGetProperty("role_typ", out var r) ? r.GetString() : null;
            var claims = root.GetProperty("claims").EnumerateArray()
                .Select(c => new System.Security.Claims.Claim(
                    c.GetProperty("typ").GetString() is var t && t == nameType ? System.Security.Claims.ClaimTypes.Name : t == roleType ? System.Security.Claims.ClaimTypes.Role : t ?? string.Empty,
                    c.GetProperty("val").GetString() ?? string.Empty))
                .ToList();
            var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(claims, root.TryGetProperty("auth_typ", out var a) ? a.GetString() : "aad"));
            return StaffIdentity.FromClaims(principal);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Signs a development account in: checks the staff key (constant time) and, if right, sets the session cookie. Off under platform sign-in.</summary>
    /// <param name="account">The account's id, or its name as configured.</param>
    public bool SignIn(HttpContext context, string account, string key)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(secrets.Value.StaffKey));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(key ?? string.Empty));
        var keyRight = CryptographicOperations.FixedTimeEquals(expected, given);
        if (console.Value.TrustPlatformAuth || Account(account) is not { } chosen || !keyRight)
        {
            return false;
        }

        var expires = time.GetUtcNow().Add(console.Value.SessionLifetime);
        var token = _signer.Sign(new LinkClaims("staff", SessionStep, [chosen.Id], expires.ToUnixTimeSeconds(), Convert.ToHexString(RandomNumberGenerator.GetBytes(12))));
        context.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = expires,
        });
        return true;
    }

    private DevAccount? Account(string? idOrName) =>
        string.IsNullOrWhiteSpace(idOrName) ? null
            : DevAccounts.FirstOrDefault(a => string.Equals(a.Id, idOrName.Trim(), StringComparison.OrdinalIgnoreCase))
              ?? DevAccounts.FirstOrDefault(a => string.Equals(a.Name, idOrName.Trim(), StringComparison.OrdinalIgnoreCase));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "The other half of SignIn; callers hold the service.")]
    public void SignOut(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }
}

/// <summary>A development staff account (section Console:DevAccounts:n): local only, never under platform sign-in.</summary>
public sealed class DevAccount
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>Comma-separated app roles, as Entra would give them.</summary>
    public string Roles { get; set; } = StaffRoles.Staff;

    public StaffIdentity Identity() => new(Name, Id, StaffIdentity.DevAccount, Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>Console settings (section "Console").</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>Trust App Service authentication's X-MS-CLIENT-PRINCIPAL-NAME header (only behind Easy Auth in Azure).</summary>
    public bool TrustPlatformAuth { get; set; }

    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The development staff accounts (local only): who the sign-in page lets a developer be, with the staff key.</summary>
    public List<DevAccount> DevAccounts { get; } = [];
}
