using System.Diagnostics;
using System.Globalization;

namespace JmlDsr.Local;

/// <summary>
/// Runs the built local host as a child process on given ports and task hub (benchmarks and drills),
/// against an Azurite that is already running.
/// </summary>
public sealed class LocalHostProcess(string repoRoot, AzuriteLauncher azurite, int port, int grpcPort, string taskHub, string configuration) : IDisposable
{
    private Process? _process;

    public string BaseUrl => $"http://127.0.0.1:{port}";

    public int GrpcPort => grpcPort;

    public string TaskHub => taskHub;

    public Process? Process => _process;

    public async Task StartAsync(HttpClient http, IDictionary<string, string>? extra = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        var dll = Path.Combine(repoRoot, "functions", "JmlDsr.Local", "bin", configuration, "net10.0", "JmlDsr.Local.dll");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = repoRoot, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        var env = psi.Environment;
        env["LocalHost__Urls"] = BaseUrl;
        env["LocalHost__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture);
        env["LocalHost__AzuriteBlobPort"] = azurite.BlobPort.ToString(CultureInfo.InvariantCulture);
        env["LocalHost__AzuriteQueuePort"] = azurite.QueuePort.ToString(CultureInfo.InvariantCulture);
        env["LocalHost__AzuriteTablePort"] = azurite.TablePort.ToString(CultureInfo.InvariantCulture);
        env["DurableTaskHubName"] = taskHub;
        env["Dsr__PublicBaseUrl"] = BaseUrl;
        env["SendGrid__Host"] = BaseUrl;

        // Load runs post thousands of requests from a handful of demo senders: lift the per-sender request limit and the
        // per-address circuit breaker, which would rightly hold them back (the drills test those limits themselves).
        env["Dsr__MaxNewRequestsPerSenderPerDay"] = "10000";
        env["Dsr__MaxEmailsPerAddressPerHour"] = "10000";
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the local host.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("The local host exited during start-up.");
            }

            try
            {
                if ((await http.GetAsync($"{BaseUrl}/api/dev/outbox?to=nobody", ct)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (sw.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException("The local host did not answer within 90 s.");
            }

            await Task.Delay(200, ct);
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
    }
}
