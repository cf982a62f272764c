using System.Diagnostics;
using System.Net.Sockets;

namespace JmlDsr.Local;

/// <summary>
/// Starts Azurite (npm package, installed into the repo) unless one is already listening. It serves two accounts
/// (<c>AZURITE_ACCOUNTS</c>): <c>devstoreaccount1</c>, the product's storage (and the demo systems' tables, which stand for
/// JML's own systems), and <c>mailcapture</c>, the local SendGrid's captured mail, which stands for SendGrid and people's
/// mailboxes — the outside world, kept out of the product's account.
/// </summary>
public sealed class AzuriteLauncher : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key of <see cref="AccountName"/>.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The account of the mail capture (DevOutbox and its pending SendGrid events).</summary>
    public const string MailCaptureAccount = "mailcapture";

    /// <summary>A development key for <see cref="MailCaptureAccount"/> (Azurite wants keys in base64).</summary>
    public const string MailCaptureKey = "Sm1sRHNyIGxvY2FsIG1haWwgY2FwdHVyZTogdGhlIG91dHNpZGUgd29ybGQsIG5vdCB0aGUgcHJvZHVjdC4=";

    /// <summary>
    /// Azurite's <c>AZURITE_ACCOUNTS</c> (<c>name:key;name:key</c>, Azurite 3.37): setting it replaces the default account,
    /// so devstoreaccount1 is listed with its well-known key.
    /// </summary>
    public static string AccountsSetting => $"{AccountName}:{AccountKey};{MailCaptureAccount}:{MailCaptureKey}";

    private Process? _process;

    public AzuriteLauncher(int blobPort, int queuePort, int tablePort)
    {
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public bool StartedHere => _process is not null;

    /// <summary>The CPU time Azurite's process has used so far, when it was started here (benchmarks read it).</summary>
    public TimeSpan? ProcessorTime
    {
        get
        {
            _process?.Refresh();
            return _process is { HasExited: false } ? _process.TotalProcessorTime : null;
        }
    }

    /// <summary>The product's account.</summary>
    public string ConnectionString => ConnectionStringFor(AccountName, AccountKey);

    /// <summary>The mail capture's account (path-style URLs, like the product's).</summary>
    public string MailCaptureConnectionString => ConnectionStringFor(MailCaptureAccount, MailCaptureKey);

    /// <summary>
    /// Where the mail capture goes: its own account, or — when an Azurite started elsewhere does not serve that account
    /// (no <c>AZURITE_ACCOUNTS</c>) — the product's, with a warning.
    /// </summary>
    public async Task<string> MailCaptureConnectionAsync(TextWriter log, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (StartedHere)
        {
            return MailCaptureConnectionString;
        }

        try
        {
            await new Azure.Data.Tables.TableServiceClient(MailCaptureConnectionString).GetPropertiesAsync(ct);
            return MailCaptureConnectionString;
        }
        catch (Azure.RequestFailedException)
        {
            await log.WriteLineAsync($"Azurite: the running instance has no '{MailCaptureAccount}' account (start it with AZURITE_ACCOUNTS=\"{AccountName}:<key>;{MailCaptureAccount}:<key>\"); captured mail goes to {AccountName}.");
            return ConnectionString;
        }
    }

    /// <summary>Ensures Azurite answers on the three ports; starts it (and npm ci, if needed) otherwise.</summary>
    public async Task EnsureRunningAsync(string repoRoot, string location, bool inMemory, TextWriter log, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (await IsListeningAsync(BlobPort) && await IsListeningAsync(QueuePort) && await IsListeningAsync(TablePort))
        {
            await log.WriteLineAsync($"Azurite: already listening on 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort}");
            return;
        }

        var script = Path.Combine(repoRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            await log.WriteLineAsync("Azurite: installing with npm ci ...");
            await RunAsync("npm", "ci --no-audit --no-fund", repoRoot, ct);
        }

        var args = new List<string>
        {
            script, "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (inMemory)
        {
            args.Add("--inMemoryPersistence"); // Azurite refuses --location with it
        }
        else
        {
            Directory.CreateDirectory(location);
            args.AddRange(["--location", location]);
        }

        var psi = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        args.ForEach(psi.ArgumentList.Add);
        psi.Environment["AZURITE_ACCOUNTS"] = AccountsSetting;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await IsListeningAsync(BlobPort) && await IsListeningAsync(QueuePort) && await IsListeningAsync(TablePort)))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Azurite did not start on 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort}.");
            }

            await Task.Delay(100, ct);
        }

        await log.WriteLineAsync($"Azurite: started (pid {_process.Id}) on 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort}, data in {location}");
    }

    private string ConnectionStringFor(string account, string key) =>
        $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{account};QueueEndpoint=http://127.0.0.1:{QueuePort}/{account};TableEndpoint=http://127.0.0.1:{TablePort}/{account};";

    public static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromMilliseconds(500));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private static async Task RunAsync(string file, string arguments, string cwd, CancellationToken ct)
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = cwd, UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not run {file}.");
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with exit code {p.ExitCode}.");
        }
    }
}
