using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>
/// The storage outage drill's host: twenty requests from five demo customers would trip the per-sender limit and the
/// privacy team's hourly mail limit, so both are lifted (the set-aside tests check the limits themselves).
/// </summary>
public sealed class StorageOutageFixture : LocalHostFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Dsr__MaxNewRequestsPerSenderPerDay"] = "10000",
        ["Dsr__MaxEmailsPerAddressPerHour"] = "10000",
    };
}

/// <summary>
/// Issue 15, drill 6(a): Azurite stops for three minutes while twenty requests are in flight at different steps (waiting
/// for the requester, searching, waiting for a decision, carrying one out), and people keep pressing links meanwhile. When
/// it is back: every request completes or waits visibly (a waiting status, or <c>attention</c> set), none is lost (each is
/// listed and its workflow runs or completed), every due date is still watched (the watchdog, when the host has it), and
/// every request can be driven to its answer.
/// </summary>
[Trait("Category", "Drill")]
public sealed class StorageOutageDrillTests(StorageOutageFixture host, ITestOutputHelper output) : IClassFixture<StorageOutageFixture>
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private const string NewPhone = "020 7946 0999";
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan HardLimit = TimeSpan.FromMinutes(12);

    /// <summary>How long the drive waits with no request moving before it gives up (an engine retry is 30 s; an automatic retry of a step may be longer).</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(90);

    /// <summary>Statuses in which a request rests: answered or closed, or waiting for a person (requester or staff).</summary>
    private static readonly HashSet<string> Resting =
    [
        "completed", "rejected", "closed-unverified", "refused", "closed-no-clarification", "restricted", "restriction-lift-pending",
        "closed-fee-unpaid", "awaiting-identity", "awaiting-approval", "awaiting-clarification", "awaiting-fee", "needs-triage",
        "gathering-failed", // waiting for staff to retry the search: the alert says so
    ];

    private enum Stage
    {
        AwaitingIdentity,
        Gathering,
        AwaitingApproval,
        Fulfilling,
    }

    private sealed record Planned(Stage Stage, string Type, string Name, string Email);

    private sealed class Tracked(Planned plan, string reference)
    {
        public Planned Plan { get; } = plan;

        public string Reference { get; } = reference;

        public string? StatusAtStop { get; set; }

        public string? LastStatus { get; set; }

        public bool HadAttention { get; set; }

        public string Final => Plan.Type == "restriction" ? "restricted" : "completed";
    }

    /// <summary>Twenty requests: four waiting for the requester, three searching, five waiting for a decision, eight being carried out.</summary>
    private static readonly Planned[] Plan =
    [
        new(Stage.AwaitingIdentity, "access", "Carol White", "carol.white@example.net"),
        new(Stage.AwaitingIdentity, "erasure", "Alice Smith", "alice.smith@example.com"),
        new(Stage.AwaitingIdentity, "rectification", "Bob Jones", "bob.jones@example.org"),
        new(Stage.AwaitingIdentity, "restriction", "Dan Brown", "dan.brown@example.co.uk"),
        new(Stage.Gathering, "access", "Erin Green", "erin.green@example.com"),
        new(Stage.Gathering, "erasure", "Alice Smith", "alice.smith@example.com"),
        new(Stage.Gathering, "restriction", "Dan Brown", "dan.brown@example.co.uk"),
        new(Stage.AwaitingApproval, "access", "Carol White", "carol.white@example.net"),
        new(Stage.AwaitingApproval, "access", "Erin Green", "erin.green@example.com"),
        new(Stage.AwaitingApproval, "rectification", "Bob Jones", "bob.jones@example.org"),
        new(Stage.AwaitingApproval, "restriction", "Dan Brown", "dan.brown@example.co.uk"),
        new(Stage.AwaitingApproval, "erasure", "Alice Smith", "alice.smith@example.com"),
        new(Stage.Fulfilling, "access", "Carol White", "carol.white@example.net"),
        new(Stage.Fulfilling, "access", "Erin Green", "erin.green@example.com"),
        new(Stage.Fulfilling, "access", "Carol White", "carol.white@example.net"),
        new(Stage.Fulfilling, "erasure", "Alice Smith", "alice.smith@example.com"),
        new(Stage.Fulfilling, "rectification", "Bob Jones", "bob.jones@example.org"),
        new(Stage.Fulfilling, "rectification", "Bob Jones", "bob.jones@example.org"),
        new(Stage.Fulfilling, "restriction", "Dan Brown", "dan.brown@example.co.uk"),
        new(Stage.Fulfilling, "restriction", "Dan Brown", "dan.brown@example.co.uk"),
    ];

    private readonly Stopwatch _drill = Stopwatch.StartNew();
    private readonly List<string> _problems = [];

    [Fact(Timeout = 13 * 60 * 1000)] // a backstop: the drill itself keeps within HardLimit and reports what it saw
    public async Task StorageDown3Minutes_20RequestsInFlight_EveryRequestCompletesOrWaitsVisibly_NoneLost_DueDatesWatched()
    {
        // 1. Twenty requests, driven to their steps.
        var requests = new List<Tracked>();
        for (var i = 0; i < Plan.Length; i++)
        {
            var p = Plan[i];
            var (subject, text) = Wording(p.Type);
            var reference = await host.PostRequestAsync($"outage-{i}@mail.example", $"{p.Name} <{p.Email}>", subject, text, authenticated: false);
            Assert.Equal(p.Type, (await host.GetRequestAsync(reference)).GetProperty("type").GetString());
            requests.Add(new Tracked(p, reference));
        }

        await Task.WhenAll(requests.Where(r => r.Plan.Stage is Stage.AwaitingApproval or Stage.Fulfilling).Select(r => host.ConfirmAsync(r.Reference, r.Plan.Email)));
        await Task.WhenAll(requests.Where(r => r.Plan.Stage is Stage.AwaitingApproval or Stage.Fulfilling)
            .Select(r => host.WaitForStatusAsync(r.Reference, "awaiting-approval", Budget(TimeSpan.FromSeconds(90)))));

        // What people will press while storage is down: pages opened before it went (the staff member had the page open).
        var lateConfirm = requests.First(r => r.Plan.Stage == Stage.AwaitingIdentity);
        var lateApproval = requests.First(r => r.Plan.Stage == Stage.AwaitingApproval);
        var confirmForm = await FormAsync(await LinkAsync(lateConfirm, "Please confirm your request", lateConfirm.Plan.Email), "confirm-identity", lateConfirm.Plan.Type);
        var approvalForm = await FormAsync(await LinkAsync(lateApproval, "Decision needed", Privacy), "approve", lateApproval.Plan.Type);

        // The last steps before the outage: the approvals to carry out, the confirmations whose search starts.
        var approvals = new List<(Tracked Request, Dictionary<string, string> Form)>();
        foreach (var r in requests.Where(r => r.Plan.Stage == Stage.Fulfilling))
        {
            approvals.Add((r, await FormAsync(await LinkAsync(r, "Decision needed", Privacy), "approve", r.Plan.Type)));
        }

        var confirms = new List<(Tracked Request, Dictionary<string, string> Form)>();
        foreach (var r in requests.Where(r => r.Plan.Stage == Stage.Gathering))
        {
            confirms.Add((r, await FormAsync(await LinkAsync(r, "Please confirm your request", r.Plan.Email), "confirm-identity", r.Plan.Type)));
        }

        await Task.WhenAll(approvals.Concat(confirms).Select(async a =>
        {
            using var response = await host.PostFormAsync(a.Form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }));

        // 2. Storage goes, as soon as the approved requests are being carried out.
        var atStop = await ListAsync();
        var fulfilling = requests.Where(r => r.Plan.Stage == Stage.Fulfilling).Select(r => r.Reference).ToList();
        var pressedAt = Stopwatch.StartNew();
        while (!fulfilling.Any(f => atStop[f] == "fulfilling") && pressedAt.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
            atStop = await ListAsync();
        }

        foreach (var r in requests)
        {
            r.StatusAtStop = atStop.GetValueOrDefault(r.Reference, "(not listed)");
        }

        var mailsBefore = (await host.OutboxAsync()).Count;
        var down = Stopwatch.StartNew();
        var closed = await host.StopStorageAsync();
        output.WriteLine($"Storage stopped listening {closed.TotalSeconds:0.0} s after it was asked, {_drill.Elapsed.TotalSeconds:0} s into the drill; {mailsBefore} emails sent before.");
        output.WriteLine("In flight when storage stopped, by planned step and status: " + string.Join("; ",
            requests.GroupBy(r => r.Plan.Stage).Select(g => $"{g.Key} {g.Count()} ({string.Join(", ", g.GroupBy(r => r.StatusAtStop).Select(s => $"{s.Count()} {s.Key}"))})")));

        TimeSpan? hostExitedAt = null;
        var hostWatch = Task.Run(async () =>
        {
            while (down.Elapsed < Outage && hostExitedAt is null)
            {
                hostExitedAt = host.HostExited ? down.Elapsed : null;
                await Task.Delay(250);
            }
        });

        // 3. During the outage people act: the host must answer at once with a clear error, and nothing must be lost.
        await Task.Delay(TimeSpan.FromSeconds(20)); // let the host's storage connections notice
        var confirmDuring = await ActDuringOutageAsync($"POST /api/links confirm-identity ({lateConfirm.Reference})", () => host.PostFormAsync(confirmForm));
        var approvalDuring = await ActDuringOutageAsync($"POST /api/links approve ({lateApproval.Reference})", () => host.PostFormAsync(approvalForm));
        await ActDuringOutageAsync($"GET /api/requests/{lateApproval.Reference}", () => host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{lateApproval.Reference}")));
        await ActDuringOutageAsync("GET /api/requests", () => host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests")));
        // The outage itself is the drill: a real three minutes.
        var rest = Outage - down.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        await hostWatch;
        var exited = host.HostExited;
        if (exited)
        {
            _problems.Add($"The host process exited during the outage, {Seconds(hostExitedAt)} after storage stopped (it is started again once storage is back, to go on with the drill). Its last lines:\n"
                + string.Join('\n', host.HostLog().Split('\n').TakeLast(40)));
        }

        // 4. Storage is back.
        await host.StartStorageAsync();
        var back = Stopwatch.StartNew();
        output.WriteLine($"Storage back after {down.Elapsed.TotalSeconds:0} s down.");
        if (exited)
        {
            await host.StartHostAsync();
            output.WriteLine($"The host, which had exited during the outage, answers again {back.Elapsed.TotalSeconds:0.0} s after storage came back.");
        }

        TimeSpan? answering = null, firstMail = null, settled = null;
        await TryWaitAsync(async () =>
        {
            answering ??= await ListOrNullAsync() is not null ? back.Elapsed : null;
            return answering is not null;
        }, TimeSpan.FromSeconds(120), "the host to answer GET /api/requests again");
        await TryWaitAsync(async () =>
        {
            firstMail ??= (await OutboxOrNullAsync())?.Count > mailsBefore ? back.Elapsed : null;
            return firstMail is not null;
        }, TimeSpan.FromSeconds(120), "the first email after the outage");

        // Every request completes or waits visibly: nothing left in a working step with no one looking at it.
        var unsettled = new List<string>();
        var settledNow = await TryWaitAsync(async () =>
        {
            unsettled = [];
            foreach (var r in requests)
            {
                var (status, attention) = await StatusOrNullAsync(r.Reference);
                r.LastStatus = status ?? r.LastStatus;
                r.HadAttention |= attention is not null || status == "gathering-failed";
                // A confirmation or approval accepted just before the outage (200, link spent) must have been taken since.
                var clickLost = attention is null && ((r.Plan.Stage == Stage.Gathering && status == "awaiting-identity") || (r.Plan.Stage == Stage.Fulfilling && status == "awaiting-approval"));
                if (status is null || (!Resting.Contains(status) && attention is null) || clickLost)
                {
                    unsettled.Add($"{r.Reference} ({r.Plan.Type}, {status ?? "no answer"}{(clickLost ? ", its " + (r.Plan.Stage == Stage.Gathering ? "confirmation" : "approval") + " accepted before the outage not taken" : string.Empty)})");
                }
            }

            if (unsettled.Count > 0)
            {
                await Task.Delay(500);
            }

            return unsettled.Count == 0;
        }, TimeSpan.FromMinutes(3), "every request to complete or wait visibly");
        settled = settledNow ? back.Elapsed : null;
        if (!settledNow)
        {
            _problems.Add($"Neither done nor visibly waiting {back.Elapsed.TotalSeconds:0} s after storage came back (a working step with no attention set, or a click accepted before the outage not taken): {string.Join(", ", unsettled)}.");
        }

        output.WriteLine($"Recovery: the host answered {Seconds(answering)} after storage came back, sent its first email after {Seconds(firstMail)}, every request at rest or visibly waiting after {Seconds(settled)}.");

        // None is lost: each one listed, its workflow running or completed.
        var listed = await ListAsync();
        foreach (var r in requests)
        {
            if (!listed.ContainsKey(r.Reference))
            {
                _problems.Add($"{r.Reference} is not listed by GET /api/requests after the outage.");
            }

            await CheckWorkflowAsync(r, "after the outage");
        }

        output.WriteLine("After the outage: " + string.Join("; ", requests.GroupBy(r => $"{r.StatusAtStop} -> {r.LastStatus}").Select(g => $"{g.Count()} {g.Key}")));

        // The clicks made during the outage were refused cleanly (the link still works) or taken (the request moved on).
        await CheckClickAsync(confirmDuring, confirmForm, lateConfirm, "awaiting-identity");
        await CheckClickAsync(approvalDuring, approvalForm, lateApproval, "awaiting-approval");

        // Every due date is still watched.
        await CheckWatchdogAsync("after the outage");

        // 5. Everyone carries on: requesters confirm, staff decide and retry what waits for them; all reach their answer.
        var drive = Stopwatch.StartNew();
        var done = await DriveAsync(requests, drive, TimeSpan.FromMinutes(3));
        if (!done)
        {
            var stuck = requests.Where(r => r.LastStatus != r.Final).ToList();
            _problems.Add("Not every request reached its answer after the outage: " + string.Join(", ",
                stuck.Select(r => $"{r.Reference} ({r.Plan.Type}, at the stop {r.StatusAtStop}, now {r.LastStatus}, expected {r.Final})")));
            foreach (var r in stuck)
            {
                output.WriteLine(await DiagnoseAsync(r));
            }

            // Not part of the pass mark (the problem above stands): does a restart of the host move them? That tells lost work in
            // storage from work the running engine holds and never picks up again.
            host.KillHost();
            await host.StartHostAsync();
            var restarted = Stopwatch.StartNew();
            var afterRestart = await DriveAsync(requests, restarted, TimeSpan.FromSeconds(90));
            output.WriteLine($"Diagnosis: after a restart of the host, {(afterRestart ? "every request reached its answer" : "still not every request reached its answer")} within {restarted.Elapsed.TotalSeconds:0} s: "
                + string.Join(", ", stuck.Select(r => $"{r.Reference} {r.LastStatus}")));
        }

        foreach (var r in requests)
        {
            await CheckWorkflowAsync(r, "at the end");
        }

        await CheckWatchdogAsync("at the end");

        // 6. The figures.
        var outbox = await host.OutboxAsync();
        var staffMails = outbox.Where(m => m.GetProperty("to").GetString()!.EndsWith("@jmlsoftware.co.uk", StringComparison.OrdinalIgnoreCase)).ToList();
        var alerts = staffMails.Where(m => m.GetProperty("subject").GetString() is { } s
            && (s.Contains("failed", StringComparison.OrdinalIgnoreCase) || s.Contains("attention", StringComparison.OrdinalIgnoreCase))).ToList();
        var searchAlerts = staffMails.Count(m => m.GetProperty("subject").GetString()!.Contains("could not be searched", StringComparison.Ordinal));
        var overdue = staffMails.Count(m => m.GetProperty("subject").GetString()!.Contains("OVERDUE", StringComparison.Ordinal));
        output.WriteLine($"Figures: {requests.Count} requests; in flight at the stop: {string.Join(", ", requests.GroupBy(r => r.StatusAtStop).Select(g => $"{g.Count()} {g.Key}"))}.");
        output.WriteLine($"  time to recover (storage back -> every request at rest or visibly waiting): {Seconds(settled)}; host answering after {Seconds(answering)}, first email after {Seconds(firstMail)}.");
        output.WriteLine($"  driven to their answers in {drive.Elapsed.TotalSeconds:0} s; {requests.Count(r => r.LastStatus == r.Final)} of {requests.Count} reached it.");
        output.WriteLine($"  ended with attention set (or waiting for a search retry) at some point: {requests.Count(r => r.HadAttention)} ({string.Join(", ", requests.Where(r => r.HadAttention).Select(r => r.Reference))}).");
        output.WriteLine($"  alerts sent (staff mails with \"failed\"/\"attention\" in the subject): {alerts.Count}; of them \"could not be searched\": {searchAlerts}; OVERDUE escalations: {overdue}.");
        foreach (var a in alerts)
        {
            output.WriteLine($"    alert: {a.GetProperty("subject").GetString()}");
        }

        output.WriteLine($"  drill time: {_drill.Elapsed.TotalSeconds:0} s.");
        ReportHostLog();

        Assert.True(_problems.Count == 0, $"The storage outage drill found {_problems.Count} problem(s):\n- " + string.Join("\n- ", _problems));
    }

    /// <summary>
    /// Plays everyone's part until every request has its answer: the requester confirms, staff approve (a rectification's
    /// phone number), and press the retry link of an alert when a step waits for them. Each email's link is pressed once.
    /// Gives up after <paramref name="timeout"/>, or once no request has moved for <see cref="Stall"/>.
    /// </summary>
    private async Task<bool> DriveAsync(List<Tracked> requests, Stopwatch drive, TimeSpan timeout)
    {
        var pressed = new HashSet<string>(StringComparer.Ordinal);
        var seen = string.Empty;
        var moved = Stopwatch.StartNew();
        var stalled = false;
        var done = await TryWaitAsync(async () =>
        {
            var now = string.Join(',', requests.Select(r => r.LastStatus));
            if (now != seen)
            {
                seen = now;
                moved.Restart();
            }
            else if (moved.Elapsed > Stall)
            {
                stalled = true;
                return true;
            }

            var mails = await OutboxOrNullAsync();
            if (mails is null)
            {
                return false;
            }

            var allDone = true;
            foreach (var r in requests)
            {
                var (status, attention) = await StatusOrNullAsync(r.Reference);
                if (status is null)
                {
                    allDone = false;
                    continue;
                }

                r.LastStatus = status;
                r.HadAttention |= attention is not null || status == "gathering-failed";
                if (status == r.Final)
                {
                    continue;
                }

                allDone = false;
                var mine = mails.Where(m => m.GetProperty("reference").GetString() == r.Reference).ToList();
                JsonElement? mail = status switch
                {
                    "awaiting-identity" => mine.LastOrDefault(m => m.GetProperty("subject").GetString()!.StartsWith("Please confirm", StringComparison.Ordinal)),
                    "awaiting-approval" when attention is null => mine.LastOrDefault(m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal)),
                    _ when attention is not null || status == "gathering-failed" => mine.LastOrDefault(m => LocalHostFixture.Links(m).Any(l => LinkAction(l)?.StartsWith("retry", StringComparison.Ordinal) == true)),
                    _ => null,
                };
                if (mail is not { ValueKind: JsonValueKind.Object } m || !pressed.Add(m.GetProperty("id").GetString()!))
                {
                    continue;
                }

                var link = LocalHostFixture.Links(m).First(l => LinkAction(l) is { } a && (status == "awaiting-identity" ? a == "confirm-identity" : status == "awaiting-approval" && attention is null ? a == "approve" : a.StartsWith("retry", StringComparison.Ordinal)));
                var action = LinkAction(link)!;
                var what = $"{drive.Elapsed.TotalSeconds,5:0.0} s: {r.Reference} ({r.Plan.Type}, {status}{(attention is null ? string.Empty : ", attention: " + attention)})";
                try
                {
                    if (await FormOrNullAsync(link, action, r.Plan.Type) is not { } form)
                    {
                        output.WriteLine($"{what}: its newest {action} link offers no button (already used); nothing to press.");
                        continue;
                    }

                    using var response = await host.PostFormAsync(form);
                    output.WriteLine($"{what} pressed {action}: {(int)response.StatusCode}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    pressed.Remove(m.GetProperty("id").GetString()!);
                }
            }

            await Task.Delay(500); // twenty requests read each round: leave the two cores to the host
            return allDone;
        }, timeout, "every request to reach its answer");
        if (stalled)
        {
            output.WriteLine($"{drive.Elapsed.TotalSeconds,5:0.0} s: no request moved for {Stall.TotalSeconds:0} s; giving up.");
        }

        return done && !stalled;
    }

    /// <summary>
    /// Where a request that did not reach its answer stands in the engine: its Durable instance row, the tail of its history
    /// (the last events the workflow committed) and the task hub's queues, read from storage directly.
    /// </summary>
    private async Task<string> DiagnoseAsync(Tracked r)
    {
        var text = new StringBuilder($"Diagnosis of {r.Reference} ({r.Plan.Type}, at the stop {r.StatusAtStop}, now {r.LastStatus}):");
        try
        {
            var tables = new Azure.Data.Tables.TableServiceClient(host.StorageConnectionString);
            await foreach (var row in tables.GetTableClient(host.TaskHub + "Instances").QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == r.Reference))
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  instance: {row.GetString("RuntimeStatus")}, last updated {row.GetDateTimeOffset("LastUpdatedTime"):HH:mm:ss}, custom status {row.GetString("CustomStatus")}");
            }

            var history = new List<Azure.Data.Tables.TableEntity>();
            await foreach (var row in tables.GetTableClient(host.TaskHub + "History").QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == r.Reference))
            {
                history.Add(row);
            }

            text.Append(CultureInfo.InvariantCulture, $"\n  history: {history.Count} events; the last ones:");
            foreach (var e in history.Where(e => e.RowKey != "sentinel").TakeLast(10))
            {
                text.Append(CultureInfo.InvariantCulture, $"\n    {e.RowKey} {e.GetString("EventType")} {e.GetString("Name")} {e.GetDateTimeOffset("_Timestamp") ?? e.Timestamp:HH:mm:ss.fff}");
            }

            var queues = new Azure.Storage.Queues.QueueServiceClient(host.StorageConnectionString);
            await foreach (var q in queues.GetQueuesAsync(prefix: host.TaskHub.ToLowerInvariant()))
            {
                var props = await queues.GetQueueClient(q.Name).GetPropertiesAsync();
                text.Append(CultureInfo.InvariantCulture, $"\n  queue {q.Name}: about {props.Value.ApproximateMessagesCount} message(s)");
            }
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or InvalidOperationException)
        {
            text.Append("\n  (could not read the task hub: ").Append(e.Message).Append(')');
        }

        return text.ToString();
    }

    private static (string Subject, string Text) Wording(string type) => type switch
    {
        "access" => ("Subject access request", "Please send me a copy of all the personal data you hold about me."),
        "erasure" => ("Right to erasure", "Please delete all my personal data. I no longer want to be your customer."),
        "rectification" => ("My details are wrong", $"Hello, my phone number is wrong: it should be {NewPhone}."),
        "restriction" => ("Restriction of processing", "Please restrict the processing of my personal data while you check the accuracy of my address."),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>What is left of <see cref="HardLimit"/>, at most <paramref name="wanted"/>.</summary>
    private TimeSpan Budget(TimeSpan wanted)
    {
        var left = HardLimit - _drill.Elapsed;
        return left < wanted ? (left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1)) : wanted;
    }

    private async Task<bool> TryWaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        try
        {
            await host.WaitUntilAsync(async () =>
            {
                try
                {
                    return await condition();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
                {
                    return false;
                }
            }, Budget(timeout), what);
            return true;
        }
        catch (TimeoutException)
        {
            output.WriteLine($"Timed out waiting for {what} ({Budget(timeout).TotalSeconds:0} s).");
            return false;
        }
    }

    private static string Seconds(TimeSpan? t) => t is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.TotalSeconds:0.0} s") : "never";

    /// <summary>The newest link in the request's email to <paramref name="to"/> whose subject has <paramref name="subjectPart"/>.</summary>
    private async Task<string> LinkAsync(Tracked r, string subjectPart, string to) =>
        LocalHostFixture.Links(await host.WaitForMailAsync(r.Reference, to, subjectPart, Budget(TimeSpan.FromSeconds(60))))[0];

    /// <summary>
    /// Opens a link's page as a browser does and returns what its button for <paramref name="action"/> posts; for a
    /// rectification's approval, the phone number corrected.
    /// </summary>
    private async Task<Dictionary<string, string>> FormAsync(string link, string action, string type) =>
        await FormOrNullAsync(link, action, type) ?? throw new InvalidOperationException($"The page of a {action} link offers no such button.");

    /// <summary>As <see cref="FormAsync"/>; null when the page offers no such button (the link was used).</summary>
    private async Task<Dictionary<string, string>?> FormOrNullAsync(string link, string action, string type)
    {
        var (_, page, _) = await host.OpenAsync(link);
        var offered = Regex.Match(page, $"<form method=\"post\" action=\"/api/links\"><input type=\"hidden\" name=\"token\" value=\"([^\"]+)\"( /)?><input type=\"hidden\" name=\"action\" value=\"{Regex.Escape(action)}\"( /)?>");
        if (!offered.Success)
        {
            return null;
        }

        var form = new Dictionary<string, string> { ["token"] = WebUtility.HtmlDecode(offered.Groups[1].Value), ["action"] = action };
        if (action == "approve" && type == "rectification")
        {
            var phone = Regex.Match(page, "name=\"field_(\\d+)\" value=\"Phone\"");
            if (!phone.Success)
            {
                throw new InvalidOperationException("The rectification's approval page offers no change for Phone.");
            }

            var i = phone.Groups[1].Value;
            form[$"field_{i}"] = "Phone";
            form[$"decision_{i}"] = "apply";
            form[$"value_{i}"] = NewPhone;
        }

        return form;
    }

    /// <summary>The action a link's token allows (its claims are readable; only the signature makes them binding).</summary>
    private static string? LinkAction(string link)
    {
        var at = link.IndexOf("token=", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        try
        {
            var body = Uri.UnescapeDataString(link[(at + 6)..]).Split('.')[0].Replace('-', '+').Replace('_', '/');
            body += new string('=', (4 - (body.Length % 4)) % 4);
            using var doc = JsonDocument.Parse(Convert.FromBase64String(body));
            return doc.RootElement.GetProperty("a")[0].GetString();
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private sealed record OutageAnswer(string What, int? Status, string? ContentType, TimeSpan Took, string Body);

    /// <summary>Does something while storage is down and records how the host answered: it must answer (not hang) with a 5xx problem.</summary>
    private async Task<OutageAnswer> ActDuringOutageAsync(string what, Func<Task<HttpResponseMessage>> act)
    {
        var sw = Stopwatch.StartNew();
        OutageAnswer answer;
        try
        {
            using var response = await act();
            var body = await response.Content.ReadAsStringAsync();
            answer = new OutageAnswer(what, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, sw.Elapsed, body.Length > 300 ? body[..300] : body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            answer = new OutageAnswer(what, null, null, sw.Elapsed, e.GetType().Name + ": " + e.Message);
        }

        output.WriteLine($"During the outage, {what}: {(answer.Status is { } s ? s.ToString(CultureInfo.InvariantCulture) : "no answer")} {answer.ContentType} after {answer.Took.TotalSeconds:0.0} s: {Flat(answer.Body)}");
        if (answer.Status is null)
        {
            _problems.Add($"During the outage, {what} got no answer ({answer.Body}) after {answer.Took.TotalSeconds:0} s.");
        }
        else if (answer.Status is < 500 or > 599)
        {
            _problems.Add($"During the outage, {what} answered {answer.Status}, not a 5xx: {Flat(answer.Body)}");
        }
        else if (answer.ContentType != "application/problem+json")
        {
            _problems.Add($"During the outage, {what} answered {answer.Status} as {answer.ContentType ?? "no content type"}, not problem details: {Flat(answer.Body)}");
        }

        if (answer.Took > TimeSpan.FromSeconds(30))
        {
            _problems.Add($"During the outage, {what} took {answer.Took.TotalSeconds:0} s to answer.");
        }

        return answer;
    }

    private static string Flat(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    /// <summary>A click made during the outage is not lost: it was taken (the request moved on) or refused cleanly (the same button works now).</summary>
    private async Task CheckClickAsync(OutageAnswer during, Dictionary<string, string> form, Tracked r, string waitingStatus)
    {
        var status = (await host.GetRequestAsync(r.Reference)).GetProperty("status").GetString();
        if (status != waitingStatus)
        {
            output.WriteLine($"The click during the outage ({during.What}) was taken: {r.Reference} is {status}.");
            return;
        }

        using var again = await host.PostFormAsync(form);
        output.WriteLine($"The click during the outage ({during.What}) pressed again after it: {(int)again.StatusCode}.");
        if (again.StatusCode != HttpStatusCode.OK)
        {
            _problems.Add($"The click during the outage ({during.What}, answered {during.Status}) was lost: {r.Reference} is still {status} and the same button now answers {(int)again.StatusCode}.");
        }
    }

    private async Task CheckWorkflowAsync(Tracked r, string when)
    {
        string? runtime = null, failure = null;
        try
        {
            var record = await host.GetRequestAsync(r.Reference);
            if (record.TryGetProperty("workflow", out var w) && w.ValueKind == JsonValueKind.Object)
            {
                runtime = w.TryGetProperty("runtimeStatus", out var s) ? s.GetString() : null;
                failure = w.TryGetProperty("failure", out var f) ? f.GetString() : null;
            }
        }
        catch (HttpRequestException e)
        {
            _problems.Add($"{r.Reference}: GET /api/requests/{r.Reference} failed {when}: {e.Message}");
            return;
        }

        if (runtime is not ("Running" or "Completed"))
        {
            _problems.Add($"{r.Reference} ({r.Plan.Type}, at the stop {r.StatusAtStop}, now {r.LastStatus}): its workflow is {runtime ?? "missing"} {when}{(failure is null ? string.Empty : ": " + failure)}");
        }
    }

    /// <summary>The deadline watchdog (issue 15 point 2), by HTTP only: when the host has it, no open request may be unwatched.</summary>
    private async Task CheckWatchdogAsync(string when)
    {
        using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Post, "/api/watchdog/run"));
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            output.WriteLine($"Watchdog {when}: POST /api/watchdog/run is not in this build ({(int)response.StatusCode}); not checked.");
            return;
        }

        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"Watchdog {when}: {(int)response.StatusCode} {Flat(body)}");
        if (!response.IsSuccessStatusCode)
        {
            _problems.Add($"Watchdog {when}: POST /api/watchdog/run answered {(int)response.StatusCode}: {Flat(body)}");
            return;
        }

        using var doc = JsonDocument.Parse(body);
        var notWatched = doc.RootElement.TryGetProperty("notWatched", out var n)
            ? n.ValueKind switch { JsonValueKind.Number => n.GetInt32(), JsonValueKind.Array => n.GetArrayLength(), _ => -1 }
            : -1;
        if (notWatched != 0)
        {
            _problems.Add($"Watchdog {when}: notWatched is {(notWatched < 0 ? "missing" : notWatched.ToString(CultureInfo.InvariantCulture))}: {Flat(body)}");
        }
    }

    private async Task<Dictionary<string, string>> ListAsync() =>
        await ListOrNullAsync() ?? throw new InvalidOperationException("GET /api/requests did not answer 200.");

    private async Task<Dictionary<string, string>?> ListOrNullAsync()
    {
        using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests"));
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requests").EnumerateArray()
            .ToDictionary(r => r.GetProperty("reference").GetString()!, r => r.GetProperty("status").GetString()!);
    }

    private async Task<IReadOnlyList<JsonElement>?> OutboxOrNullAsync()
    {
        using var response = await host.Http.GetAsync($"{host.BaseUrl}/api/dev/outbox");
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messages").EnumerateArray().ToList() : null;
    }

    /// <summary>The request's status and, when a step waits for staff after failing, its <c>attention</c> (null when none, or when the API has no such field).</summary>
    private async Task<(string? Status, string? Attention)> StatusOrNullAsync(string reference)
    {
        using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}"));
        if (!response.IsSuccessStatusCode)
        {
            return (null, null);
        }

        var r = await response.Content.ReadFromJsonAsync<JsonElement>();
        var attention = r.TryGetProperty("attention", out var a) && a.ValueKind != JsonValueKind.Null && a.ValueKind != JsonValueKind.Undefined
            ? (a.ValueKind == JsonValueKind.String ? a.GetString() : a.GetRawText())
            : null;
        return (r.GetProperty("status").GetString(), string.IsNullOrEmpty(attention) ? null : attention);
    }

    /// <summary>Writes the host's whole log to a file and its failures to the test output (activities that failed, and how).</summary>
    private void ReportHostLog()
    {
        var log = host.WholeHostLog();
        var file = Path.Combine(Path.GetTempPath(), $"jmldsr-storage-outage-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
        File.WriteAllText(file, log, Encoding.UTF8);
        var lines = log.Split('\n');
        var failures = lines.Where(l => Regex.IsMatch(l, "fail|exception|error|terminated", RegexOptions.IgnoreCase)).Select(l => l.Trim()).ToList();
        output.WriteLine($"Host log: {lines.Length} lines in {file}; {failures.Count} mention a failure. Distinct (first 60):");
        foreach (var line in failures.Select(l => Regex.Replace(l, @"\b\d{4}-\d{4,}\b|[0-9a-f]{32}", "#")).Distinct().Take(60))
        {
            output.WriteLine("  " + (line.Length > 400 ? line[..400] : line));
        }
    }
}
