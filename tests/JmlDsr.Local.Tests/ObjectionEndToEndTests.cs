using System.Net;
using System.Text.Json;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>The request people make most — "stop sending me marketing" — through the real local host on Azurite (Art 21(2)-(3)).</summary>
public sealed class ObjectionEndToEndTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Alice = "alice.smith@example.com";
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private const string Northwind = "privacy@northwind-partners.example";
    private const string Fabrikam = "dpo@fabrikam-feedback.example";

    [Fact]
    public async Task StopSendingMeMarketing_FromAKnownCustomer_IsAnObjection_ThatStopsNoticesWithoutADecision_AndIsConfirmed()
    {
        using (var before = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to={Alice}", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        var reference = await host.PostRequestAsync("objection-1@mail.example.com", "Alice Smith <alice.smith@example.com>", "Marketing emails",
            "Hello, please stop sending me marketing emails. Thanks, Alice");
        var request = await host.GetRequestAsync(reference);
        Assert.Equal("objection", request.GetProperty("type").GetString());
        await host.ConfirmAsync(reference, Alice);

        // Confirmed to her; no staff decision was asked for.
        var confirmation = await host.WaitForMailAsync(reference, Alice, "We have stopped all marketing to you");
        var text = confirmation.GetProperty("text").GetString()!;
        Assert.Contains("Art 21", text, StringComparison.Ordinal);
        Assert.Contains("suppression list", text, StringComparison.Ordinal);
        Assert.Contains("Northwind Implementation Partners", text, StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "completed");
        Assert.DoesNotContain(await host.OutboxAsync(Privacy, reference), m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal));

        // Notices stopped in the communications system, the consent withdrawn, the CRM contact marked.
        var comms = await host.RowsAsync("SysCommunications", Alice);
        Assert.All(comms.Where(r => r.RowKey != "objection"), r => Assert.Equal("yes", r.GetString("MarketingSuppressed")));
        Assert.Equal("withdrawn", comms.Single(r => r.RowKey == "consent").GetString("Consent"));
        Assert.Equal("stopped", comms.Single(r => r.RowKey == "objection").GetString("Marketing"));
        Assert.StartsWith("Objected to direct marketing", (await host.RowsAsync("SysCrm", Alice)).Single(r => r.RowKey == "contact").GetString("Marketing"), StringComparison.Ordinal);

        // The suppression list holds the hash of her address and the date, nothing else.
        var suppressed = Assert.Single(await host.RowsAsync("Suppressions", "email-sha256"));
        Assert.Equal(Domain.Retention.RetentionRules.EmailHash(Alice), suppressed.RowKey);
        Assert.DoesNotContain(suppressed, kv => kv.Value?.ToString()?.Contains("alice", StringComparison.OrdinalIgnoreCase) == true);

        // The marketing stand-in refuses her now.
        using (var blocked = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to={Alice}", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);
            var problem = JsonDocument.Parse(await blocked.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("objection", problem.GetProperty("rule").GetString());
        }

        // The partner that markets is told; the feedback provider, which does not market, is not.
        await host.WaitForMailAsync(reference, Northwind, "stop marketing");
        Assert.Empty(await host.OutboxAsync(Fabrikam, reference));

        var steps = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("step").GetString()).ToList();
        Assert.Contains("objection-marketing-stopped", steps);
        Assert.DoesNotContain(steps, s => s!.StartsWith("approval-", StringComparison.Ordinal));
    }
}
