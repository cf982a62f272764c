using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using JmlDsr.Bench;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using JmlDsr.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// JmlDsr benchmarks. `dotnet run -c Release --project bench/JmlDsr.Bench` for the full run,
// `-- --quick` for the small run CI does, `-- --only intake|engine|campaign|export|idle|hostile|pages` for one, `-- --waiting N` for the idle
// run's number of waiting requests, `-- --in-memory` to keep
// Azurite's data in memory (no disk writes; its tables are scanned per query, so a large idle N stays slow either way).
var quick = args.Contains("--quick");
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
var waitingArg = args.SkipWhile(a => a != "--waiting").Skip(1).FirstOrDefault();
var requestsArg = args.SkipWhile(a => a != "--requests").Skip(1).FirstOrDefault(); // engine: number of requests
var inMemory = args.Contains("--in-memory"); // Azurite keeps its data in memory instead of its temporary folder
bool Run(string name) => only is null || only == name;
var waiting = waitingArg is null ? (quick ? 200 : 10_000) : int.Parse(waitingArg, CultureInfo.InvariantCulture); // idle: requests left waiting

var repoRoot = LocalSettings.FindRepoRoot();
var configuration = typeof(Bench).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
var dataDir = Path.Combine(Path.GetTempPath(), "jmldsr-bench-" + Guid.NewGuid().ToString("N")[..8]);
await using var azurite = new AzuriteLauncher(Bench.FreePort(), Bench.FreePort(), Bench.FreePort());
await azurite.EnsureRunningAsync(repoRoot, dataDir, inMemory, TextWriter.Null);
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"JmlDsr benchmarks — {(quick ? "quick" : "full")} run, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {configuration} build, Azurite {(inMemory ? "in memory" : "on disk")}");
report.AppendLine();
var failures = new List<string>();

try
{
    if (Run("intake") || Run("idle"))
    {
        var hub = "BenchHub" + Guid.NewGuid().ToString("N")[..6];
        var window = TimeSpan.FromSeconds(quick ? 15 : 60);
        using (var host = new LocalHostProcess(repoRoot, azurite, Bench.FreePort(), Bench.FreePort(), hub, configuration))
        {
            await host.StartAsync(http);
            var bench = new Bench(http, host, azurite);
            if (Run("intake"))
            {
                await bench.IntakeAsync(quick ? 500 : 2000, concurrency: Bench.Concurrency, report, failures);
            }

            if (Run("idle"))
            {
                await bench.IdleAsync(waiting, window, "the local demo setting: queues polled at least every 1 s", report, failures);
            }
        }

        if (Run("idle"))
        {
            // The same waiting requests on the same task hub, with the provider's production polling (at most every 30 s).
            using var host = new LocalHostProcess(repoRoot, azurite, Bench.FreePort(), Bench.FreePort(), hub, configuration);
            await host.StartAsync(http, new Dictionary<string, string> { ["LocalHost__MaxQueuePollingInterval"] = "00:00:30", ["LocalHost__Seed"] = "false" });
            await new Bench(http, host, azurite).IdleAsync(waiting, window, "the production setting: queues polled at most every 30 s (the Azure Storage provider's default)", report, failures, settleFor: TimeSpan.FromSeconds(60));
        }
    }

    if (Run("engine"))
    {
        using var host = new LocalHostProcess(repoRoot, azurite, Bench.FreePort(), Bench.FreePort(), "BenchEngine" + Guid.NewGuid().ToString("N")[..6], configuration);
        await host.StartAsync(http, new Dictionary<string, string> { ["LocalHost__MaxQueuePollingInterval"] = "00:00:00.200", ["LocalHost__BenchBaseline"] = "true", ["LocalHost__StartsYieldToIntake"] = "00:00:00" });
        await new Bench(http, host, azurite).EngineAsync(requestsArg is null ? (quick ? 5 : 30) : int.Parse(requestsArg, CultureInfo.InvariantCulture), report);
    }

    if (Run("campaign"))
    {
        using var host = new LocalHostProcess(repoRoot, azurite, Bench.FreePort(), Bench.FreePort(), "BenchCampaign" + Guid.NewGuid().ToString("N")[..6], configuration);
        await host.StartAsync(http);
        await new Bench(http, host, azurite).CampaignAsync(requestsArg is null ? (quick ? 20 : 1000) : int.Parse(requestsArg, CultureInfo.InvariantCulture), report, failures);
    }

    if (Run("export"))
    {
        await Bench.ExportAsync(repoRoot, azurite, quick ? 20_000 : 1_000_000, report, failures);
    }

    if (Run("pages"))
    {
        await Bench.PagesAsync(quick, report);
    }

    // Last: its 25 and 40 MiB posts are built in this process, whose peak memory the export step measures.
    if (Run("hostile"))
    {
        using var host = new LocalHostProcess(repoRoot, azurite, Bench.FreePort(), Bench.FreePort(), "BenchHostile" + Guid.NewGuid().ToString("N")[..6], configuration);
        await host.StartAsync(http);
        await new Bench(http, host, azurite).HostileAsync(quick ? 1 : 3, report, failures);
    }
}
finally
{
    try
    {
        Directory.Delete(dataDir, recursive: true);
    }
    catch (IOException)
    {
    }
}

Console.WriteLine(report.ToString());
var results = Path.Combine(repoRoot, "bench", "results");
Directory.CreateDirectory(results);
await File.WriteAllTextAsync(Path.Combine(results, quick ? "quick.md" : "full.md"), report.ToString());
if (failures.Count > 0)
{
    Console.WriteLine("Correctness failures: " + string.Join("; ", failures));
    return 1;
}

return 0;
