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
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jmldsr-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _bin = FindBin() ?? string.Empty;
    private bool _started;

    public int Port { get; } = FreePort();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=jmldsr;Database=postgres;Pooling=false";

    /// <summary>True when Debian's PostgreSQL server is installed.</summary>
    public static bool IsInstalled => FindBin() is not null;

    private static string? FindBin() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
        : null;

    public async Task StartAsync()
    {
        if (_bin.Length == 0)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (Debian: apt-get install postgresql).");
        }

        Directory.CreateDirectory(_dir);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres", _dir);
        }

        await PgAsync("initdb", "-D", _dir, "-A", "trust", "-U", "jmldsr", "--no-sync", "-E", "UTF8");
        await PgAsync("pg_ctl", "-D", _dir, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off", "start");
        _started = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started)
            {
                await PgAsync("pg_ctl", "-D", _dir, "-m", "immediate", "-w", "stop");
            }
        }
        finally
        {
            if (Directory.Exists(_dir))
            {
                Directory.Delete(_dir, recursive: true);
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
