using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests;

/// <summary>The engine is durable: a request waiting for approval survives kill -9 of the host.</summary>
[Trait("Category", "Drill")]
public sealed class CrashRecoveryTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task RequestWaitingForApproval_SurvivesKillMinus9_AndCompletesAfterRestart()
    {
        const string carol = "carol.white@example.net";
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Unauthenticated("crash-1@mail.example.net", $"Carol White <{carol}>", "Data subject access request", "Under Article 15 I ask for a copy of my personal data."));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var verify = await host.WaitForMailAsync(reference, carol, "Please confirm your request");
        using (var confirm = await host.PressAsync(LocalHostFixture.Links(verify)[0], "confirm-identity"))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        var decision = await host.WaitForMailAsync(reference, "privacy@jmlsoftware.co.uk", "Decision needed");
        await host.WaitForStatusAsync(reference, "awaiting-approval");

        host.KillHost();
        var sw = Stopwatch.StartNew();
        await host.StartHostAsync();
        output.WriteLine($"Host answering again {sw.Elapsed.TotalSeconds:0.0} s after kill -9");

        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        await host.WaitForMailAsync(reference, carol, "Your personal data", TimeSpan.FromSeconds(120));
        await host.WaitForStatusAsync(reference, "completed");
        output.WriteLine($"Completed {sw.Elapsed.TotalSeconds:0.0} s after kill -9 (restart + approval + fulfilment)");

        // Nothing was sent twice across the crash.
        var mails = await host.OutboxAsync(carol, reference);
        Assert.Equal(mails.Count, mails.Select(m => m.GetProperty("subject").GetString()).Distinct().Count());
    }
}
