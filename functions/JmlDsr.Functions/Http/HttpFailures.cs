using System.Net.Sockets;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions.Http;

/// <summary>
/// What a caller gets when a route fails on something it did not cause: a problem (RFC 9457), never a stack trace.
/// Storage that does not answer (an outage) is 503 with Retry-After — the request was not taken, nothing was changed,
/// and pressing the link again later works (a link is spent only when its action is recorded); anything else is 500.
/// Both hosts use it: the Functions app through <see cref="HttpFailureMiddleware"/>, the local host as its exception handler.
/// </summary>
public static class HttpFailures
{
    /// <summary>Seconds a caller is asked to wait before trying again after an outage.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>
    /// Whether <paramref name="e"/> says storage (or the workflow engine in front of it) could not be reached — no answer, a
    /// timeout, a server error — rather than that it answered no.
    /// </summary>
    public static bool IsStorageUnreachable(Exception? e) => e switch
    {
        null => false,
        AggregateException a => a.InnerExceptions.Any(IsStorageUnreachable),
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500 || IsStorageUnreachable(r.InnerException),
        HttpRequestException or SocketException or TimeoutException or IOException => true,
        // The Durable client talks to the engine over gRPC: the engine failing on its storage comes back as one of these.
        Grpc.Core.RpcException g => g.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded or Grpc.Core.StatusCode.Unknown
            or Grpc.Core.StatusCode.Internal or Grpc.Core.StatusCode.ResourceExhausted,
        OperationCanceledException => false,
        _ => IsStorageUnreachable(e.InnerException),
    };

    /// <summary>Writes the problem for <paramref name="e"/> unless the response has started.</summary>
    public static async Task WriteAsync(HttpContext context, Exception e, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(e);
        var unavailable = IsStorageUnreachable(e);
        Log.HttpFailed(logger, e, e.GetType().Name, unavailable);
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        if (unavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Responses.Problem(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
                $"Our storage is not answering just now, so nothing was done. Please try again in a minute; your link still works.").ExecuteAsync(context);
        }
        else
        {
            await Responses.Problem(StatusCodes.Status500InternalServerError, "Something went wrong",
                "The request failed on our side and was not completed. It has been logged; please try again later.").ExecuteAsync(context);
        }
    }
}

/// <summary>The Functions app's catch-all for HTTP triggers: a failure becomes a problem response (<see cref="HttpFailures"/>).</summary>
public sealed class HttpFailureMiddleware(ILogger<HttpFailureMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { } http)
        {
            await HttpFailures.WriteAsync(http, e, logger);
        }
    }
}
