using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace JmlDsr.Pages;

/// <summary>
/// The one Content-Security-Policy and the headers of every HTML response (pages, console, the access copy): no caching,
/// no referrer (links carry tokens), nothing loaded from elsewhere, never framed. Both hosts apply it as middleware.
/// </summary>
public static class HtmlSecurity
{
    public const string Policy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Sets the headers when the response turns out to be HTML, just before it starts.</summary>
    public static void OnHtmlResponse(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.OnStarting(static state =>
        {
            Apply((HttpResponse)state);
            return Task.CompletedTask;
        }, response);
    }

    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.ContentType is not { } type || !type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var h = response.Headers;
        h.ContentSecurityPolicy = Policy;
        h.CacheControl = "no-store";
        h["Referrer-Policy"] = "no-referrer";
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
    }

    /// <summary>The ASP.NET Core middleware (the local host).</summary>
    public static IApplicationBuilder UseHtmlSecurity(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            OnHtmlResponse(context.Response);
            await next(context);
        });
}
