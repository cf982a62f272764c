using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.StaffConsole;
using JmlDsr.Functions.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Http;

/// <summary>
/// GET api/health: storage (tables, blobs, queues), the task hub (the durable client can query it) and SendGrid
/// (its host answers). Anyone gets the overall status (200 healthy or degraded, 503 unhealthy); a caller the staff gate
/// admits (bearer token with the staff role, or an API key) also gets each check, its duration and what failed.
/// </summary>
public sealed class HealthHandler(HealthCheckService checks, StaffGate gate)
{
    public const string Storage = "storage";
    public const string TaskHub = "taskHub";
    public const string SendGrid = "sendGrid";

    /// <summary>How long one check may take before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public async Task<IResult> GetAsync(HttpRequest request, DurableTaskClient client, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var started = TimeProvider.System.GetTimestamp();
        var reportTask = checks.CheckHealthAsync(ct);
        var taskHub = await CheckTaskHubAsync(client, ct);
        var report = await reportTask;
        var entries = report.Entries.Append(new(TaskHub, taskHub)).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var status = entries.Min(e => e.Value.Status);
        var code = status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        request.HttpContext.Response.Headers.CacheControl = "no-store";

        var staff = (request.Headers.Authorization.Count > 0 || request.Headers.ContainsKey(Routes.StaffKeyHeader))
            && await gate.CheckAsync(request.HttpContext, RouteTable.Get(nameof(HttpTriggers.GetHealth)) with { Access = RouteAccess.Staff }) is null;
        if (!staff)
        {
            return Results.Json(new HealthSummary(status.ToString()), statusCode: code);
        }

        return Results.Json(new HealthDetails(status.ToString(), Math.Round(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds),
            entries.Select(e => new HealthCheckResultView(e.Key, e.Value.Status.ToString(), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds),
                e.Value.Exception is { } x ? $"{x.GetType().Name}: {JmlDsr.Domain.Telemetry.TelemetryRedaction.Text(x.Message)}" : null)).ToList()), statusCode: code);
    }

    private static async Task<HealthReportEntry> CheckTaskHubAsync(DurableTaskClient client, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await using var pages = client.GetAllInstancesAsync(new OrchestrationQuery { PageSize = 1 }).AsPages().GetAsyncEnumerator(timeout.Token);
            await pages.MoveNextAsync();
            return new(HealthStatus.Healthy, "The durable client queried the task hub.", TimeProvider.System.GetElapsedTime(started), null, null);
        }
#pragma warning disable CA1031 // A health check reports any failure of its dependency.
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return new(HealthStatus.Unhealthy, "The durable client could not query the task hub.", TimeProvider.System.GetElapsedTime(started), e, null);
        }
    }
}

public sealed record HealthSummary(string Status);

public sealed record HealthDetails(string Status, double DurationMs, IReadOnlyList<HealthCheckResultView> Checks);

public sealed record HealthCheckResultView(string Name, string Status, string? Description, double DurationMs, string? Error);

/// <summary>Tables, blobs and queues of the app's storage account answer a listing.</summary>
public sealed class StorageHealthCheck(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failed = new List<string>();
        Exception? error = null;
        foreach (var (name, probe) in new (string, Func<CancellationToken, Task>)[]
        {
            ("tables", async ct => { await using var e = tables.QueryAsync(maxPerPage: 1, cancellationToken: ct).AsPages().GetAsyncEnumerator(ct); await e.MoveNextAsync(); }),
            ("blobs", async ct => await blobs.GetBlobContainerClient(DsrStorage.ExportsContainer).ExistsAsync(ct)),
            ("queues", async ct => { await using var e = queues.GetQueuesAsync(cancellationToken: ct).AsPages(pageSizeHint: 1).GetAsyncEnumerator(ct); await e.MoveNextAsync(); }),
        })
        {
            try
            {
                await probe(cancellationToken);
            }
#pragma warning disable CA1031 // A health check reports any failure of its dependency.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                failed.Add(name);
                error ??= e;
            }
        }

        return failed.Count == 0
            ? HealthCheckResult.Healthy("Tables, blobs and queues answered.")
            : HealthCheckResult.Unhealthy($"Not reachable: {string.Join(", ", failed)}.", error);
    }
}

/// <summary>The SendGrid host answers HTTP (any status: the check is reachability, not the API key).</summary>
public sealed class SendGridHealthCheck(IHttpClientFactory http, IOptions<SendGridOptions> options) : IHealthCheck
{
    public const string DefaultHost = "https://api.sendgrid.com";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var host = string.IsNullOrWhiteSpace(options.Value.Host) ? DefaultHost : options.Value.Host.TrimEnd('/');
        using var client = http.CreateClient(nameof(SendGridHealthCheck));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(host + "/"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return HealthCheckResult.Healthy($"SendGrid's host answered HTTP {(int)response.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy("SendGrid's host did not answer.", e);
        }
    }
}

/// <summary>The operations routes' services: health and the API document.</summary>
public static class HealthRegistration
{
    /// <summary>The health checks behind GET api/health (the task hub's is the handler's: it needs the trigger's durable client).</summary>
    public static IServiceCollection AddDsrHealth(this IServiceCollection services)
    {
        services.AddHttpClient(nameof(SendGridHealthCheck), c => c.Timeout = TimeSpan.FromSeconds(3));
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>(HealthHandler.Storage, timeout: HealthHandler.CheckTimeout)
            .AddCheck<SendGridHealthCheck>(HealthHandler.SendGrid, timeout: HealthHandler.CheckTimeout);
        services.AddSingleton<HealthHandler>();
        services.AddSingleton<ApiDocument>();
        return services;
    }
}
