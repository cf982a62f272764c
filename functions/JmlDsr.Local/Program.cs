using JmlDsr.Pages;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Retention;
using JmlDsr.Functions.StaffConsole;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Telemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using JmlDsr.Functions.Workflow;
using JmlDsr.Local;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;

// JmlDsr's local host: the Functions app's routes, orchestrators and activities on a plain ASP.NET
// Core process, with the Durable Task Azure Storage provider on Azurite as the engine.
var repoRoot = LocalSettings.FindRepoRoot();
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = LocalSettings.SampleValues(repoRoot) });
var local = builder.Configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>() ?? new LocalHostOptions();

// A relative DataMap__Path (the demo's config/datamap.local.yaml, set by dotnet run's launch profile) is the repository's.
if (builder.Configuration[DataMapSource.PathSetting] is { Length: > 0 } mapPath && !Path.IsPathRooted(mapPath) && File.Exists(Path.Combine(repoRoot, mapPath)))
{
    builder.Configuration[DataMapSource.PathSetting] = Path.Combine(repoRoot, mapPath);
}

// The data map is read and checked before anything starts: an invalid map stops the host with every problem named.
JmlDsr.Domain.Gathering.DataMap dataMap;
try
{
    dataMap = JmlDsr.Functions.Configuration.DataMapSource.Load(builder.Configuration);
}
catch (JmlDsr.Domain.Gathering.DataMapException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

await using var azurite = new AzuriteLauncher(local.AzuriteBlobPort, local.AzuriteQueuePort, local.AzuriteTablePort);
await azurite.EnsureRunningAsync(repoRoot, local.AzuriteLocation ?? Path.Combine(repoRoot, ".azurite"), local.AzuriteInMemory, Console.Out);
builder.Configuration[JmlDsr.Functions.Configuration.ServiceCollectionExtensions.StorageSetting] = azurite.ConnectionString;
// The watchdog runs here every LocalHost:WatchdogInterval; the console judges "not seen for two intervals" by the same.
builder.Configuration["Dsr:WatchdogInterval"] = local.WatchdogInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
// The map's PostgreSQL systems without a connection string get a real server (if installed), seeded for the demo.
await using var databases = await LocalDatabases.StartAsync(dataMap, builder.Configuration, local, repoRoot, Console.Out);
var mailCaptureTables = new Azure.Data.Tables.TableServiceClient(await azurite.MailCaptureConnectionAsync(Console.Out));
var mailCapture = new MailCaptureStorage(mailCaptureTables);
var sendGridMarketing = new DevSendGridMarketing(mailCaptureTables, TimeProvider.System);

var taskHub = builder.Configuration["DurableTaskHubName"] ?? "JmlDsrLocal";
var engine = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
{
    TaskHubName = taskHub,
    StorageAccountClientProvider = new StorageAccountClientProvider(azurite.ConnectionString),
    // Local use: a restarted process takes its partitions back within seconds, not half a minute.
    UseTablePartitionManagement = true,
    LeaseInterval = TimeSpan.FromSeconds(10),
    LeaseRenewInterval = TimeSpan.FromSeconds(3),
    LeaseAcquireInterval = TimeSpan.FromSeconds(2),
    // Messages a killed process had taken come back after this, not after the provider's five minutes: a request
    // whose next step was in the dead process's hands moves on within half a minute of the restart.
    ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
    WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
    PartitionCount = 2,
    MaxQueuePollingInterval = local.MaxQueuePollingInterval,
    WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}",
});
await engine.CreateIfNotExistsAsync();

builder.WebHost.ConfigureKestrel(k =>
{
    var http = new Uri(local.Urls);
    k.Listen(System.Net.IPAddress.Loopback, http.Port, o => o.Protocols = HttpProtocols.Http1);
    k.Listen(System.Net.IPAddress.Loopback, local.GrpcPort, o => o.Protocols = HttpProtocols.Http2);
    k.Limits.MaxRequestBodySize = InboundHandler.MaxReadBytes + 1024;
});
builder.Logging.AddFilter("DurableTask", LogLevel.Warning).AddFilter("Microsoft.DurableTask", LogLevel.Warning)
    .AddFilter("Grpc", LogLevel.Warning).AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("System.Net.Http", LogLevel.Warning)
    .AddFilter("Microsoft.IdentityModel", LogLevel.Warning);

// The local SendGrid signs its event posts with a key made at start-up; the app checks them with its public half.
using var eventSigner = new DevEventSigner();
if (string.IsNullOrWhiteSpace(builder.Configuration["SendGrid:EventWebhookPublicKey"]))
{
    builder.Configuration["SendGrid:EventWebhookPublicKey"] = eventSigner.PublicKey;
}

