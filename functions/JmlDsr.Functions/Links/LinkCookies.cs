using System.Security.Cryptography;
using System.Text;
using JmlDsr.Functions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Links;

/// <summary>
/// Keeps link and export tokens out of URLs. An emailed link (<c>GET /api/links?token=…</c>) is answered with a cookie that
/// holds the token (HttpOnly, SameSite=Lax, scoped to the route's path, Secure over https, expiring with the token and
/// within <see cref="MaxLifetime"/>) and a 303 to the same path without it: <c>?link=&lt;handle&gt;</c>, where the handle
/// names the cookie. The handle is a hash of the token, so it gives nothing away, and each link opened in a browser has a
/// cookie of its own: two links opened one after the other (or at once, in two tabs) each show their own page. Exchanging
/// a token spends nothing (mail scanners prefetch links); only the POST from the page acts, and it carries its token in
/// the form body.
/// </summary>
public sealed class LinkCookies(IOptions<DsrOptions> options, TimeProvider time)
{
    /// <summary>The query parameter naming the cookie that holds the token (not a secret).</summary>
    public const string HandleParameter = "link";

    /// <summary>The query parameter an emailed link carries its token in.</summary>
    public const string TokenParameter = "token";

    /// <summary>How long a browser keeps an exchanged token at most (less when the token expires sooner).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    /// <summary>What the first GET of a link found: a token to swap for a cookie, one read from a cookie, or neither.</summary>
    public sealed record Found(string? QueryToken, string? CookieToken)
    {
        public string? Token => QueryToken ?? CookieToken;
    }

    /// <summary>The token a GET carries: in its query (an emailed link, to exchange), or in the cookie its handle names.</summary>
    public static Found Read(HttpRequest request, string cookiePrefix)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query[TokenParameter].ToString();
        if (query.Length > 0)
        {
            return new Found(query, null);
        }

        var handle = request.Query[HandleParameter].ToString();
        return new Found(null, IsHandle(handle) && request.Cookies.TryGetValue(cookiePrefix + handle, out var token) && token.Length > 0 ? token : null);
    }

    /// <summary>
    /// The answer to a GET whose query carries a valid token: the token goes into a cookie and the browser is sent to the
    /// same path without it (other query parameters, such as <c>format</c>, are kept).
    /// </summary>
    public IResult Exchange(HttpRequest request, string path, string cookiePrefix, string token, DateTimeOffset tokenExpires)
    {
        ArgumentNullException.ThrowIfNull(request);
        var handle = Handle(token);
        var now = time.GetUtcNow();
        var response = request.HttpContext.Response;
        response.Cookies.Append(cookiePrefix + handle, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = path,
            Secure = IsHttps(request),
            Expires = tokenExpires < now + MaxLifetime ? tokenExpires : now + MaxLifetime,
            IsEssential = true,
        });
        var kept = request.Query
            .Where(q => q.Key is not (TokenParameter or HandleParameter))
            .Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.ToString()))
            .Prepend(new KeyValuePair<string, string?>(HandleParameter, handle));
        response.Headers.Location = request.PathBase + path + QueryString.Create(kept).ToUriComponent();
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>Forgets a token the browser holds (its link was used: the cookie has nothing left to do).</summary>
    public void Forget(HttpResponse response, string path, string cookiePrefix, string token)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Delete(cookiePrefix + Handle(token), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Path = path, Secure = IsHttps(response.HttpContext.Request) });
    }

    /// <summary>A token's handle: 16 hex digits of its SHA-256. Names its cookie; cannot be turned back into the token.</summary>
    public static string Handle(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token ?? string.Empty)), 0, 8).ToLowerInvariant();

    private static bool IsHandle(string value) => value.Length == 16 && value.All(char.IsAsciiHexDigitLower);

    /// <summary>Https as the browser sees it: the request itself, the front end's X-Forwarded-Proto, or the public base URL.</summary>
    private bool IsHttps(HttpRequest request) =>
        request.IsHttps
        || string.Equals(request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase)
        || options.Value.PublicBaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
