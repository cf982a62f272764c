using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args).ConfigureDsr();
var app = builder.Build();
// The data map is read and checked before anything runs: an invalid map stops the host with every problem named.
var dataMap = app.Services.GetRequiredService<JmlDsr.Domain.Gathering.DataMap>();
await app.Services.GetRequiredService<DsrStorage>().EnsureCreatedAsync(JmlDsr.Functions.Gathering.SystemConnector.TablesOf(dataMap));
await app.RunAsync();
