using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Links;
using Xunit;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>Failure drills inside the workflow: bad tokens, and a system that is down.</summary>
[Trait("Category", "Drill")]
public sealed class WorkflowDrillTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string DevSigningKey = "dev-link-signing-key-0123456789abcdef-not-for-production";
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task BadTokens_AreNeverAccepted_AndEachIsAudited()
    {
        var (a, approveA) = await WaitingForApprovalAsync("tok-a@mail.example.com", "alice.smith@example.com");
        var (b, _) = await WaitingForApprovalAsync("tok-b@mail.example.org", "bob.jones@example.org");
        var token = approveA[(approveA.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        string Payload(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signer = new LinkTokenSigner(DevSigningKey);
        var attempts = new Dictionary<string, string>
        {
            ["forged signature"] = token[..(dot + 1)] + new string('A', 43),
            ["altered fields"] = Payload($"{{\"r\":\"{a}\",\"s\":\"approval-1\",\"a\":[\"approve\",\"reject\"],\"e\":4102444800,\"n\":\"x\"}}") + token[dot..],
            ["another request"] = Payload($"{{\"r\":\"{b}\",\"s\":\"approval-1\",\"a\":[\"approve\"],\"e\":4102444800,\"n\":\"x\"}}") + token[dot..],
            ["expired"] = signer.Sign(new LinkClaims(a, "approval-1", ["approve"], DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), "old")),
            ["signed with another key"] = new LinkTokenSigner("an-attacker-key-0123456789abcdef-xyz").Sign(new LinkClaims(a, "approval-1", ["approve"], 4102444800, "y")),
            ["stale step"] = signer.Sign(new LinkClaims(a, "approval-7", ["approve"], 4102444800, "z")),
        };

        foreach (var (name, bad) in attempts)
        {
            using var response = await host.PressAsync($"{host.BaseUrl}/api/links?token={bad}", "approve");
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Gone or HttpStatusCode.Conflict, $"{name}: got {(int)response.StatusCode}");
        }

        // The genuine link works once; using it again is refused.
        using (var ok = await host.PressAsync(approveA, "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var again = await host.PressAsync(approveA, "approve"))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        await host.WaitForStatusAsync(a, "completed");
        Assert.Equal("awaiting-approval", (await host.GetRequestAsync(b)).GetProperty("status").GetString());

        // Audited: the expired, stale and reused ones on the request; the forged ones in the security log.
        var refusals = new[] { "link-refused-expired", "link-refused-stale", "link-refused-reused" };
        var steps = new List<string>();
        await host.WaitUntilAsync(async () =>
        {
            steps = (await host.GetRequestAsync(a)).GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("step").GetString()!).ToList();
            return refusals.All(r => steps.Any(s => s.StartsWith(r, StringComparison.Ordinal)));
        }, TimeSpan.FromSeconds(20), "the refused links on the timeline");
        Assert.Contains(steps, s => s.StartsWith("link-refused-expired", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("link-refused-stale", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("link-refused-reused", StringComparison.Ordinal));
        Assert.Equal(1, steps.Count(s => s == "approved"));
    }

    [Fact]
    public async Task SystemDown_IsRetriedWithBackoff_StaffAreAlerted_AndTheRequestWaitsThenCompletes()
    {
        await host.SetOutageAsync("feedback", down: true);
        try
        {
            using var post = await host.Http.PostAsync(InboundPost.Url(host),
                InboundPost.Unauthenticated("outage@mail.example.com", "Alice Smith <alice.smith@example.com>", "Subject access request", "Please send me a copy of my personal data."));
            var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
            var verify = await host.WaitForMailAsync(reference, "alice.smith@example.com", "Please confirm your request");
            using (var confirm = await host.PressAsync(LocalHostFixture.Links(verify)[0], "confirm-identity"))
            {
                Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            }

            var alert = await host.WaitForMailAsync(reference, Privacy, "could not be searched");
            Assert.Contains("Customer feedback", alert.GetProperty("text").GetString(), StringComparison.Ordinal);
            var waiting = await host.GetRequestAsync(reference);
            Assert.Equal("gathering-failed", waiting.GetProperty("status").GetString());
            Assert.DoesNotContain(await host.OutboxAsync(Privacy, reference), m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal));

            // The system is back: staff retry from the alert, and the request goes on.
            await host.SetOutageAsync("feedback", down: false);
            using (var retry = await host.PressAsync(LocalHostFixture.Links(alert)[0], "retry-gathering"))
            {
                Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            }

            var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
            Assert.DoesNotContain("FAILED", decision.GetProperty("text").GetString(), StringComparison.Ordinal);
            using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
            {
                Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
            }

            var done = await host.WaitForMailAsync(reference, "alice.smith@example.com", "Your personal data");
            var json = await host.Http.GetFromJsonAsync<JsonElement>(LocalHostFixture.Links(done)[1] + "&format=json");
            Assert.Contains(json.GetProperty("systems").EnumerateArray(), s => s.GetProperty("id").GetString() == "feedback" && s.GetProperty("recordCount").GetInt32() == 1);
            var timeline = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("step").GetString()).ToList();
            Assert.Contains("gathering-failed", timeline);
            Assert.Contains("searched-feedback", timeline);
        }
        finally
        {
            await host.SetOutageAsync("feedback", down: false);
        }
    }

    private async Task<(string Reference, string ApproveLink)> WaitingForApprovalAsync(string messageId, string from)
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Unauthenticated(messageId, from, "Subject access request", "Please send me a copy of my personal data."));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var verify = await host.WaitForMailAsync(reference, from, "Please confirm your request");
        using (var confirm = await host.PressAsync(LocalHostFixture.Links(verify)[0], "confirm-identity"))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        return (reference, LocalHostFixture.Links(decision)[0]);
    }
}
