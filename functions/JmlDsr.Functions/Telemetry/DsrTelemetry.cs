using System.Diagnostics;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace JmlDsr.Functions.Telemetry;

/// <summary>
/// The app's telemetry, the same in both hosts: OpenTelemetry traces (HTTP in and out, the app's own spans) and logs,
/// every span and line tagged with the request reference where one is known (<see cref="ReferenceTag"/>), redacted by
/// <see cref="RedactingSpanProcessor"/> and <see cref="RedactingLogProcessor"/> before any exporter sees them. Azure Monitor
/// (Application Insights) receives them when <see cref="ConnectionStringSetting"/> is set; a host adds its own exporters.
/// </summary>
public static class DsrTelemetry
{
    public const string SourceName = "JmlDsr";

    /// <summary>The span tag and log attribute that carries the request reference (DSR-2026-000123).</summary>
    public const string ReferenceTag = "dsr.reference";

    /// <summary>Bicep sets it from the Application Insights resource; unset, nothing is exported to Azure Monitor.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Bicep sets "ClientId=...;Authorization=AAD": Application Insights has local auth off, telemetry is sent with the managed identity.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The app's own spans (the local host's activities).</summary>
    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>Tags the current span, and so every log line written under it, with the request reference.</summary>
    public static void Reference(string? reference)
    {
        if (!string.IsNullOrWhiteSpace(reference) && Activity.Current is { } span && span.GetTagItem(ReferenceTag) is null)
        {
            span.SetTag(ReferenceTag, reference);
        }
    }

    /// <summary>The request reference of the current span or of the nearest parent that has one.</summary>
    public static string? CurrentReference() => ReferenceOf(Activity.Current);

    internal static string? ReferenceOf(Activity? span)
    {
        for (var a = span; a is not null; a = a.Parent)
        {
            if (a.GetTagItem(ReferenceTag) is string reference)
            {
                return reference;
            }
        }

        return null;
    }

    /// <summary>The managed identity that sends telemetry, from the Functions host's authentication string (null: the connection string's key).</summary>
    internal static Azure.Core.TokenCredential? Credential(string? authenticationString)
    {
        var parts = (authenticationString ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var how) || !string.Equals(how, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && !string.IsNullOrWhiteSpace(clientId)
            ? new Azure.Identity.ManagedIdentityCredential(Azure.Identity.ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new Azure.Identity.DefaultAzureCredential();
    }

    /// <summary>
    /// Adds OpenTelemetry traces and logs with the redacting processors first; <paramref name="tracing"/> and
    /// <paramref name="logging"/> add a host's exporters after them, Azure Monitor comes last when configured.
    /// </summary>
    public static OpenTelemetryBuilder AddDsrTelemetry(this IServiceCollection services, IConfiguration configuration,
        Action<TracerProviderBuilder>? tracing = null, Action<LoggerProviderBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[ConnectionStringSetting];
        var azureMonitor = !string.IsNullOrWhiteSpace(connectionString);
        var credential = azureMonitor ? Credential(configuration[AuthenticationStringSetting]) : null;
        return services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("jmldsr"))
            .WithTracing(t =>
            {
                t.AddSource(SourceName)
                    .AddSource("Microsoft.DurableTask")
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.RecordException = false;
                        // The local host's engine channel (gRPC) and its development routes are not the product's traffic.
                        o.Filter = c => c.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true
                            && !c.Request.Path.StartsWithSegments("/api/dev", StringComparison.Ordinal);
                    })
                    .AddHttpClientInstrumentation(o =>
                    {
                        o.RecordException = false;
                        // Calls made for a request, an activity or an orchestration; the engine's and the queue pumps' polling
                        // of storage (thousands of calls an hour, each alone in its trace) stays out.
                        o.FilterHttpRequestMessage = _ => Activity.Current is not null;
                    })
                    .AddProcessor(new RedactingSpanProcessor());
                tracing?.Invoke(t);
                if (azureMonitor)
                {
                    t.AddAzureMonitorTraceExporter(o => (o.ConnectionString, o.Credential) = (connectionString, credential));
                }
            })
            .WithLogging(l =>
            {
                l.AddProcessor(new RedactingLogProcessor());
                logging?.Invoke(l);
                if (azureMonitor)
                {
                    l.AddAzureMonitorLogExporter(o => (o.ConnectionString, o.Credential) = (connectionString, credential));
                }
            }, o =>
            {
                o.IncludeFormattedMessage = true;
                // Scopes carry what the processors cannot rewrite (request paths, the Functions host's invocation data):
                // they stay in the process; the reference comes from the span instead.
                o.IncludeScopes = false;
            });
    }
}
