namespace JmlDsr.Local;

/// <summary>Settings of the local host only (section "LocalHost").</summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    public string Urls { get; set; } = "http://127.0.0.1:7071";

    public int GrpcPort { get; set; } = 7072;

    public int AzuriteBlobPort { get; set; } = 10000;

    public int AzuriteQueuePort { get; set; } = 10001;

    public int AzuriteTablePort { get; set; } = 10002;

    /// <summary>Where Azurite keeps its data; default: .azurite at the repo root (git-ignored).</summary>
    public string? AzuriteLocation { get; set; }

    public bool AzuriteInMemory { get; set; }

    public bool Seed { get; set; } = true;

    /// <summary>The port of the PostgreSQL server the host starts for the map's sql systems that have no connection string.</summary>
    public int PostgresPort { get; set; } = 7073;

    /// <summary>Where that server keeps its data (kept across runs); by default a folder of the machine's temporary folder.</summary>
    public string? PostgresLocation { get; set; }

    /// <summary>How often idle queues are polled (the Azure Storage provider backs off up to this).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long workflow starts wait for a burst of inbound posts to pass before they take the two cores the front door
    /// shares with the engine on one machine (zero: start at once). In Azure, HTTP and Durable triggers scale apart.
    /// </summary>
    public TimeSpan StartsYieldToIntake { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the retention schedule runs locally (hourly in Azure); <c>POST /api/housekeeping/run</c> runs it at once.</summary>
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The workflow version new orchestrations start at and the newest this worker runs (host.json
    /// <c>durableTask.defaultVersion</c> in Azure). Older instances run on; newer ones are left for a newer worker.
    /// Only a rollout drill sets it lower, to stand in for the previous build.
    /// </summary>
    public string WorkflowVersion { get; set; } = JmlDsr.Functions.Workflow.DsrVersions.Current;

    /// <summary>
    /// How often the deadline watchdog runs locally (hourly in Azure); <c>POST /api/watchdog/run</c> runs it at once. The host
    /// tells the console this interval too (<c>Dsr:WatchdogInterval</c>).
    /// </summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Benchmarks only: also register the bare baseline orchestration (<see cref="BenchBaseline"/>).</summary>
    public bool BenchBaseline { get; set; }
}
