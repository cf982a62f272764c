using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using JmlDsr.Functions.Configuration;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace JmlDsr.Local.Tests;

/// <summary>
/// Runs the real local host (its built JmlDsr.Local.dll, as a separate process) on free ports, with
/// its own Azurite on a temporary folder and its own task hub. The host can be killed (-9) and
/// started again on the same storage.
/// </summary>
public class LocalHostFixture : IAsyncLifetime
{
    public const string InboundKey = "dev-inbound-key-0123456789abcdef";
    public const string StaffKey = "dev-staff-key-0123456789abcdef";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "jmldsr-tests-" + Guid.NewGuid().ToString("N"));
    private readonly string _taskHub = "T" + Guid.NewGuid().ToString("N")[..12];
    private AzuriteLauncher? _azurite;
    private Process? _host;
    private readonly List<string> _hostLog = [];

    /// <summary>Settings this fixture's host runs with on top of the test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public int Port { get; } = FreePort();

    public int GrpcPort { get; } = FreePort();

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>
    /// A client that behaves like a browser with links: it follows redirects and keeps cookies (an emailed link's token is
    /// swapped for a cookie and a redirect on first GET).
    /// </summary>
    public HttpClient Http { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = true, UseCookies = true, CookieContainer = new CookieContainer() }) { Timeout = TimeSpan.FromSeconds(60) };

    public static string RepoRoot { get; } = FindRepoRoot();

    public virtual async Task InitializeAsync()
    {
        _azurite = new AzuriteLauncher(FreePort(), FreePort(), FreePort());
        await _azurite.EnsureRunningAsync(RepoRoot, Path.Combine(_dataDir, "azurite"), inMemory: false, TextWriter.Null);
        await StartHostAsync();
    }

    public virtual async Task DisposeAsync()
    {
        KillHost();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Http.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public async Task StartHostAsync()
    {
        var configuration = typeof(LocalHostFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepoRoot, "functions", "JmlDsr.Local", "bin", configuration, "net10.0", "JmlDsr.Local.dll");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoRoot, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        var env = psi.Environment;
        env["LocalHost__Urls"] = BaseUrl;
        env["LocalHost__GrpcPort"] = GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["LocalHost__AzuriteBlobPort"] = _azurite!.BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["LocalHost__AzuriteQueuePort"] = _azurite.QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["LocalHost__AzuriteTablePort"] = _azurite.TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["LocalHost__MaxQueuePollingInterval"] = "00:00:00.500";
        env["DurableTaskHubName"] = _taskHub;
        env["Dsr__PublicBaseUrl"] = BaseUrl;
        env["SendGrid__Host"] = BaseUrl;
        env["Dsr__GatherFirstRetry"] = "00:00:00.200";
        env["Dsr__RestrictionLiftNotice"] = "00:00:03";
        env["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (name, value) in Settings)
        {
            env[name] = value;
        }

        _host = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the local host.");
        _host.OutputDataReceived += (_, e) => { lock (_hostLog) { _hostLog.Add(e.Data ?? string.Empty); } };
        _host.ErrorDataReceived += (_, e) => { lock (_hostLog) { _hostLog.Add(e.Data ?? string.Empty); } };
        _host.BeginOutputReadLine();
        _host.BeginErrorReadLine();

        await WaitUntilAsync(async () =>
        {
            if (_host.HasExited)
            {
                throw new InvalidOperationException("The local host exited:\n" + HostLog());
            }

            try
            {
                return (await Http.GetAsync($"{BaseUrl}/api/dev/outbox")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the local host to answer");
    }

    /// <summary>kill -9: no clean shutdown, leases left held, work in flight lost to the process.</summary>
    public void KillHost()
    {
        if (_host is { HasExited: false })
        {
            _host.Kill(entireProcessTree: false);
            _host.WaitForExit();
        }

        _host?.Dispose();
        _host = null;
    }

    public string HostLog()
    {
        lock (_hostLog)
        {
            return string.Join('\n', _hostLog.TakeLast(200));
        }
    }

    /// <summary>The Durable task hub of this host (its tables and queues are named after it).</summary>
    public string TaskHub => _taskHub;

    /// <summary>Everything the host process wrote (stdout and stderr, its log lines included) since it was first started.</summary>
    public string WholeHostLog()
    {
        lock (_hostLog)
        {
            return string.Join('\n', _hostLog);
        }
    }

    /// <summary>The host's Azurite, for tests that use the app's own classes on the same storage: the product's account.</summary>
    public string StorageConnectionString => _azurite!.ConnectionString;

    /// <summary>The mail capture's account in the same Azurite (the local SendGrid's DevOutbox: the outside world).</summary>
    public string MailCaptureConnectionString => _azurite!.MailCaptureConnectionString;

    /// <summary>True when the blob is in the host's Azurite (e.g. a raw inbound post that was refused).</summary>
    public async Task<bool> BlobExistsAsync(string container, string name) =>
        await new Azure.Storage.Blobs.BlobServiceClient(_azurite!.ConnectionString).GetBlobContainerClient(container).GetBlobClient(name).ExistsAsync();

    /// <summary>The rows a demo system (or any table) holds in one partition, straight from the host's Azurite.</summary>
    public async Task<IReadOnlyList<Azure.Data.Tables.TableEntity>> RowsAsync(string table, string partition)
    {
        var client = new Azure.Data.Tables.TableServiceClient(_azurite!.ConnectionString).GetTableClient(table);
        var rows = new List<Azure.Data.Tables.TableEntity>();
        await foreach (var e in client.QueryAsync<Azure.Data.Tables.TableEntity>(x => x.PartitionKey == partition))
        {
            rows.Add(e);
        }

        return rows;
    }

    /// <summary>Signs in to the staff console with this client's cookies; later console GETs are signed in.</summary>
    public async Task SignInToConsoleAsync(string name = "Priya Patel")
    {
        using var response = await Http.PostAsync($"{BaseUrl}/console/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = name, ["key"] = StaffKey, ["returnTo"] = "/console" }));
        Assert.True(response.IsSuccessStatusCode, $"Console sign-in answered {(int)response.StatusCode}.");
    }

    /// <summary>Posts a decision form (a link page's or the console's) with extra fields.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(IDictionary<string, string> fields) =>
        await Http.PostAsync($"{BaseUrl}/api/links", new FormUrlEncodedContent(fields));

    public async Task SetOutageAsync(string system, bool down)
    {
        using var response = await Http.PostAsync($"{BaseUrl}/api/dev/systems/{system}/outage?down={(down ? "true" : "false")}", null);
        response.EnsureSuccessStatusCode();
    }

    public async Task<int> CountRequestsAsync()
    {
        using var response = await Http.SendAsync(Staff(HttpMethod.Get, "/api/requests"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
    }

    public HttpRequestMessage Staff(HttpMethod method, string path)
    {
        var m = new HttpRequestMessage(method, BaseUrl + path);
        m.Headers.Add("x-functions-key", StaffKey);
        return m;
    }

    /// <summary>The app's own services (<c>AddDsrServices</c>) on this host's storage and engine, with a clock of the test's choosing.</summary>
    public ServiceProvider InProcessServices(TimeProvider? time = null)
    {
        var values = LocalSettings.SampleValues(RepoRoot);
        values[JmlDsr.Functions.Configuration.ServiceCollectionExtensions.StorageSetting] = StorageConnectionString;
        values["Dsr:PublicBaseUrl"] = BaseUrl;
        values["SendGrid:Host"] = BaseUrl;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddDsrServices(configuration);
        services.AddDurableTaskClient(c => c.UseGrpc(GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}")));
        return services.BuildServiceProvider();
    }

    public async Task<JsonElement> GetRequestAsync(string reference)
    {
        using var response = await Http.SendAsync(Staff(HttpMethod.Get, $"/api/requests/{reference}"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<IReadOnlyList<JsonElement>> OutboxAsync(string? to = null, string? reference = null)
    {
        var q = $"{BaseUrl}/api/dev/outbox?to={Uri.EscapeDataString(to ?? string.Empty)}&reference={Uri.EscapeDataString(reference ?? string.Empty)}";
        var doc = await Http.GetFromJsonAsync<JsonElement>(q);
        return doc.GetProperty("messages").EnumerateArray().ToList();
    }

    /// <summary>Waits for an email whose subject contains <paramref name="subjectPart"/> and returns it.</summary>
    public async Task<JsonElement> WaitForMailAsync(string reference, string to, string subjectPart, TimeSpan? timeout = null)
    {
        JsonElement found = default;
        await WaitUntilAsync(async () =>
        {
            var mails = await OutboxAsync(to, reference);
            var match = mails.Where(m => m.GetProperty("subject").GetString()!.Contains(subjectPart, StringComparison.Ordinal)).ToList();
            if (match.Count == 0)
            {
                return false;
            }

            found = match[^1];
            return true;
        }, timeout ?? TimeSpan.FromSeconds(60), $"an email to {to} about '{subjectPart}'");
        return found;
    }

    /// <summary>The access response's link to the page with every copy (the email offers the PDF link first, then this one).</summary>
    public static string DownloadLink(JsonElement mail) =>
        Assert.Single(Links(mail), l => l.Contains("/api/exports?token=", StringComparison.Ordinal) && !l.Contains("format=", StringComparison.Ordinal));

    public static IReadOnlyList<string> Links(JsonElement mail) =>
        Regex.Matches(mail.GetProperty("text").GetString()!, @"https?://\S+").Select(m => m.Value).ToList();

    /// <summary>Posts an email to the privacy mailbox (parsed mode) and returns the reference it opened.</summary>
    /// <remarks><paramref name="authenticated"/> false: the mail carries no SPF or DKIM pass, so a customer on our records is asked to confirm by link (Art 12(6)).</remarks>
    public async Task<string> PostRequestAsync(string messageId, string from, string subject, string text, bool authenticated = true)
    {
        using var post = await Http.PostAsync(InboundPost.Url(this), authenticated
            ? InboundPost.Parsed(messageId, from, subject, text)
            : InboundPost.Parsed(messageId, from, subject, text, dkim: "none", spf: "none"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        return (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
    }

    /// <summary>
    /// Gets a request past identity as its requester does: where it was in doubt, the link in the verification email,
    /// pressed; where it was not (the customer wrote from their account address and the mail authenticated, Art 12(6)),
    /// nothing — the product asked for nothing, which the request's recorded identity check must say.
    /// </summary>
    public async Task ConfirmAsync(string reference, string email)
    {
        string? need = null;
        await WaitUntilAsync(async () =>
        {
            var r = await GetRequestAsync(reference);
            need = r.TryGetProperty("identity", out var i) && i.ValueKind == JsonValueKind.Object ? i.GetProperty("need").GetString() : null;
            // A workflow started before version 3 asks everyone to confirm and records no identity check.
            return need == "not-in-doubt" || r.GetProperty("status").GetString() == "awaiting-identity";
        }, TimeSpan.FromSeconds(60), $"{reference}'s identity check");
        if (need == "not-in-doubt")
        {
            return;
        }

        await ConfirmByLinkAsync(reference, email);
    }

    /// <summary>Confirms a request by the link in its verification email (the request must have asked for it).</summary>
    public async Task ConfirmByLinkAsync(string reference, string email)
    {
        var verify = await WaitForMailAsync(reference, email, "Please confirm your request");
        using var confirm = await PressAsync(Assert.Single(Links(verify)), "confirm-identity");
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
    }

    /// <summary>The Durable runtime status of a request's workflow (Running, Completed, …); null when it has none (purged) or the request is gone.</summary>
    public async Task<string?> WorkflowStatusAsync(string reference)
    {
        using var response = await Http.SendAsync(Staff(HttpMethod.Get, $"/api/requests/{reference}"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var r = await response.Content.ReadFromJsonAsync<JsonElement>();
        return r.TryGetProperty("workflow", out var w) && w.ValueKind == JsonValueKind.Object && w.TryGetProperty("runtimeStatus", out var st) ? st.GetString() : null;
    }

    public async Task WaitForStatusAsync(string reference, string status, TimeSpan? timeout = null) =>
        await WaitUntilAsync(async () => (await GetRequestAsync(reference)).GetProperty("status").GetString() == status,
            timeout ?? TimeSpan.FromSeconds(60), $"{reference} to be {status}");

    /// <summary>Opens a link as a browser does: the GET, its redirect (the token leaves the URL for a cookie), the page.</summary>
    public async Task<(HttpStatusCode Status, string Page, Uri Url)> OpenAsync(string link)
    {
        using var response = await Http.GetAsync(link);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.RequestMessage!.RequestUri!);
    }

    /// <summary>
    /// Opens the link and presses the page's button for <paramref name="action"/>: the form's token (in its body) and action.
    /// A link whose page offers no such button (forged, expired, used) is posted with its own token, so the POST's refusal is
    /// what the caller sees.
    /// </summary>
    public async Task<HttpResponseMessage> PressAsync(string link, string action, string? reason = null)
    {
        var (_, page, _) = await OpenAsync(link);
        var offered = Regex.Match(page, $"<form method=\"post\" action=\"/api/links\"><input type=\"hidden\" name=\"token\" value=\"([^\"]+)\"( /)?><input type=\"hidden\" name=\"action\" value=\"{Regex.Escape(action)}\"( /)?>");
        var token = offered.Success ? WebUtility.HtmlDecode(offered.Groups[1].Value) : Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var form = new Dictionary<string, string> { ["token"] = token, ["action"] = action };
        if (reason is not null)
        {
            form["reason"] = reason;
        }

        return await Http.PostAsync($"{BaseUrl}/api/links", new FormUrlEncodedContent(form));
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting for {what}.\nHost log:\n{HostLog()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The signed token of the console's form for <paramref name="action"/> on a request page.</summary>
    public static string ConsoleToken(string page, string action)
    {
        var m = Regex.Match(page, $"name=\"token\" value=\"([^\"]+)\"( /)?><input type=\"hidden\" name=\"action\" value=\"{action}\"");
        Assert.True(m.Success, $"The console offers no {action} action.");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    /// <summary>A free port, never one this test run handed out before (the system can offer the same free port twice in a row).</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            var port = ((IPEndPoint)l.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JmlDsr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("JmlDsr.sln not found above the test output.");
    }

    // The deadline watchdog (issue 15).

    /// <summary>Runs the deadline watchdog now (<c>POST /api/watchdog/run</c>) and returns its report.</summary>
    public async Task<JsonElement> RunWatchdogAsync()
    {
        using var response = await Http.SendAsync(Staff(HttpMethod.Post, "/api/watchdog/run"));
        Assert.True(response.IsSuccessStatusCode, $"POST /api/watchdog/run answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Whether the host process has exited (or was never started, or was killed).</summary>
    public bool HostExited => _host is not { HasExited: false };

    /// <summary>
    /// A storage outage: stops the host's Azurite while the host keeps running. Azurite is asked to stop first (SIGTERM):
    /// it stops listening at once and saves its LokiJS metadata on close, so, like real Azure Storage, it keeps every write
    /// it acknowledged (a bare kill -9 loses up to its 5-second autosave interval of them). It does not exit by itself while
    /// a client holds a connection, so it is killed a few seconds after its ports closed.
    /// </summary>
    /// <returns>How long Azurite took to stop listening after it was asked.</returns>
    public async Task<TimeSpan> StopStorageAsync()
    {
        var launcher = _azurite ?? throw new InvalidOperationException("Azurite is not running.");
        var process = typeof(AzuriteLauncher).GetField("_process", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(launcher) as Process
            ?? throw new InvalidOperationException("The fixture's Azurite was not started by AzuriteLauncher (no process to stop).");
        var asked = Stopwatch.StartNew();
        if (!OperatingSystem.IsWindows() && !process.HasExited)
        {
            using var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
                ?? throw new InvalidOperationException("Could not run kill.");
            await term.WaitForExitAsync();
            await WaitUntilAsync(async () => process.HasExited || !(await AzuriteLauncher.IsListeningAsync(launcher.BlobPort) || await AzuriteLauncher.IsListeningAsync(launcher.QueuePort)
                || await AzuriteLauncher.IsListeningAsync(launcher.TablePort)), TimeSpan.FromSeconds(30), "Azurite to stop listening");
        }

        var closed = asked.Elapsed;
        using (var saved = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await process.WaitForExitAsync(saved.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await launcher.DisposeAsync(); // kills it if it is still there
        _stoppedStorage = launcher;
        _azurite = null;
        await WaitUntilAsync(async () => !await AzuriteLauncher.IsListeningAsync(launcher.BlobPort) && !await AzuriteLauncher.IsListeningAsync(launcher.QueuePort)
            && !await AzuriteLauncher.IsListeningAsync(launcher.TablePort), TimeSpan.FromSeconds(30), "Azurite's ports to close");
        return closed;
    }

    /// <summary>Starts the host's Azurite again after <see cref="StopStorageAsync"/>: the same ports, the same folder, its data as it left it.</summary>
    public async Task StartStorageAsync()
    {
        var stopped = _stoppedStorage ?? throw new InvalidOperationException("Storage was not stopped.");
        if (await AzuriteLauncher.IsListeningAsync(stopped.BlobPort) || await AzuriteLauncher.IsListeningAsync(stopped.QueuePort) || await AzuriteLauncher.IsListeningAsync(stopped.TablePort))
        {
            throw new InvalidOperationException($"Something else is listening on Azurite's ports {stopped.BlobPort}/{stopped.QueuePort}/{stopped.TablePort}.");
        }

        var azurite = new AzuriteLauncher(stopped.BlobPort, stopped.QueuePort, stopped.TablePort);
        await azurite.EnsureRunningAsync(RepoRoot, Path.Combine(_dataDir, "azurite"), inMemory: false, TextWriter.Null);
        _azurite = azurite;
        _stoppedStorage = null;
    }

    private AzuriteLauncher? _stoppedStorage;
}

/// <summary>
/// A host for load drills: a hundred requests from four demo customers would rightly trip the per-sender request limit
/// and the per-address circuit breaker, so those are lifted here (the set-aside tests check the limits themselves).
/// </summary>
public sealed class LoadDrillFixture : LocalHostFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Dsr__MaxNewRequestsPerSenderPerDay"] = "10000",
        ["Dsr__MaxEmailsPerAddressPerHour"] = "10000",
    };
}
