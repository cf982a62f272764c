using JmlDsr.Pages;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace JmlDsr.Functions.Http;

/// <summary>The worker's side of <see cref="HtmlSecurity"/>: the one policy and headers on every HTML response.</summary>
public sealed class HtmlSecurityMiddleware : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http)
        {
            HtmlSecurity.OnHtmlResponse(http.Response);
        }

        return next(context);
    }
}
