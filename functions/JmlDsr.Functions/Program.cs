using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args).ConfigureDsr();
var app = builder.Build();
await app.Services.GetRequiredService<DsrStorage>().EnsureCreatedAsync(JmlDsr.Functions.Gathering.SystemConnector.AllTables);
await app.RunAsync();
