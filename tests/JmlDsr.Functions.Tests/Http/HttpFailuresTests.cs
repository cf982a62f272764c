using System.Net.Sockets;
using Azure;
using Grpc.Core;
using JmlDsr.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace JmlDsr.Functions.Tests.Http;

/// <summary>A route that fails answers with a problem: 503 and Retry-After while storage does not answer, 500 otherwise.</summary>
public sealed class HttpFailuresTests
{
    public static TheoryData<Exception, bool> Failures() => new()
    {
        { new RequestFailedException(0, "Connection refused", new HttpRequestException("Connection refused", new SocketException(111))), true },
        { new AggregateException(new RequestFailedException(0, "Connection refused")), true }, // the Azure SDK after its retries
        { new RequestFailedException(503, "Server busy"), true },
        { new InvalidOperationException("wrapped", new TimeoutException()), true },
        { new RpcException(new Status(StatusCode.Unknown, "Exception was thrown by handler.")), true }, // the engine behind the Durable client
        { new RpcException(new Status(StatusCode.Unavailable, "down")), true },
        { new RequestFailedException(404, "Not found"), false }, // storage answered
        { new RequestFailedException(409, "Conflict"), false },
        { new RpcException(new Status(StatusCode.NotFound, "no such instance")), false },
        { new ArgumentException("bad"), false },
        { new OperationCanceledException(), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void StorageUnreachable_IsToldApartFromAnAnswer(Exception e, bool unreachable) =>
        Assert.Equal(unreachable, HttpFailures.IsStorageUnreachable(e));

    [Theory]
    [InlineData(true, 503)]
    [InlineData(false, 500)]
    public async Task TheCallerGetsAProblem_WithRetryAfterOnlyForAnOutage(bool outage, int status)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        Exception e = outage ? new AggregateException(new RequestFailedException(0, "Connection refused")) : new InvalidOperationException("bug");

        await HttpFailures.WriteAsync(context, e, NullLogger.Instance);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal(outage ? "30" : string.Empty, context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.DoesNotContain("Connection refused", body, StringComparison.Ordinal); // no internals to the caller
        Assert.DoesNotContain("bug", body, StringComparison.Ordinal);
    }
}
