using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Telemetry;

/// <summary>
/// What telemetry may not carry out of the process: query strings (an emailed link's token, an older Inbound Parse URL's
/// ?key=), tokens and keys (bearer and basic credentials, JWTs, <c>key=</c>/<c>token=</c>/<c>sig=</c> pairs, long opaque
/// strings) and email addresses. Request references, route templates, type names and stack frames stay: a support engineer
/// needs them. Applied to span attributes, log messages and attributes, and exception messages before any exporter sees them.
/// </summary>
public static partial class TelemetryRedaction
{
    public const string Email = "[email]";
    public const string Secret = "[redacted]";

    /// <summary>Span and log attribute names whose value is a URL: the query string and fragment are dropped, the rest redacted.</summary>
    public static IReadOnlySet<string> UrlAttributes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "url.full", "http.url", "http.target", "url.path", "url.original", "server.address.full", "RequestPath", "Uri", "Url", "Path",
    };

    /// <summary>Attribute names dropped outright: they are nothing but a query string or a credential.</summary>
    public static IReadOnlySet<string> DroppedAttributes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "url.query", "QueryString", "http.request.header.authorization", "http.request.header.x-functions-key", "http.request.header.cookie", "enduser.id",
    };

    /// <summary>An attribute's value as it may leave the process (null: drop the attribute).</summary>
    public static string? Attribute(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (DroppedAttributes.Contains(name))
        {
            return null;
        }

        return UrlAttributes.Contains(name) ? Url(value) : Text(value);
    }

    /// <summary>A URL without its query string and fragment, and with anything personal in its path redacted.</summary>
    public static string Url(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return url ?? string.Empty;
        }

        var cut = url.IndexOfAny(['?', '#']);
        return Text(cut >= 0 ? url[..cut] : url);
    }

    /// <summary>Free text (a log message, an exception message, a span name): query strings, credentials and email addresses removed.</summary>
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var s = QueryString().Replace(text, string.Empty);
        s = Credential().Replace(s, m => m.Groups["scheme"].Value + " " + Secret);
        s = SecretPair().Replace(s, m => m.Groups["name"].Value + m.Groups["sep"].Value + Secret);
        s = Jwt().Replace(s, Secret);
        s = EmailAddress().Replace(s, Email);
        s = EncodedEmailAddress().Replace(s, Email);
        s = Opaque().Replace(s, Secret);
        return s;
    }

    /// <summary>True when <paramref name="text"/> still holds something <see cref="Text"/> removes (for tests and checks).</summary>
    public static bool HasPersonalOrSecret(string? text) => !string.IsNullOrEmpty(text) && !string.Equals(Text(text), text, StringComparison.Ordinal);

    // A '?' glued to a URL or path, and everything after it up to white space or a quote.
    [GeneratedRegex(@"(?<=[\w/.:\-%]+)\?[^\s""'<>]+", RegexOptions.CultureInvariant)]
    private static partial Regex QueryString();

    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic|SharedKey|SharedAccessSignature))\s+[A-Za-z0-9\-._~+/=:%]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Credential();

    [GeneratedRegex(@"(?<name>\b(?:key|token|t|sig|signature|code|password|pwd|secret|apikey|api_key|x-functions-key|AccountKey|SharedAccessKey|access_token|id_token))(?<sep>\s*[=:]\s*|"":\s*"")[^\s&;,""'<>]+",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretPair();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"[A-Za-z0-9!#$%&'*+/=^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=^_`{|}~\-]+)*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+",
        RegexOptions.CultureInvariant)]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"[A-Za-z0-9._+\-]+%40[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex EncodedEmailAddress();

    // Signed link tokens, keys and signatures: 40 or more URL-safe characters with letters and digits both (a GUID, 32, stays).
    [GeneratedRegex(@"(?<![A-Za-z0-9_\-+])(?=[A-Za-z0-9_\-+]*[0-9])(?=[A-Za-z0-9_\-+]*[A-Za-z])[A-Za-z0-9_\-+]{40,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Opaque();
}
