using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using JmlDsr.Local;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JmlDsr.Bench;

/// <summary>The benchmarks. Each measures the product and, where the issue asks, a baseline in the same run.</summary>
internal sealed partial class Bench(HttpClient http, LocalHostProcess host, AzuriteLauncher azurite)
{
    private const string InboundKey = "dev-inbound-key-0123456789abcdef";
    private const string StaffKey = "dev-staff-key-0123456789abcdef";

    /// <summary>How many posts or starts the drivers keep in flight: a burst, as SendGrid delivers (intake, idle and engine alike).</summary>
    public const int Concurrency = 8;

    /// <summary>The local host this bench drives (for the parts of the bench in other files).</summary>
    private LocalHostProcess Host => host;

    /// <summary>How many waiting requests the idle benchmark posts at a time.</summary>
    private const int IdleWave = 250;

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>1. Intake: N posts against the host vs. the same blob + table writes straight to Azurite.</summary>
    public async Task IntakeAsync(int n, int concurrency, StringBuilder report, List<string> failures)
    {
        const int warmUp = 16;
        var bodies = Enumerable.Range(0, n + warmUp).Select(i => Multipart($"bench-{Guid.NewGuid():N}@mail.example.com")).ToList();

        // Baseline: what intake must do at least — keep the raw body, check and record the Message-Id, write the request row.
        var blobs = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("bench-baseline");
        await blobs.CreateIfNotExistsAsync();
        var tables = new TableServiceClient(azurite.ConnectionString);
        var dedupe = tables.GetTableClient("BenchBaselineDedupe");
        var rows = tables.GetTableClient("BenchBaselineRequests");
        await dedupe.CreateIfNotExistsAsync();
        await rows.CreateIfNotExistsAsync();
        async Task<bool> BaselineAsync(int i)
        {
            var (bytes, _) = bodies[i];
            var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
            await blobs.GetBlobClient($"raw/{key}.bin").UploadAsync(new BinaryData(bytes), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } });
            await dedupe.GetEntityIfExistsAsync<TableEntity>("msg", key);
            await dedupe.AddEntityAsync(new TableEntity("msg", key) { ["At"] = DateTimeOffset.UtcNow });
            await rows.AddEntityAsync(new TableEntity("request", key) { ["Status"] = "received" });
            return true;
        }

        async Task<bool> PostAsync(int i) => await PostInboundAsync(bodies[i]) == HttpStatusCode.OK;

        // Warm both paths up (JIT, connections) outside the timing, and let the warm-up requests settle.
        var waitingAtStart = await CountRequestsAsync("awaiting-identity");
        await TimeAllAsync(warmUp, concurrency, i => BaselineAsync(n + i));
        await TimeAllAsync(warmUp, concurrency, i => PostAsync(n + i));
        await WaitForCountAsync("awaiting-identity", waitingAtStart + warmUp, TimeSpan.FromMinutes(5));

        var before = await CountRequestsAsync(null);
        var baseline = await TimeAllAsync(n, concurrency, BaselineAsync);
        var waitingBefore = await CountRequestsAsync("awaiting-identity");
        var drain = Stopwatch.StartNew();
        var intake = await TimeAllAsync(n, concurrency, PostAsync);
        var created = await CountRequestsAsync(null) - before;
        var ratio = intake.PerSecond / baseline.PerSecond;

        // Intake answers once the request is stored and its start queued; the workflows start behind it. Wait for every one
        // to have acknowledged and asked for identity (these senders are known customers), and report how long that took.
        Console.WriteLine(FormattableString.Invariant($"intake: {intake.PerSecond:0.0}/s p50 {intake.P50:0} ms p99 {intake.P99:0} ms; baseline {baseline.PerSecond:0.0}/s p99 {baseline.P99:0} ms; ratio {ratio:0.00}. Waiting for the workflows to start…"));
        var startedAll = await WaitForCountAsync("awaiting-identity", waitingBefore + n, TimeSpan.FromMinutes(15));
        var drained = drain.Elapsed;
        report.AppendLine("## 1. Intake");
        report.AppendLine(CultureInfo.InvariantCulture, $"{n} posts, concurrency {concurrency}.");
        report.AppendLine("| | accepted/s | p50 ms | p99 ms |");
        report.AppendLine("|---|---|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| POST /api/inbound/sendgrid | {intake.PerSecond:0.0} | {intake.P50:0.0} | {intake.P99:0.0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| baseline: same blob + table writes | {baseline.PerSecond:0.0} | {baseline.P50:0.0} | {baseline.P99:0.0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"Ratio to baseline {ratio:0.00} (target ≥ 0.8); p99 {intake.P99:0.0} ms (target < 100); requests created {created} of {n} posts ({intake.Ok} answered 200).");
        report.AppendLine(CultureInfo.InvariantCulture, $"Workflows behind the queue: {(startedAll ? "all" : "NOT all")} {n} acknowledged and waiting for identity {drained.TotalSeconds:0.0} s after the first post ({n / drained.TotalSeconds:0.0} requests/s end to end through intake, acknowledgement and the identity email).");
        report.AppendLine();
        if (created != n || intake.Ok != n || !startedAll)
        {
            failures.Add($"intake: {n} posts made {created} requests ({intake.Ok} accepted, workflows {(startedAll ? "all" : "not all")} started)");
        }
    }

    /// <summary>4. Idle cost: N requests waiting for identity confirmation; the host's CPU over a window.</summary>
    public async Task IdleAsync(int waiting, TimeSpan window, string setting, StringBuilder report, List<string> failures, TimeSpan? settleFor = null)
    {
        // Set the waiting requests up in waves, each posted once the last has settled. Azurite keeps every queue's
        // messages in one in-memory collection that each queue operation scans and re-indexes, so a backlog of thousands
        // of starts and activities makes every operation slow; short queues keep the setup linear.
        var have = await CountRequestsAsync("awaiting-identity");
        var setup = Stopwatch.StartNew();
        for (var posted = 0; posted < waiting - have;)
        {
            var wave = Math.Min(IdleWave, waiting - have - posted);
            await TimeAllAsync(wave, Concurrency, async _ =>
                (int)await PostInboundAsync(Multipart($"idle-{Guid.NewGuid():N}@mail.example.com")) is >= 200 and < 300);
            posted += wave;
            await WaitUntilQuietAsync(TimeSpan.FromMinutes(10));
            Console.WriteLine(FormattableString.Invariant($"idle: {posted} of {waiting - have} posted and settled, {setup.Elapsed.TotalSeconds:0} s"));
        }

        if (!await WaitForCountAsync("awaiting-identity", waiting, TimeSpan.FromMinutes(30)))
        {
            failures.Add("idle: requests did not all reach awaiting-identity");
            return;
        }

        // Idle means the work behind the last post is done, not merely that the CPU has dipped: the emails' events posted
        // (the local SendGrid's pending rows gone), no activity or workflow start queued. Then let the engine take its
        // partitions (a restarted host waits out the dead one's leases) and back its polling off: wait the settling time,
        // then until two 10 s windows running agree (at most 5 minutes more).
        var settling = Stopwatch.StartNew();
        var quiet = await WaitUntilQuietAsync(TimeSpan.FromMinutes(10));
        await Task.Delay(settleFor ?? TimeSpan.FromSeconds(20));
        var process = host.Process!;
        var previous = await CpuOverAsync(process, TimeSpan.FromSeconds(10));
        while (settling.Elapsed < TimeSpan.FromMinutes(15))
        {
            var next = await CpuOverAsync(process, TimeSpan.FromSeconds(10));
            if (Math.Abs(next - previous) <= Math.Max(0.2 * previous, 0.003))
            {
                break;
            }

            previous = next;
        }

        var actuallyWaiting = await CountRequestsAsync("awaiting-identity");
        var cpu = await CpuOverAsync(process, window);
        report.AppendLine(CultureInfo.InvariantCulture, $"## 4. Idle cost — {setting}");
        report.AppendLine(CultureInfo.InvariantCulture, $"{actuallyWaiting} requests waiting on events and timers (asked for at least {waiting}); measured {settling.Elapsed.TotalSeconds:0} s after the last one was waiting ({(quiet ? "the emails' events posted and no work queued" : "NOT quiet after 10 minutes")}, then the CPU steady); local host CPU over {window.TotalSeconds:0} s: {cpu * 100:0.00}% of one core ({cpu * 100 / Environment.ProcessorCount:0.00}% of the machine). Target < 2%.");
        report.AppendLine();
    }

    /// <summary>
    /// 2. Engine: N requests end to end with the links answered at once, against N bare orchestrations of the same shape on
    /// the same engine and host; completed per minute. Both sides are warmed up first (N of each, untimed), as the intake
    /// benchmark is: otherwise the side that runs first pays for compiling the engine's code that the other reuses.
    /// </summary>
    public async Task EngineAsync(int n, StringBuilder report)
    {
        var warmUp = n;
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{host.GrpcPort}");
        var services = new ServiceCollection().AddLogging();
        services.AddDurableTaskClient(c => c.UseGrpc(channel));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>();
        var links = new LinkPresser(http, host.BaseUrl);
        await RunRequestsAsync(warmUp, links, client);
        await RunBareAsync(warmUp, client);

        // Timed in the order requests, bare, bare, requests: the task hub's tables grow with every run (and Azurite scans
        // them), so each side runs once on the smaller hub and once on the larger.
        async Task<(TimeSpan Elapsed, CpuMeter.Use Cpu)> TimeAsync(Func<Task<TimeSpan>> run)
        {
            var meter = CpuMeter.Start(host.Process!, azurite);
            var elapsed = await run();
            return (elapsed, meter.Read());
        }

        var posted = TimeSpan.Zero;
        async Task<TimeSpan> RequestsAsync()
        {
            var (elapsed, posting) = await RunRequestsAsync(n, links, client);
            posted += posting;
            return elapsed;
        }

        var r1 = await TimeAsync(RequestsAsync);
        var b1 = await TimeAsync(() => RunBareAsync(n, client));
        var b2 = await TimeAsync(() => RunBareAsync(n, client));
        var r2 = await TimeAsync(RequestsAsync);
        var real = r1.Elapsed + r2.Elapsed;
        var bare = b1.Elapsed + b2.Elapsed;
        var realCpu = r1.Cpu + r2.Cpu;
        var bareCpu = b1.Cpu + b2.Cpu;
        var ratio = real / bare;
        var runs = 2 * n;
        report.AppendLine("## 2. Engine");
        report.AppendLine(CultureInfo.InvariantCulture, $"Both sides warmed up first with {warmUp} untimed runs each, then timed twice each, in the order requests, bare, bare, requests.");
        report.AppendLine(CultureInfo.InvariantCulture, $"{n} access requests end to end (intake, acknowledgement, verification, 7 systems, approval, export, response; about 20 activities and 2 events each, plus timers), links answered as soon as the email is captured (the outbox polled every 100 ms): {r1.Elapsed.TotalSeconds:0.0} s and {r2.Elapsed.TotalSeconds:0.0} s (posting them, {Concurrency} at a time, took {posted.TotalSeconds / 2:0.0} s of each), {runs / real.TotalMinutes:0.0} completed/min.");
        report.AppendLine(CultureInfo.InvariantCulture, $"Bare baseline on the same engine and host: {n} orchestrations of 20 no-op activities (7 fanned out) and 2 events, each event raised when the orchestration signals it waits: {b1.Elapsed.TotalSeconds:0.0} s and {b2.Elapsed.TotalSeconds:0.0} s, {runs / bare.TotalMinutes:0.0} completed/min.");
        report.AppendLine("Both drivers see an orchestration finish the same way: one query for the instances created since the run began, every 100 ms.");
        report.AppendLine(CultureInfo.InvariantCulture, $"Ratio (request time / bare time) {ratio:0.00}× (target ≤ 1.3×).");
        report.AppendLine(CultureInfo.InvariantCulture, $"CPU per request — requests: host {realCpu.Host.TotalMilliseconds / runs:0} ms, Azurite {realCpu.Azurite.TotalMilliseconds / runs:0} ms, this driver {realCpu.Driver.TotalMilliseconds / runs:0} ms; bare: host {bareCpu.Host.TotalMilliseconds / runs:0} ms, Azurite {bareCpu.Azurite.TotalMilliseconds / runs:0} ms, this driver {bareCpu.Driver.TotalMilliseconds / runs:0} ms. Machine busy (all three, of {Environment.ProcessorCount} cores): requests {realCpu.Total / real / Environment.ProcessorCount:P0}, bare {bareCpu.Total / bare / Environment.ProcessorCount:P0}.");
        report.AppendLine();
    }

    /// <summary>
    /// Posts <paramref name="n"/> access requests, <see cref="Concurrency"/> at a time, and answers their links until every one's orchestration
    /// has completed. Completion is read as the baseline's is: one query for the instances created since the run began,
    /// every 100 ms.
    /// </summary>
    private async Task<(TimeSpan Elapsed, TimeSpan Posted)> RunRequestsAsync(int n, LinkPresser links, Microsoft.DurableTask.Client.DurableTaskClient client)
    {
        var customers = new[] { "alice.smith@example.com", "bob.jones@example.org", "carol.white@example.net", "dan.brown@example.co.uk" };
        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var sw = Stopwatch.StartNew();
        var running = new HashSet<string>();
        await SubmitAsync(n, async i =>
        {
            using var response = await SendInboundAsync(Multipart($"engine-{Guid.NewGuid():N}@mail.example.com", customers[i % customers.Length]));
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        }, running);

        var posted = sw.Elapsed;
        var created = new OrchestrationQuery { CreatedFrom = startedAt, PageSize = 1000 };
        while (running.Count > 0)
        {
            await links.PressNewAsync();
            await foreach (var state in client.GetAllInstancesAsync(created))
            {
                if (running.Contains(state.InstanceId) && IsFinished(state))
                {
                    running.Remove(state.InstanceId);
                }
            }

            await Task.Delay(100);
        }

        return (sw.Elapsed, posted);
    }

    /// <summary>
    /// Runs <paramref name="n"/> bare orchestrations (20 no-op activities, 7 fanned out, 2 events; registered in the host by
    /// LocalHost__BenchBaseline), driven over the host's gRPC port: one query a poll for the instances created since the
    /// run began, every 100 ms, which raises each event when the orchestration signals it waits and sees it finish. (A
    /// read per instance would cost the baseline a storage call per instance per poll that the requests do not pay.)
    /// </summary>
    private static async Task<TimeSpan> RunBareAsync(int n, Microsoft.DurableTask.Client.DurableTaskClient client)
    {
        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var sw = Stopwatch.StartNew();
        var running = new HashSet<string>();
        await SubmitAsync(n, _ => client.ScheduleNewOrchestrationInstanceAsync(BenchBaseline.Orchestration, 0), running);

        var answered = new HashSet<string>();
        var created = new OrchestrationQuery { CreatedFrom = startedAt, PageSize = 1000 };
        while (running.Count > 0)
        {
            await foreach (var state in client.GetAllInstancesAsync(created))
            {
                if (!running.Contains(state.InstanceId))
                {
                    continue;
                }

                if (IsFinished(state))
                {
                    running.Remove(state.InstanceId);
                    continue;
                }

                var waitingFor = state.SerializedCustomStatus is { } status ? JsonSerializer.Deserialize<string>(status) : null;
                if (waitingFor is not null && answered.Add($"{state.InstanceId}/{waitingFor}"))
                {
                    await client.RaiseEventAsync(state.InstanceId, waitingFor, "go");
                }
            }

            await Task.Delay(100);
        }

        return sw.Elapsed;
    }

    /// <summary>Submits <paramref name="n"/> with <see cref="Concurrency"/> in flight and adds each instance id to <paramref name="running"/>.</summary>
    private static async Task SubmitAsync(int n, Func<int, Task<string>> submit, HashSet<string> running)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
        {
            var id = await submit(i);
            lock (running)
            {
                running.Add(id);
            }
        });
    }

    /// <summary>True once the orchestration completed; a failed or terminated one stops the benchmark (a correctness failure).</summary>
    private static bool IsFinished(OrchestrationMetadata state) => state.RuntimeStatus switch
    {
        OrchestrationRuntimeStatus.Completed => true,
        OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated =>
            throw new InvalidOperationException($"The orchestration {state.InstanceId} ended {state.RuntimeStatus}."),
        _ => false,
    };

    /// <summary>
    /// Answers the confirmation and decision links in the emails the local SendGrid captured, each once, the way the
    /// requester and staff would: a POST of the link's token. Polls the outbox for what arrived lately (from a few seconds
    /// before the newest email seen, as emails captured at the same time can be stored out of order), so the driver's own
    /// reads stay small as the outbox grows.
    /// </summary>
    private sealed class LinkPresser(HttpClient http, string baseUrl, bool approve = true)
    {
        private readonly HashSet<string> _pressed = [];
        private DateTimeOffset _newest = DateTimeOffset.MinValue;

        /// <summary>Each request whose "Decision needed" email was captured, and when.</summary>
        public Dictionary<string, DateTimeOffset> Decisions { get; } = new(StringComparer.Ordinal);

        public async Task PressNewAsync()
        {
            var since = _newest == DateTimeOffset.MinValue ? "" : "?since=" + Uri.EscapeDataString(_newest.AddSeconds(-5).ToString("O", CultureInfo.InvariantCulture));
            var outbox = await http.GetFromJsonAsync<JsonElement>($"{baseUrl}/api/dev/outbox{since}");
            foreach (var mail in outbox.GetProperty("messages").EnumerateArray())
            {
                var id = mail.GetProperty("id").GetString()!;
                if (mail.GetProperty("receivedAt").GetDateTimeOffset() is var at && at > _newest)
                {
                    _newest = at;
                }

                var subject = mail.GetProperty("subject").GetString()!;
                var decision = subject.Contains("Decision needed", StringComparison.Ordinal);
                if (decision && mail.TryGetProperty("reference", out var r) && r.GetString() is { } reference)
                {
                    Decisions.TryAdd(reference, mail.GetProperty("receivedAt").GetDateTimeOffset());
                }

                var action = subject.StartsWith("Please confirm", StringComparison.Ordinal) ? "confirm-identity"
                    : decision && approve ? "approve" : null;
                if (action is null || !_pressed.Add(id))
                {
                    continue;
                }

                var link = LinkPattern().Match(mail.GetProperty("text").GetString()!).Value;
                var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
                using var response = await http.PostAsync($"{baseUrl}/api/links", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["action"] = action }));
            }
        }
    }

    /// <summary>3. Export scale: one subject with many records over the data map's table systems; gather + export in this process.</summary>
    public static async Task ExportAsync(string repoRoot, AzuriteLauncher azurite, int records, StringBuilder report, List<string> failures)
    {
        const string subject = "bulk.subject@example.com";
        const string reference = "DSR-2026-999999";
        var values = LocalSettings.SampleValues(repoRoot);
        values["AzureWebJobsStorage"] = azurite.ConnectionString;
        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(config);
        services.AddDsrServices(config);
        await using var sp = services.BuildServiceProvider();
        var storage = sp.GetRequiredService<DsrStorage>();
        await storage.EnsureCreatedAsync(SystemConnector.TablesOf(sp.GetRequiredService<DataMap>()));

        var seed = Stopwatch.StartNew();
        // The systems in the app's own storage (table connectors): the others are outside this process's reach here.
        var systems = DataMap.Shipped.Systems.Where(s => s.Connector.Kind == JmlDsr.Functions.Connectors.TableConnector.KindName).ToList();
        // Spread evenly; the first systems take one more each when the total does not divide.
        int CountFor(int system) => (records / systems.Count) + (system < records % systems.Count ? 1 : 0);
        await Parallel.ForEachAsync(systems.SelectMany((s, x) => Enumerable.Range(0, (CountFor(x) + 99) / 100).Select(b => (s.Id, b, Count: CountFor(x)))),
            new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (job, ct) =>
            {
                var table = storage.Table(SystemConnector.TableFor(DataMap.Shipped.Get(job.Id)));
                var batch = Enumerable.Range(job.b * 100, Math.Min(100, job.Count - (job.b * 100)))
                    .Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(subject, i.ToString("D8", CultureInfo.InvariantCulture))
                    {
                        ["Category"] = "event",
                        ["At"] = "2026-01-01T00:00:00Z",
                        ["Detail"] = $"Record {i} of the bulk subject in {job.Id}",
                        ["Value"] = i.ToString(CultureInfo.InvariantCulture),
                    })).ToList();
                if (batch.Count > 0)
                {
                    await storage.Table(SystemConnector.TableFor(DataMap.Shipped.Get(job.Id))).SubmitTransactionAsync(batch, ct);
                }
            });
        var seeded = seed.Elapsed;

        await sp.GetRequiredService<RequestRepository>().CreateIfMissingAsync(new RequestRecord
        {
            RowKey = reference, Type = "access", Status = "fulfilling", RequesterEmail = subject, ReceivedAt = DateTimeOffset.UtcNow,
            RelevantDate = "2026-11-24", DueDate = "2026-12-24",
        });

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var startSet = self.WorkingSet64;
        long peak = startSet;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(25);
            }
        });

        var sw = Stopwatch.StartNew();
        var gather = sp.GetRequiredService<GatherFromSystem>();
        var summaries = new List<GatherSummary>();
        foreach (var system in systems)
        {
            summaries.Add(await gather.RunAsync(new GatherInput(reference, system.Id, 1)));
        }

        var gathered = sw.Elapsed;
        var export = await sp.GetRequiredService<BuildAccessExport>().RunAsync(new ExportInput(reference, summaries, DateTimeOffset.UtcNow));
        var total = sw.Elapsed;
        await sampling.CancelAsync();
        await sampler;

        var found = summaries.Sum(s => s.RecordCount);
        report.AppendLine("## 3. Export scale");
        report.AppendLine(CultureInfo.InvariantCulture, $"{found:N0} records for one subject over {systems.Count} systems in Azure Tables (seeding took {seeded.TotalSeconds:0} s).");
        report.AppendLine(CultureInfo.InvariantCulture, $"Gather {gathered.TotalSeconds:0.0} s + export {(total - gathered).TotalSeconds:0.0} s = {total.TotalSeconds:0.0} s; JSON {export.JsonBytes / 1048576.0:0.0} MB, HTML {export.HtmlBytes / 1048576.0:0.0} MB.");
        report.AppendLine(CultureInfo.InvariantCulture, $"Peak working set of the process doing it: {peak / 1048576.0:0} MB (it started the step at {startSet / 1048576.0:0} MB). Target < 256 MB, streaming.");
        report.AppendLine();
        if (found != records)
        {
            failures.Add($"export: found {found} records, seeded {records}");
        }
    }

    /// <summary>Posts one email to the host as SendGrid Inbound Parse would.</summary>
    private async Task<HttpStatusCode> PostInboundAsync((byte[] Bytes, string ContentType) body)
    {
        using var response = await SendInboundAsync(body);
        return response.StatusCode;
    }

    private async Task<HttpResponseMessage> SendInboundAsync((byte[] Bytes, string ContentType) body)
    {
        using var content = new ByteArrayContent(body.Bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
        return await http.PostAsync($"{host.BaseUrl}/api/inbound/sendgrid?key={InboundKey}", content);
    }

    private static (byte[] Bytes, string ContentType) Multipart(string messageId, string from = "alice.smith@example.com")
    {
        using var content = new MultipartFormDataContent("benchBoundary");
        void Add(string name, string value) => content.Add(new StringContent(value, Encoding.UTF8) { Headers = { ContentType = null } }, name);
        Add("headers", $"Message-Id: <{messageId}>\r\nFrom: {from}\r\nTo: privacy@jmlsoftware.co.uk\r\nSubject: Subject access request\r\n");
        Add("from", from);
        Add("to", "privacy@jmlsoftware.co.uk");
        Add("subject", "Subject access request");
        Add("text", "Please send me a copy of all the personal data you hold about me.");
        Add("envelope", "{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":\"bounces@relay.example.net\"}");
        Add("charsets", "{\"to\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}");
        using var ms = new MemoryStream();
        content.CopyTo(ms, null, CancellationToken.None);
        return (ms.ToArray(), content.Headers.ContentType!.ToString());
    }

    /// <summary>
    /// Waits until the host has nothing left to do for the requests posted: no local SendGrid event waiting to be posted,
    /// and the engine's work-item queue and the workflow-start queue empty. False if that takes longer than
    /// <paramref name="limit"/>.
    /// </summary>
    private async Task<bool> WaitUntilQuietAsync(TimeSpan limit)
    {
        var outbox = new TableServiceClient(azurite.MailCaptureConnectionString).GetTableClient(DevOutbox.Table);
        var queues = new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString);
        var workItems = queues.GetQueueClient($"{host.TaskHub.ToLowerInvariant()}-workitems");
        var starts = queues.GetQueueClient(JmlDsr.Functions.Intake.PendingStarts.Name);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            var pendingEvents = false;
            await foreach (var _ in outbox.QueryAsync<TableEntity>($"PartitionKey eq '{DevOutbox.Partition}' and RowKey ge '{DevOutbox.PendingPrefix}'", maxPerPage: 1, select: ["RowKey"]))
            {
                pendingEvents = true;
                break;
            }

            if (!pendingEvents
                && (await workItems.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0
                && (!(await starts.ExistsAsync()).Value || (await starts.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0))
            {
                return true;
            }

            await Task.Delay(1000);
        }

        return false;
    }

    /// <summary>CPU time used by the host, Azurite and this process since <see cref="Start"/>.</summary>
    private sealed record CpuMeter(Process Host, AzuriteLauncher Azurite, TimeSpan Host0, TimeSpan Azurite0, TimeSpan Driver0)
    {
        public static CpuMeter Start(Process host, AzuriteLauncher azurite)
        {
            host.Refresh();
            return new(host, azurite, host.TotalProcessorTime, azurite.ProcessorTime ?? TimeSpan.Zero, Process.GetCurrentProcess().TotalProcessorTime);
        }

        public Use Read()
        {
            Host.Refresh();
            return new(Host.TotalProcessorTime - Host0, (Azurite.ProcessorTime ?? TimeSpan.Zero) - Azurite0, Process.GetCurrentProcess().TotalProcessorTime - Driver0);
        }

        /// <summary>CPU time used by each process over a stretch, and in all.</summary>
        public sealed record Use(TimeSpan Host, TimeSpan Azurite, TimeSpan Driver)
        {
            public TimeSpan Total => Host + Azurite + Driver;

            public static Use operator +(Use a, Use b) => new(a.Host + b.Host, a.Azurite + b.Azurite, a.Driver + b.Driver);
        }
    }

    /// <summary>The process's CPU time over <paramref name="window"/>, as a fraction of one core.</summary>
    private static async Task<double> CpuOverAsync(Process process, TimeSpan window)
    {
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(window);
        process.Refresh();
        return (process.TotalProcessorTime - cpu0).TotalMilliseconds / wall.Elapsed.TotalMilliseconds;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have <paramref name="status"/>; false if the time runs out.</summary>
    private async Task<bool> WaitForCountAsync(string status, int count, TimeSpan limit)
    {
        // Each count lists the requests with that status, a scan of the table on Azurite: poll less often as the count
        // grows (every 250 ms up to 1 000 requests, every 2.5 s at 10 000), so the bench does not load what it measures.
        var sw = Stopwatch.StartNew();
        int seen;
        while ((seen = await CountRequestsAsync(status)) < count)
        {
            if (sw.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(Math.Clamp(seen / 4, 250, 5000));
        }

        return true;
    }

    private async Task<int> CountRequestsAsync(string? status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{host.BaseUrl}/api/requests{(status is null ? "" : "?status=" + status)}");
        request.Headers.Add("x-functions-key", StaffKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
    }

    private sealed record Timing(double PerSecond, double P50, double P99, int Ok);

    private static async Task<Timing> TimeAllAsync(int n, int concurrency, Func<int, Task<bool>> op)
    {
        var latencies = new ConcurrentBag<double>();
        var ok = 0;
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var t = Stopwatch.StartNew();
            if (await op(i))
            {
                Interlocked.Increment(ref ok);
            }

            latencies.Add(t.Elapsed.TotalMilliseconds);
        });
        var sorted = latencies.Order().ToList();
        return new Timing(n / sw.Elapsed.TotalSeconds, sorted[(int)(sorted.Count * 0.50)], sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))], ok);
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
