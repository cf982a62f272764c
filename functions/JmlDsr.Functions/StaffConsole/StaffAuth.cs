using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>
/// Who is using the console. In Azure, App Service authentication (Entra ID) signs staff in and the
/// platform passes their name in X-MS-CLIENT-PRINCIPAL-NAME (trusted only when Console:TrustPlatformAuth
/// is set, as the Bicep does). Locally, staff sign in with the staff key and get a signed, HttpOnly,
/// SameSite=Strict session cookie. No page is open without one or the other.
/// </summary>
public sealed class StaffAuth(IOptions<SecretOptions> secrets, IOptions<ConsoleOptions> console, TimeProvider time)
{
    public const string Cookie = "jmldsr_staff";
    private const string SessionStep = "console-session";

    private readonly LinkTokenSigner _signer = new(secrets.Value.LinkSigningKey, secrets.Value.LinkSigningKeyPrevious);

    public bool UsesPlatformSignIn => console.Value.TrustPlatformAuth;

    public string? StaffName(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (console.Value.TrustPlatformAuth && context.Request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].ToString() is { Length: > 0 } platformName)
        {
            return platformName;
        }

        var check = _signer.Verify(context.Request.Cookies[Cookie], time.GetUtcNow());
        return check.IsValid && check.Claims!.Step == SessionStep && check.Claims.Actions.Count == 1 ? check.Claims.Actions[0] : null;
    }

    /// <summary>Checks the staff key (constant time) and, if right, sets the session cookie.</summary>
    public bool SignIn(HttpContext context, string name, string key)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(secrets.Value.StaffKey));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(key ?? string.Empty));
        if (string.IsNullOrWhiteSpace(name) || !CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return false;
        }

        var expires = time.GetUtcNow().Add(console.Value.SessionLifetime);
        var token = _signer.Sign(new LinkClaims("staff", SessionStep, [name.Trim()], expires.ToUnixTimeSeconds(), Convert.ToHexString(RandomNumberGenerator.GetBytes(12))));
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

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "The other half of SignIn; callers hold the service.")]
    public void SignOut(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }
}

/// <summary>Console settings (section "Console").</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>Trust App Service authentication's X-MS-CLIENT-PRINCIPAL-NAME header (only behind Easy Auth in Azure).</summary>
    public bool TrustPlatformAuth { get; set; }

    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
