using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions.Configuration;

/// <summary>
/// Log categories whose Information lines carry request URLs (an emailed link's token, an older Inbound Parse URL's
/// <c>?key=</c>): only their warnings are kept. host.json sets the same for the Functions host; the worker adds these
/// filters (the local host filters the same categories in its Program.cs).
/// </summary>
public static class LogFilters
{
    /// <remarks>Microsoft.IdentityModel: token validation's Information lines (issuer, audience, a token's shape) are noise and
    /// may carry a caller's details when PII logging is ever switched on; its warnings (a refused token's reason) stay.</remarks>
    public static readonly IReadOnlyList<string> UrlCarryingCategories = ["Microsoft.AspNetCore", "System.Net.Http.HttpClient", "Microsoft.IdentityModel"];

    public static ILoggingBuilder AddUrlLogFilters(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        foreach (var category in UrlCarryingCategories)
        {
            logging.AddFilter(category, LogLevel.Warning);
        }

        return logging;
    }
}
