using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace JmlDsr.Local;

/// <summary>
/// A real PostgreSQL server (Debian's <c>postgresql</c> package) in a throw-away folder on a free port: the local stand-in of a
/// JML database a <c>sql</c> system reaches, started by the tests (and the local host) and stopped after them. As root (CI),
/// the cluster belongs to the <c>postgres</c> user, as the server insists.
/// </summary>
public sealed class PostgresLauncher : IAsyncDisposable
{
    private readonly string _dir;
    private readonly bool _keep;
    private readonly string _bin = FindBin() ?? string.Empty;
    private bool _started;

    /// <summary>A throw-away cluster on a free port (the tests').</summary>
    public PostgresLauncher()
        : this(Path.Combine(Path.GetTempPath(), "jmldsr-pg-" + Guid.NewGuid().ToString("N")[..12]), FreePort(), keep: false)
    {
    }

    /// <summary>A cluster in <paramref name="dir"/> on <paramref name="port"/>; kept, with its data, when <paramref name="keep"/> (the local demo's).</summary>
    public PostgresLauncher(string dir, int port, bool keep)
    {
        _dir = dir;
        Port = port;
        _keep = keep;
    }

    public int Port { get; }

    /// <summary>Where the cluster's files are.</summary>
    public string DataDirectory => _dir;

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=jmldsr;Database=postgres;Pooling=false";

    /// <summary>True when Debian's PostgreSQL server is installed.</summary>
    public static bool IsInstalled => FindBin() is not null;

    private static string? FindBin() => System.IO.Directory.Exists("/usr/lib/postgresql")
        ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
        : null;

    /// <summary>The connection string of one of its databases.</summary>
    public string ConnectionStringFor(string database) => $"Host=127.0.0.1;Port={Port};Username=jmldsr;Database={database};Pooling=false";

    public async Task StartAsync()
    {
        if (_bin.Length == 0)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (Debian: apt-get install postgresql).");
        }

        var fresh = !File.Exists(Path.Combine(_dir, "PG_VERSION"));
        if (fresh)
        {
            System.IO.Directory.CreateDirectory(_dir);
            if (Environment.UserName == "root")
            {
                await RunAsync("chown", "postgres", _dir);
            }

            await PgAsync("initdb", "-D", _dir, "-A", "trust", "-U", "jmldsr", "--no-sync", "-E", "UTF8");
        }
        else if (File.Exists(Path.Combine(_dir, "postmaster.pid")))
        {
            // A server left running (a host killed before it could stop it): stopped first, so it starts on this port.
            await TryPgAsync("pg_ctl", "-D", _dir, "-m", "fast", "-w", "stop");
        }

        await PgAsync("pg_ctl", "-D", _dir, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1" + (_keep ? string.Empty : " -c fsync=off -c synchronous_commit=off"), "start");
        _started = true;
    }

    private async Task TryPgAsync(string tool, params string[] args)
    {
        try
        {
            await PgAsync(tool, args);
        }
        catch (InvalidOperationException)
        {
            // Nothing to stop: its pid file outlived it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started)
            {
                await PgAsync("pg_ctl", "-D", _dir, "-m", _keep ? "fast" : "immediate", "-w", "stop");
            }
        }
        finally
        {
            if (!_keep && System.IO.Directory.Exists(_dir))
            {
                System.IO.Directory.Delete(_dir, recursive: true);
            }
        }
    }

    private Task PgAsync(string tool, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