builder.Services.AddDsrServices(builder.Configuration);
builder.Services.AddSingleton(dataMap); // the map checked above, not a second read
// The same telemetry as the Functions app; Telemetry:CaptureFile adds a file of what would leave the process (tests read it).
using var telemetryCapture = builder.Configuration[TelemetryCapture.Setting] is { Length: > 0 } capturePath ? new TelemetryCapture(capturePath) : null;
builder.Services.AddDsrTelemetry(builder.Configuration,
    t => { if (telemetryCapture is not null) { t.AddProcessor(new OpenTelemetry.SimpleActivityExportProcessor(telemetryCapture.Spans)); } },
    l => { if (telemetryCapture is not null) { l.AddProcessor(new OpenTelemetry.SimpleLogRecordExportProcessor(telemetryCapture.Logs)); } });
builder.Services.AddSingleton(mailCapture);
builder.Services.AddSingleton(sendGridMarketing);
var supportDesk = new DevSupportDesk(mailCaptureTables, builder.Configuration, TimeProvider.System);
builder.Services.AddSingleton(supportDesk);
builder.Services.AddSingleton<DevOutbox>();
builder.Services.AddSingleton(sp => new DevMailEvents(mailCapture, eventSigner, new Uri(new Uri(local.Urls), Routes.MailEvents),
    sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<ILogger<DevMailEvents>>()));
builder.Services.AddHostedService(sp => sp.GetRequiredService<DevMailEvents>());
builder.Services.AddGrpc();
builder.Services.AddOptions<TaskHubGrpcServerOptions>();
// The worker's side of the engine finishes activities through a storage outage (see OutageTolerantEngine); the client side is the engine itself.
builder.Services.AddSingleton<IOrchestrationService>(sp => new OutageTolerantEngine(engine, sp.GetRequiredService<ILogger<OutageTolerantEngine>>()));
builder.Services.AddSingleton<IOrchestrationServiceClient>(engine);
builder.Services.AddSingleton<TaskHubGrpcServer>();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
// The engine's gRPC server starts with the web server, after the worker first tries it: reconnect within a second or two,
// not after gRPC's default backoff of up to two minutes, in which every call would fail at once.
var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{local.GrpcPort}", new GrpcChannelOptions
{
    InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
    MaxReconnectBackoff = TimeSpan.FromSeconds(2),
});
builder.Services.AddDurableTaskWorker(w =>
{
    w.UseGrpc(channel);
    // Orchestration versioning, as host.json sets it for the Functions app.
    w.UseVersioning(new DurableTaskWorkerOptions.VersioningOptions
    {
        Version = local.WorkflowVersion,
        DefaultVersion = local.WorkflowVersion,
        MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
        FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Reject,
    });
    w.AddTasks(r =>
    {
        DsrTasks.Register(r);
        if (local.BenchBaseline)
        {
            BenchBaseline.Register(r);
        }
    });
});
builder.Services.AddDurableTaskClient(c => c.UseGrpc(channel).UseDefaultVersion(local.WorkflowVersion));
builder.Services.AddHostedService<PendingStartsPump>();
// The Functions app's timers (HousekeepingTimer, DeadlineWatchdogTimer), here on the local intervals.
TimerPump.Add(builder.Services, "Housekeeping", local.HousekeepingInterval, (sp, ct) => sp.GetRequiredService<Housekeeping>().RunAsync(sp.GetRequiredService<DurableTaskClient>(), ct));
TimerPump.Add(builder.Services, "Deadline watchdog", local.WatchdogInterval,
    (sp, ct) => sp.GetRequiredService<JmlDsr.Functions.Deadlines.DeadlineWatchdog>().RunAsync(sp.GetRequiredService<DurableTaskClient>(), ct));

var app = builder.Build();
var storage = app.Services.GetRequiredService<DsrStorage>();
await storage.EnsureCreatedAsync(SystemConnector.TablesOf(dataMap));
await mailCapture.EnsureCreatedAsync();
await sendGridMarketing.EnsureCreatedAsync();
await supportDesk.EnsureCreatedAsync();
if (local.Seed)
{
    await DemoData.SeedAsync(storage, dataMap);
    await DemoData.SeedMarketingAsync(sendGridMarketing, dataMap);
}

// A route that fails answers with a problem (503 while storage is unreachable), as the Functions app's middleware does.
app.UseExceptionHandler(failed => failed.Run(context =>
    HttpFailures.WriteAsync(context, context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error ?? new InvalidOperationException("Unknown failure."),
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("JmlDsr.Http"))));
// Every HTML response: the one Content-Security-Policy and its headers, as the Functions app's middleware sets them.
app.UseHtmlSecurity();
app.MapGrpcService<TaskHubGrpcServer>();

