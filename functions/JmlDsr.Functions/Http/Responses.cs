using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace JmlDsr.Functions.Http;

/// <summary>Problem details (RFC 9457) and the small HTML pages links open.</summary>
public static class Responses
{
    public static IResult Problem(int status, string title, string detail, string? field = null, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>());
        if (field is not null)
        {
            extensions["field"] = field;
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>A page: no caching, no referrer (links carry tokens), nothing loaded from elsewhere.</summary>
    public static IResult Page(HttpContext context, int status, string title, string bodyHtml)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" — JML privacy requests</title><style>")
            .Append("body{font-family:\"Segoe UI\",Arial,sans-serif;color:#1b1b1b;max-width:56rem;margin:3rem auto;padding:0 1rem;line-height:1.5}")
            .Append("h1{font-size:1.5rem}button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#0b5cad;color:#fff;cursor:pointer}")
            .Append("button:focus,textarea:focus{outline:3px solid #ffbf47}textarea{width:100%;min-height:6rem;font:inherit}label{display:block;font-weight:600;margin:.8rem 0 .3rem}")
            .Append("form{margin:1rem 0;padding:1rem;border:1px solid #c8c8c8;border-radius:6px}.ref{color:#505050}")
            .Append("fieldset{border:1px solid #c8c8c8;border-radius:6px;margin:0 0 1rem}table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #e0e0e0;padding:.3rem;text-align:left;vertical-align:top}")
            .Append("input,select{font:inherit;max-width:100%;box-sizing:border-box}input:focus,select:focus{outline:3px solid #ffbf47}")
            .Append("</style></head><body><main>")
            .Append("<h1>").Append(E(title)).Append("</h1>")
            .Append(bodyHtml)
            .Append("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);
}

/// <summary>Lets a Functions trigger return the <see cref="IResult"/> a shared handler produced.</summary>
public sealed class ResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.ExecuteAsync(context.HttpContext);
    }
}
