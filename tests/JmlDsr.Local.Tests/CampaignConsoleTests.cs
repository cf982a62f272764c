using System.Net;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// A campaign from a request-generator service: many near-identical access requests, each from a different customer. Staff
/// find them by their shared subject, page through the queue, and approve, clarify or set aside many at once, each request
/// still decided and audited on its own.
/// </summary>
public sealed class CampaignConsoleTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Campaign = "Data subject access request sent via ClaimMyData";

    [Fact]
    public async Task Staff_FilterACampaignBySubject_AndApproveClarifyOrSetAsideManyAtOnce_EachAuditedOnItsOwn()
    {
        var crm = new TableServiceClient(host.StorageConnectionString).GetTableClient("SysCrm");
        var people = Enumerable.Range(1, 6).Select(i => (Email: $"campaign.customer{i}@example.com", Name: $"Campaign Customer{i}")).ToList();
        foreach (var (email, name) in people)
        {
            await crm.UpsertEntityAsync(new TableEntity(email, "contact") { ["Category"] = "customer contact", ["Name"] = name }, TableUpdateMode.Replace);
        }

        var refs = new List<string>();
        foreach (var (email, name) in people)
        {
            refs.Add(await host.PostRequestAsync($"campaign-{email}@claimmydata.example", $"{name} <{email}>", Campaign,
                $"Under Article 15 UK GDPR, {name} asks for a copy of all personal data you hold about them. This request is sent on their behalf by ClaimMyData."));
        }

        foreach (var (reference, (email, _)) in refs.Zip(people))
        {
            await host.ConfirmAsync(reference, email);
        }

        await host.WaitUntilAsync(async () =>
        {
            foreach (var r in refs)
            {
                if ((await host.GetRequestAsync(r)).GetProperty("status").GetString() != "awaiting-approval")
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(120), "every campaign request to wait for a decision");

        await host.SignInToConsoleAsync("Sam Okafor");
        var queue = await PostAsync("/console", new() { ["show"] = "open", ["subject"] = "ClaimMyData" });
        Assert.Contains("6 requests, soonest due first", queue, StringComparison.Ordinal);
        Assert.All(refs, r => Assert.Contains($"value=\"{r}\"", queue, StringComparison.Ordinal));

        // Two are asked the same clarification (ticked one by one)...
        var clarify = await PostAsync("/console/bulk", new() { ["show"] = "open", ["subject"] = "ClaimMyData", ["action"] = "clarify", ["reason"] = "Which of our products do you use?" }, refs.Take(2));
        Assert.Contains("Clarification: 2 of 2 requests done.", clarify, StringComparison.Ordinal);
        foreach (var (reference, (email, _)) in refs.Take(2).Zip(people))
        {
            var asked = await host.WaitForMailAsync(reference, email, "Please tell us more about your request", TimeSpan.FromSeconds(60));
            Assert.Contains("Which of our products do you use?", asked.GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        // ...and all that the filter matches are approved: those two are no longer waiting for approval, so they are left, with why.
        var approve = await PostAsync("/console/bulk", new() { ["show"] = "open", ["subject"] = "ClaimMyData", ["action"] = "approve", ["all"] = "yes" });
        Assert.Contains("Approve: 4 of 6 requests done.", approve, StringComparison.Ordinal);
        Assert.Contains($"{refs[0]}: not waiting for approval (status awaiting-clarification).", approve, StringComparison.Ordinal);
        foreach (var (reference, (email, _)) in refs.Skip(2).Zip(people.Skip(2)))
        {
            await host.WaitForMailAsync(reference, email, "Your personal data", TimeSpan.FromSeconds(90));
            var timeline = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().ToList();
            Assert.Contains(timeline, t => t.GetProperty("actor").GetString() == "Sam Okafor [dev account sam] (console)" && t.GetProperty("step").GetString()!.StartsWith("link-used-", StringComparison.Ordinal));
        }

        // A request that is not one to answer is set aside with the reason; nothing is sent for it.
        var test = await host.PostRequestAsync("campaign-test@claimmydata.example", "Test Account <test.account@claimmydata.example>", "ClaimMyData test message", "TEST of our sending service: please send me a copy of my personal data.");
        Assert.True(Domain.Requests.RequestReference.IsValid(test), test);
        var setAside = await PostAsync("/console/bulk", new() { ["show"] = "open", ["subject"] = "test message", ["action"] = "set-aside", ["reason"] = "A test from the service, about nobody." }, [test]);
        Assert.Contains("Set aside: 1 of 1 request done.", setAside, StringComparison.Ordinal);
        var r = await host.GetRequestAsync(test);
        Assert.Equal("set-aside", r.GetProperty("status").GetString());
        Assert.Contains(r.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == "set-aside"
            && t.GetProperty("detail").GetString()!.Contains("A test from the service, about nobody.", StringComparison.Ordinal));

        // Without a reason, nothing is set aside.
        var refused = await PostAsync("/console/bulk", new() { ["action"] = "set-aside" }, [refs[0]]);
        Assert.Contains("Give the reason for setting them aside", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheQueue_PagesThroughManyRequests_FiftyAtATime()
    {
        var table = new TableServiceClient(host.StorageConnectionString).GetTableClient("Requests");
        for (var i = 0; i < 120; i++)
        {
            await table.UpsertEntityAsync(new TableEntity("request", $"DSR-2025-{900000 + i:D6}")
            {
                ["Type"] = "access", ["Status"] = "completed", ["RequesterEmail"] = $"paged{i}@example.com", ["Subject"] = "Paging campaign",
                ["ReceivedAt"] = new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero), ["ClosedAt"] = new DateTimeOffset(2025, 3, 20, 9, 0, 0, TimeSpan.Zero),
                ["DueDate"] = $"2025-04-{1 + (i % 28):D2}", ["Channel"] = "email",
            });
        }

        await host.SignInToConsoleAsync();
        var first = await PostAsync("/console", new() { ["show"] = "closed", ["subject"] = "paging campaign" });
        Assert.Contains("120 requests, soonest due first; page 1 of 3.", first, StringComparison.Ordinal);
        Assert.Equal(50, Regex.Count(first, "name=\"ref\""));
        var last = await PostAsync("/console", new() { ["show"] = "closed", ["subject"] = "paging campaign", ["page"] = "3" });
        Assert.Contains("page 3 of 3", last, StringComparison.Ordinal);
        Assert.Equal(20, Regex.Count(last, "name=\"ref\""));
        var from = await PostAsync("/console", new() { ["show"] = "closed", ["subject"] = "paging campaign", ["from"] = "2025-03-02" });
        Assert.Contains("0 requests", from, StringComparison.Ordinal);
    }

    private async Task<string> PostAsync(string path, Dictionary<string, string> fields, IEnumerable<string>? refs = null)
    {
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).Concat((refs ?? []).Select(r => new KeyValuePair<string, string>("ref", r)));
        using var response = await host.Http.PostAsync(host.BaseUrl + path, new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }
}