// The same routes as the Functions app, from the same table, onto the same handlers, behind the same staff gate.
LocalRoutes.Map(app);

// Local only: the SendGrid capture endpoint and the outbox that lists what it captured.
app.MapPost("/v3/mail/send", (HttpRequest req, DevOutbox o, CancellationToken ct) => o.CaptureAsync(req, ct));
// Local only: SendGrid's marketing contacts and global suppression list, for the sendgrid-marketing connector.
DevSendGridMarketing.Map(app);
// Local only: a reference implementation of the http connector's contract (docs/http-connector.md), a small support desk.
DevSupportDesk.Map(app);
// Local only: the routes this host serves, so a test can hold them against the Functions app's route table.
app.MapGet("api/dev/routes", (EndpointDataSource endpoints) => Results.Json(endpoints.Endpoints.OfType<RouteEndpoint>()
    .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => new { method = m, route = e.RoutePattern.RawText?.TrimStart('/') }))));
app.MapGet("api/dev/outbox", (HttpRequest req, DevOutbox o, CancellationToken ct) => o.ListAsync(req, ct));
// Local only: take a demo system down or bring it back (failure drills, demos of the retry path).
app.MapPost("api/dev/systems/{system}/outage", async (string system, HttpRequest req, DsrStorage s, JmlDsr.Domain.Gathering.DataMap map, CancellationToken ct) =>
{
    if (map.Find(system) is null)
    {
        return Responses.Problem(StatusCodes.Status404NotFound, "Unknown system", $"There is no system '{system}'.", "system");
    }

    var down = !string.Equals(req.Query["down"], "false", StringComparison.OrdinalIgnoreCase);
    await s.Table(SystemConnector.StatusTable).UpsertEntityAsync(new Azure.Data.Tables.TableEntity("status", system) { ["Down"] = down }, cancellationToken: ct);
    return Results.Json(new { system, down });
});
// Local only: the marketing system's stand-in. Before it mails a product notice it asks the processing policy, so a
// restriction (Art 18) or an erasure's suppression entry stops it.
app.MapPost("api/dev/notices", async (HttpRequest req, ProcessingPolicy policy, Mailer mailer, CancellationToken ct) =>
{
    var to = req.Query["to"].ToString();
    if (!JmlDsr.Domain.Intake.RequesterExtractor.IsValidAddress(to))
    {
        return Responses.Problem(StatusCodes.Status400BadRequest, "Bad address", "to must be an email address.", "to");
    }

    if (await policy.CheckMarketingAsync(to, ct) is { } refusal)
    {
        return Responses.Problem(StatusCodes.Status409Conflict, "Suppressed", refusal.Detail, "to", new Dictionary<string, object?> { ["rule"] = refusal.Rule });
    }

    var id = Guid.NewGuid().ToString("N")[..12];
    await mailer.SendOnceAsync("notice-" + id, "product-notice", JmlDsr.Domain.Emails.EmailComposer.ProductNotice(to, "New from JML: Ledger Pro 6", "Ledger Pro 6 is out."), ct);
    return Results.Json(new { sent = true, to }, statusCode: StatusCodes.Status202Accepted);
});
app.MapGet("/", () => Results.Redirect("/console"));

app.Lifetime.ApplicationStarted.Register(() =>
{
    // No secret in the output: the keys are named, not printed (their development values are in local.settings.sample.json).
    Console.WriteLine($"""
        JmlDsr local host is running.
          API:          {local.Urls}/api/requests   (header x-functions-key: an API key, ApiKeys__dev__Key)
          Inbound mail: POST {local.Urls}/api/inbound/sendgrid   (basic auth, password: the inbound key, Dsr__InboundKey)
          Console:      {local.Urls}/console   (sign in as a development account with the staff key)
          Outbox:       {local.Urls}/api/dev/outbox   (every email sent, captured here)
          Task hub:     {taskHub} on Azurite; Ctrl+C stops cleanly, data is kept.
        """);
});

// Ctrl+C: stop the worker while the gRPC server is still up (the sidecar then stops dispatching on
// the engine), then the web server. Without this the worker retries a vanished server until the
// shutdown timeout.
app.Lifetime.ApplicationStopping.Register(() =>
{
    foreach (var worker in app.Services.GetServices<IHostedService>().OfType<Microsoft.DurableTask.Worker.Hosting.DurableTaskWorker>())
    {
        worker.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    Console.WriteLine("JmlDsr local host stopped cleanly.");
});

await app.RunAsync();
return 0;
