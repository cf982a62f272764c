using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Local;

/// <summary>
/// The local demo's databases. For each sql system of the map on PostgreSQL whose connection string is not configured, the
/// host starts a real PostgreSQL server (Debian's <c>postgresql</c>; its data kept across runs in
/// <see cref="LocalHostOptions.PostgresLocation"/>), sets the connection string the map names, and seeds the demo's
/// licences. Without PostgreSQL installed it says so: those systems then do not answer, so a request retries them and
/// tells staff, as for any outage; everything else works.
/// </summary>
public sealed class LocalDatabases : IAsyncDisposable
{
    /// <summary>The demo's licensing database, in config/datamap.local.yaml.</summary>
    public const string DemoLicensing = "licensing-db";

    private readonly PostgresLauncher? _server;

    private LocalDatabases(PostgresLauncher? server) => _server = server;

    public static async Task<LocalDatabases> StartAsync(DataMap map, IConfiguration configuration, LocalHostOptions local, string repoRoot, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(log);
        var wanted = map.Systems.Where(s => s.Connector.Kind == "sql" && s.Connector.Setting("provider") == "postgresql"
            && string.IsNullOrWhiteSpace(configuration[$"ConnectionStrings:{s.Connector.Setting("connection")}"])).ToList();
        if (wanted.Count == 0)
        {
            return new LocalDatabases(null);
        }

        var names = string.Join(", ", wanted.Select(s => s.Name));
        if (!PostgresLauncher.IsInstalled)
        {
            await log.WriteLineAsync($"PostgreSQL is not installed (Debian: apt-get install postgresql), so {names} (the map's sql system) has no database here: requests will find it not answering, retry it and tell staff. Everything else works.");
            return new LocalDatabases(null);
        }

        var folder = local.PostgresLocation ?? Path.Combine(Path.GetTempPath(), "jmldsr-postgres-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(repoRoot)))[..12].ToLowerInvariant());
        var server = new PostgresLauncher(folder, local.PostgresPort, keep: true);
        await server.StartAsync();
        foreach (var s in wanted)
        {
            configuration[$"ConnectionStrings:{s.Connector.Setting("connection")}"] = server.ConnectionString;
        }

        if (local.Seed && wanted.Any(s => s.Id == DemoLicensing))
        {
            await DemoData.SeedLicensingAsync(server.ConnectionString);
        }

        await log.WriteLineAsync($"PostgreSQL for {names}: 127.0.0.1:{server.Port}, data in {server.DataDirectory}.");
        return new LocalDatabases(server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
