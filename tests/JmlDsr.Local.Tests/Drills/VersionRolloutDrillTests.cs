using System.Diagnostics;
using System.Net;
using JmlDsr.Functions.Workflow;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>The host of the rollout drill: it starts as the previous build (workflow version 1) and is redeployed as this one.</summary>
public sealed class VersionRolloutFixture : LocalHostFixture
{
    public string WorkflowVersion { get; set; } = "1";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["LocalHost__WorkflowVersion"] = WorkflowVersion };
}

/// <summary>
/// Drill 6(c): a version bump with instances in flight. Requests start on the previous build (version 1, whose restriction
/// waits for its lift inside the request's workflow); the host is killed and started again as this build (version 2, whose
/// workflow ends with the response). The version 1 instances replay and finish on the new build as they started; new ones
/// take the new path; all complete.
/// </summary>
[Trait("Category", "Drill")]
public sealed class VersionRolloutDrillTests(VersionRolloutFixture host, ITestOutputHelper output) : IClassFixture<VersionRolloutFixture>
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task RequestsStartedOnTheOldVersion_CompleteAfterTheNewVersionIsDeployed_AlongsideNewOnes()
    {
        var clock = Stopwatch.StartNew();
        // On the previous build: a restriction answered and waiting for its lift, an access request waiting for a decision,
        // and one waiting for the requester to confirm.
        var dan = await host.PostRequestAsync("rollout-dan@mail.example.co.uk", "Dan Brown <dan.brown@example.co.uk>", "Restriction of processing",
            "Please restrict the processing of my personal data while you check my address.", authenticated: false);
        await host.ConfirmAsync(dan, "dan.brown@example.co.uk");
        await ApproveAsync(dan);
        await host.WaitForStatusAsync(dan, "restricted");
        var alice = await host.PostRequestAsync("rollout-alice@mail.example.com", "Alice Smith <alice.smith@example.com>", "Subject access request", "Please send me a copy of all the personal data you hold about me.", authenticated: false);
        await host.ConfirmAsync(alice, "alice.smith@example.com");
        await host.WaitForMailAsync(alice, Privacy, "Decision needed");
        var bob = await host.PostRequestAsync("rollout-bob@mail.example.org", "Bob Jones <bob.jones@example.org>", "Subject access request", "Please send me a copy of my personal data.", authenticated: false);
        await host.WaitForStatusAsync(bob, "awaiting-identity");
        Assert.Equal("Running", await host.WorkflowStatusAsync(dan)); // version 1 waits for the lift in the request's workflow
        output.WriteLine($"version 1: 3 requests in flight after {clock.Elapsed.TotalSeconds:F0} s");

        // The redeploy: the old build dies with work in flight; the new build starts on the same storage.
        host.KillHost();
        host.WorkflowVersion = DsrVersions.Current;
        var redeploy = Stopwatch.StartNew();
        await host.StartHostAsync();

        // A new restriction on the new build: its workflow ends with the response.
        var carol = await host.PostRequestAsync("rollout-carol@mail.example.net", "Carol White <carol.white@example.net>", "Restriction of processing",
            "Please restrict the processing of my personal data while my complaint is looked at.", authenticated: false);
        await host.ConfirmAsync(carol, "carol.white@example.net");
        await ApproveAsync(carol);
        await host.WaitForStatusAsync(carol, "restricted");
        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(carol) == "Completed", TimeSpan.FromSeconds(60), "the new restriction's workflow to end with the response");

        // Everything in flight finishes: the old restriction lifts inside its old workflow, the new one in its own.
        await ApproveAsync(alice);
        await host.ConfirmAsync(bob, "bob.jones@example.org");
        await ApproveAsync(bob);
        await host.SignInToConsoleAsync();
        foreach (var reference in new[] { dan, carol })
        {
            var console = await host.Http.GetStringAsync($"{host.BaseUrl}/console/requests/{reference}");
            using var act = await host.PostFormAsync(new Dictionary<string, string>
            {
                ["token"] = LocalHostFixture.ConsoleToken(console, "lift-restriction"), ["action"] = "lift-restriction", ["reason"] = "The check is finished.",
            });
            Assert.True(act.IsSuccessStatusCode, $"Lifting {reference} answered {(int)act.StatusCode}");
        }

        foreach (var reference in new[] { dan, alice, bob, carol })
        {
            await host.WaitForStatusAsync(reference, "completed", TimeSpan.FromSeconds(120));
        }

        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(dan) == "Completed", TimeSpan.FromSeconds(60), "the version 1 restriction's workflow to finish");
        Assert.Contains(await host.OutboxAsync("dan.brown@example.co.uk", dan), m => m.GetProperty("subject").GetString()!.Contains("has been lifted", StringComparison.Ordinal));
        Assert.Contains(await host.OutboxAsync("carol.white@example.net", carol), m => m.GetProperty("subject").GetString()!.Contains("has been lifted", StringComparison.Ordinal));
        output.WriteLine($"after the redeploy: 4 requests (3 of version 1, 1 of version 2) completed in {redeploy.Elapsed.TotalSeconds:F0} s; drill {clock.Elapsed.TotalSeconds:F0} s");
    }

    private async Task ApproveAsync(string reference)
    {
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve");
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
    }
}
