using JmlDsr.Functions.Http;
using JmlDsr.Functions.StaffConsole;
using JmlDsr.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace JmlDsr.Functions.Configuration;

/// <summary>
/// The Functions app's composition, as Program.cs runs it and as the composition test builds it: ASP.NET Core integration, the
/// middleware (failures as problems, the staff gate), the log filters, and every service (<see cref="ServiceCollectionExtensions.AddDsrServices"/>).
/// </summary>
public static class FunctionsApp
{
    public static FunctionsApplicationBuilder ConfigureDsr(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureFunctionsWebApplication();
        // A route that fails answers with a problem (503 while storage is unreachable), never a bare 500.
        builder.UseMiddleware<HttpFailureMiddleware>();
        // Every HTML response (pages, console, the access copy): one Content-Security-Policy and its headers.
        builder.UseMiddleware<HtmlSecurityMiddleware>();
        // Staff routes: an Entra bearer token with the app role, or a named API key, before the trigger runs.
        builder.UseMiddleware<StaffGateMiddleware>();
        // Request lines carry URLs (an emailed link's token, an older Inbound Parse URL's ?key=): only warnings from the
        // HTTP stacks, as in host.json. The app's own log lines name request references only (Log.cs).
        builder.Logging.AddUrlLogFilters();
        builder.Services.AddDsrServices(builder.Configuration);
        // Logs, traces and exceptions by OpenTelemetry, redacted in the process, to Application Insights when
        // APPLICATIONINSIGHTS_CONNECTION_STRING is set (host.json: telemetryMode OpenTelemetry).
        builder.Services.AddDsrTelemetry(builder.Configuration).UseFunctionsWorkerDefaults();
        return builder;
    }
}
