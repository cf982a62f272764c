using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// A route that fails answers with a problem (503 while storage is unreachable), never a bare 500.
builder.UseMiddleware<JmlDsr.Functions.Http.HttpFailureMiddleware>();
// Request lines carry URLs (an emailed link's token, an older Inbound Parse URL's ?key=): only warnings from the
// HTTP stacks, as in host.json. The app's own log lines name request references only (Log.cs).
builder.Logging.AddUrlLogFilters();
builder.Services.AddDsrServices(builder.Configuration);

var app = builder.Build();
await app.Services.GetRequiredService<DsrStorage>().EnsureCreatedAsync(JmlDsr.Functions.Gathering.SystemConnector.AllTables);
await app.RunAsync();
