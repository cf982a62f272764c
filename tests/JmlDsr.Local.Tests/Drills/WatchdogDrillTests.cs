using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>
/// Drill 6(b) of issue 15: a request's workflow terminated by hand is found by the deadline watchdog, the privacy team and
/// the DPO are alerted once with a restart link, and the link restarts it from its recorded state. And the watchdog's second
/// duty: a reminder the workflow did not send goes out once, whoever sends it first.
/// </summary>
[Trait("Category", "Drill")]
public sealed class WatchdogDrillTests(WatchdogDrillFixture host, ITestOutputHelper output) : IClassFixture<WatchdogDrillFixture>, IAsyncLifetime
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private const string Dpo = "dpo@jmlsoftware.co.uk";

    // An operator's tool on the engine: the host's gRPC port, as the local host's own client connects.
    private readonly ServiceProvider _operator = Operator(host);

    private DurableTaskClient Engine => _operator.GetRequiredService<DurableTaskClient>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _operator.DisposeAsync();

    [Fact]
    public async Task TerminatedWorkflow_IsFoundByTheWatchdog_TeamAndDpoAlertedOnce_AndItsLinkRestartsIt()
    {
        const string Bob = "bob.jones@example.org";
        var reference = await WaitingForApprovalAsync("watchdog-drill@mail.example.org", $"Bob Jones <{Bob}>");
        var before = await host.RunWatchdogAsync();
        Assert.DoesNotContain(Problems(before), p => p.Reference == reference);

        // 1. Terminated by hand, as an operator might by mistake.
        await Engine.TerminateInstanceAsync(reference, "drill 6(b): terminated by hand");
        var sinceTerminated = Stopwatch.StartNew();
        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(reference) == "Terminated", TimeSpan.FromSeconds(60), $"{reference}'s workflow to be terminated");

        // 2. The watchdog finds it (its timer in the host runs every few seconds here; the route runs it at once).
        await host.WaitForMailAsync(reference, Privacy, "workflow terminated", TimeSpan.FromSeconds(90));
        var detected = sinceTerminated.Elapsed;
        var report = await host.RunWatchdogAsync();
        var problem = Assert.Single(Problems(report), p => p.Reference == reference);
        Assert.Equal("terminated", problem.Verdict);
        Assert.Contains("terminated", problem.Reason, StringComparison.Ordinal);
        Assert.Equal(1, report.GetProperty("notWatched").GetInt32());
        Assert.Equal(report.GetProperty("open").GetInt32() - 1, report.GetProperty("watched").GetInt32());
        Assert.Equal("awaiting-approval", (await host.GetRequestAsync(reference)).GetProperty("status").GetString()); // the watchdog never moves the index

        // 3. The privacy team and the DPO each got one alert, with a restart link, as our own automatic mail; nothing about Bob.
        var alerts = new List<JsonElement>();
        foreach (var to in new[] { Privacy, Dpo })
        {
            var mails = (await host.OutboxAsync(to, reference)).Where(m => m.GetProperty("subject").GetString()!.Contains("workflow terminated", StringComparison.Ordinal)).ToList();
            var alert = Assert.Single(mails);
            Assert.Equal($"[{reference}] Action needed: workflow terminated, not under watch", alert.GetProperty("subject").GetString());
            Assert.Equal("auto-generated", alert.GetProperty("headers").GetProperty("Auto-Submitted").GetString());
            var text = alert.GetProperty("text").GetString()!;
            Assert.Contains("waiting for a staff decision", text, StringComparison.Ordinal);
            Assert.DoesNotContain(Bob, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Bob", text, StringComparison.Ordinal);
            Assert.Single(LocalHostFixture.Links(alert));
            alerts.Add(alert);
        }

        // The console's dashboard says so too, with a restart button.
        await host.SignInToConsoleAsync();
        var dashboard = await host.Http.GetStringAsync($"{host.BaseUrl}/console/dashboard");
        Assert.True(NotUnderWatch(dashboard) >= 1, "The dashboard shows no request not under watch.");
        Assert.Contains($"aria-label=\"Restart the workflow of {reference}\"", dashboard, StringComparison.Ordinal);

        // 4. The restart link: its page first (GET acts on nothing), then its button.
        var link = LocalHostFixture.Links(alerts[0])[0];
        var (status, page, _) = await host.OpenAsync(link);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Restart the workflow from its recorded state", page, StringComparison.Ordinal);
        Assert.Equal("Terminated", await host.WorkflowStatusAsync(reference));
        var sinceRestart = Stopwatch.StartNew();
        using (var restart = await host.PressAsync(link, "restart-workflow"))
        {
            Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
            Assert.Contains("restarted from its recorded state", await restart.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The DPO's link is for the same problem: used after the team's, it restarts nothing.
        using (var second = await host.PressAsync(LocalHostFixture.Links(alerts[1])[0], "restart-workflow"))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        }

        var timeline = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().ToList();
        var restarted = Assert.Single(timeline, t => t.GetProperty("step").GetString() == DeadlineWatchdog.RestartedStep);
        Assert.EndsWith("(email link)", restarted.GetProperty("actor").GetString(), StringComparison.Ordinal); // the signed-in staff member, or the holder of the link
        Assert.Single(timeline, t => t.GetProperty("step").GetString()!.StartsWith("watchdog-terminated-", StringComparison.Ordinal));

        // 5. The new run is alive and waiting where the index says: the watchdog's next run has nothing not under watch.
        await host.WaitUntilAsync(async () => await AliveWhereTheIndexSaysAsync(reference), TimeSpan.FromSeconds(90), $"{reference}'s restarted workflow to run where the index says");
        var alive = sinceRestart.Elapsed;
        var after = await host.RunWatchdogAsync();
        Assert.Equal(0, after.GetProperty("notWatched").GetInt32());
        Assert.DoesNotContain(Problems(after), p => p.Reference == reference);
        Assert.Equal(0, NotUnderWatch(await host.Http.GetStringAsync($"{host.BaseUrl}/console/dashboard")));
        Assert.Contains((await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == "watchdog-watched");

        // Once per problem: no second alert on later runs.
        Assert.Single(await host.OutboxAsync(Dpo, reference), m => m.GetProperty("subject").GetString()!.Contains("workflow terminated", StringComparison.Ordinal));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"drill 6(b): {reference} terminated; found and alerted {detected.TotalSeconds:0.0} s later (watchdog every {WatchdogDrillFixture.Interval.TotalSeconds:0} s here, hourly in Azure); "
            + $"alerts sent: {alerts.Count} (privacy team, DPO), once; restarted by its link, running where the index says {alive.TotalSeconds:0.0} s after the press; "
            + $"watchdog runs took {report.GetProperty("seconds").GetDouble():0.000} s and {after.GetProperty("seconds").GetDouble():0.000} s for {after.GetProperty("open").GetInt32()} open request(s)."));
    }

    [Fact]
    public async Task RestartedWorkflow_ContinuesFromWhereItWas_WithoutAskingTheRequesterAgain_AndCompletes()
    {
        const string Carol = "carol.white@example.net";
        var reference = await WaitingForApprovalAsync("watchdog-resume@mail.example.net", $"Carol White <{Carol}>");
        await Engine.TerminateInstanceAsync(reference, "drill 6(b): terminated by hand");
        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(reference) == "Terminated", TimeSpan.FromSeconds(60), $"{reference}'s workflow to be terminated");
        await host.WaitForMailAsync(reference, Dpo, "workflow terminated", TimeSpan.FromSeconds(90));

        // This time from the console's dashboard: its Restart button, in the signed-in staff member's name.
        await host.SignInToConsoleAsync("Sam Okafor");
        var dashboard = await host.Http.GetStringAsync($"{host.BaseUrl}/console/dashboard");
        var form = Regex.Match(dashboard, $"<form method=\"post\" action=\"/api/links\" aria-label=\"Restart the workflow of {reference}\"><input type=\"hidden\" name=\"token\" value=\"([^\"]+)\"( /)?>");
        Assert.True(form.Success, "The dashboard offers no Restart button for the request.");
        var restartedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var restart = await host.PostFormAsync(new Dictionary<string, string>
        {
            ["token"] = WebUtility.HtmlDecode(form.Groups[1].Value), ["action"] = "restart-workflow", ["returnTo"] = "/console/dashboard",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
            Assert.EndsWith("/console/dashboard", restart.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        }

        var restarted = Assert.Single((await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == DeadlineWatchdog.RestartedStep);
        Assert.Equal("Sam Okafor [dev account sam] (console)", restarted.GetProperty("actor").GetString());

        // What Carol and the privacy team see: the request is waiting for the decision again, and Carol was not asked again.
        string? seen = null;
        try
        {
            await host.WaitUntilAsync(async () =>
            {
                var instance = await Engine.GetInstanceAsync(reference, getInputsAndOutputs: true);
                var index = (await host.GetRequestAsync(reference)).GetProperty("status").GetString();
                seen = $"workflow {instance?.RuntimeStatus} ({instance?.SerializedCustomStatus}), index {index}";
                return instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running } && instance.CreatedAt >= restartedAt
                    && instance.SerializedCustomStatus == "\"awaiting-approval\"" && index == "awaiting-approval";
            }, TimeSpan.FromSeconds(120), $"{reference}'s restarted workflow to wait for the decision again");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The restarted workflow did not resume where it was (awaiting-approval): {seen}. WorkflowStarter.RestartAsync starts DsrOrchestrator with "
                + "DsrInput.Resume = the recorded state (phase decide here); a run that ignores Resume starts again from the acknowledgement and waits for a confirmation Carol already gave.");
        }

        Assert.Single(await host.OutboxAsync(Carol, reference), m => m.GetProperty("subject").GetString()!.Contains("Please confirm your request", StringComparison.Ordinal));
        // The decision is asked again in a new round, with new links (the first round's decide nothing now).
        List<JsonElement> decisions = [];
        await host.WaitUntilAsync(async () =>
        {
            decisions = (await host.OutboxAsync(Privacy, reference)).Where(m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal)).ToList();
            return decisions.Count >= 2;
        }, TimeSpan.FromSeconds(60), $"the second round's decision email for {reference}");
        using (var stale = await host.PressAsync(LocalHostFixture.Links(decisions[0])[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        }

        using (var approve = await host.PressAsync(LocalHostFixture.Links(decisions[^1])[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        await host.WaitForStatusAsync(reference, "completed", TimeSpan.FromSeconds(120));
        await host.WaitForMailAsync(reference, Carol, "Your personal data");
    }

    [Fact]
    public async Task ADueReminderNotRecorded_IsSentByTheWatchdogOnce_AndNotAgainWhenTheWorkflowSendsIt()
    {
        const string Erin = "erin.green@example.com";
        var reference = await WaitingForApprovalAsync("watchdog-reminder@mail.example.com", $"Erin Green <{Erin}>");
        var row = await new RequestRepository(Storage()).GetRequiredAsync(reference);
        var due = DateOnly.ParseExact(row.DueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);

        // The watchdog's view an hour after the 7-day reminder fell due, which the workflow (asleep until then) has not sent.
        var clock = new SettableTime(new DateTimeOffset(ReminderSchedule.ReminderAtUtc(due, 7), TimeSpan.Zero).AddHours(1));
        await using var app = host.InProcessServices(clock);
        var watchdog = app.GetRequiredService<DeadlineWatchdog>();
        var client = app.GetRequiredService<DurableTaskClient>();
        Assert.Empty(await RemindersAsync(reference));

        var first = await watchdog.RunAsync(client);
        Assert.DoesNotContain(first.Problems, p => p.Reference == reference);
        Assert.True(first.RemindersSent >= 1, $"The watchdog sent {first.RemindersSent} reminders.");
        var reminder = Assert.Single(await RemindersAsync(reference));
        Assert.Contains($"Reminder: Access to personal data due {UkDate(due)}", reminder.GetProperty("subject").GetString(), StringComparison.Ordinal);

        // The next run, and the workflow's own send when its timer fires: the Sends record holds both back.
        clock.Now = clock.Now.AddHours(1);
        var second = await watchdog.RunAsync(client);
        Assert.Equal(0, second.RemindersSent);
        await app.GetRequiredService<SendStaffReminder>().RunAsync(new ReminderInput(reference, due, 7, row.Status, clock.Now.AddMinutes(5)));
        Assert.Single(await RemindersAsync(reference));
        var audited = (await new AuditLog(Storage()).ReadAsync(reference)).Where(a => a.Step == "reminder-7d").ToList();
        Assert.Equal(DeadlineWatchdog.Actor, Assert.Single(audited).Actor);
        output.WriteLine($"reminder drill: {reference} due {due:yyyy-MM-dd}; 7-day reminder sent once by the watchdog an hour late, not again by its next run or by the workflow's activity.");
    }

    [Fact]
    public async Task Dashboard_ListsTheRequestsThatNeedAttention()
    {
        var reference = await WaitingForApprovalAsync("watchdog-attention@mail.example.co.uk", "Dan Brown <dan.brown@example.co.uk>");
        var requests = Storage().Table(DsrStorage.RequestsTable);
        await requests.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(RequestRecord.Partition, reference) { ["Attention"] = "Sending the approval request failed after every retry" }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
        try
        {
            await host.SignInToConsoleAsync();
            var dashboard = await host.Http.GetStringAsync($"{host.BaseUrl}/console/dashboard");
            Assert.Equal("1", Regex.Match(dashboard, "id=\"needs-attention\"><span class=\"n\">(\\d+)</span>").Groups[1].Value);
            Assert.Contains("Sending the approval request failed after every retry", dashboard, StringComparison.Ordinal);
            Assert.Contains($"<a href=\"/console/requests/{reference}\">{reference}</a>", dashboard, StringComparison.Ordinal);
        }
        finally
        {
            await new RequestRepository(Storage()).UpdateAsync(reference, r => r.Attention = null);
        }
    }

    private async Task<string> WaitingForApprovalAsync(string messageId, string from)
    {
        var email = from[(from.IndexOf('<', StringComparison.Ordinal) + 1)..^1];
        var reference = await host.PostRequestAsync(messageId, from, "Subject access request", "Please send me a copy of all the personal data you hold about me.", authenticated: false);
        await host.ConfirmAsync(reference, email);
        await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        await host.WaitForStatusAsync(reference, "awaiting-approval");
        return reference;
    }

    private static int NotUnderWatch(string dashboard) =>
        int.Parse(Regex.Match(dashboard, "id=\"not-watched\"><span class=\"n\">(\\d+)</span>").Groups[1].Value, CultureInfo.InvariantCulture);

    private async Task<bool> AliveWhereTheIndexSaysAsync(string reference)
    {
        var instance = await Engine.GetInstanceAsync(reference, getInputsAndOutputs: true);
        var index = (await host.GetRequestAsync(reference)).GetProperty("status").GetString();
        return instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running } && instance.SerializedCustomStatus == JsonSerializer.Serialize(index);
    }

    private async Task<List<JsonElement>> RemindersAsync(string reference) =>
        (await host.OutboxAsync(Privacy, reference)).Where(m => m.GetProperty("subject").GetString()!.Contains("Reminder:", StringComparison.Ordinal)).ToList();

    private static string UkDate(DateOnly d) => d.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    private static List<(string Reference, string Verdict, string Reason)> Problems(JsonElement report) =>
        report.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("reference").GetString()!, p.GetProperty("verdict").GetString()!, p.GetProperty("reason").GetString()!)).ToList();

    private DsrStorage Storage() => new(new Azure.Data.Tables.TableServiceClient(host.StorageConnectionString), new Azure.Storage.Blobs.BlobServiceClient(host.StorageConnectionString));

    private static ServiceProvider Operator(LocalHostFixture host)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDurableTaskClient(c => c.UseGrpc(GrpcChannel.ForAddress($"http://127.0.0.1:{host.GrpcPort}")));
        return services.BuildServiceProvider();
    }

    private sealed class SettableTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

/// <summary>A host whose deadline watchdog runs every few seconds, so the drill measures how soon it finds a workflow gone.</summary>
public sealed class WatchdogDrillFixture : LocalHostFixture
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["LocalHost__WatchdogInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
    };
}
