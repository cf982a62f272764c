using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// Requests as real people make them, through the real local host on Azurite: a solicitor writing for a client (ICO:
/// requests made on behalf of others), and staff correcting how a message was read (split, merge, an agent).
/// </summary>
public sealed class AgentsAndLinkedRequestsEndToEndTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Alice = "alice.smith@example.com";
    private const string Bob = "bob.jones@example.org";
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private const string Solicitor = "j.patel@patel-law.example";

    [Fact]
    public async Task SolicitorForAClient_IsAskedForAuthority_TheClockRunsFromItsArrival_AndTheCopyGoesToTheSolicitorOnlyOnceStaffCheckedIt()
    {
        var reference = await host.PostRequestAsync("agent-1@mail.patel-law.example", $"Jaya Patel <{Solicitor}>", "Subject access request - our client Mrs A Smith",
            "Dear Sirs,\n\nWe act for Mrs Alice Smith and enclose her signed authority. Please provide a copy of all personal data you hold about our client.\n\nYours faithfully,\nPatel Law LLP");
        var ack = await host.WaitForMailAsync(reference, Solicitor, "We have received your request");
        Assert.Contains("writing on someone else's behalf", ack.GetProperty("text").GetString(), StringComparison.Ordinal);

        // The upload page behind a signed link: the person's details and the signed authority.
        var ask = await host.WaitForMailAsync(reference, Solicitor, "Your authority to act");
        var (_, page, _) = await host.OpenAsync(Assert.Single(LocalHostFixture.Links(ask)));
        Assert.Contains("enctype=\"multipart/form-data\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"authority\"", page, StringComparison.Ordinal);
        var paused = await host.GetRequestAsync(reference);
        Assert.Equal("awaiting-identity", paused.GetProperty("status").GetString());
        Assert.Equal("solicitor", paused.GetProperty("agent").GetProperty("kind").GetString());

        var token = WebUtility.HtmlDecode(Regex.Match(page, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value);
        using (var upload = new MultipartFormDataContent())
        {
            upload.Add(new StringContent(token), "token");
            upload.Add(new StringContent("give-authority"), "action");
            upload.Add(new StringContent("Alice Smith"), "subjectName");
            upload.Add(new StringContent(Alice), "subjectEmail");
            upload.Add(new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.4\n% signed form of authority\n%%EOF\n")), "authority", "authority.pdf");
            using var answered = await host.Http.PostAsync($"{host.BaseUrl}/api/links", upload);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        await host.WaitForStatusAsync(reference, "awaiting-approval");
        var waiting = await host.GetRequestAsync(reference);
        Assert.Equal(Alice, waiting.GetProperty("dataSubject").GetProperty("email").GetString());
        Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), waiting.GetProperty("relevantDate").GetString());
        using (var doc = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}/evidence?document=authority")))
        {
            Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
            Assert.Equal("application/pdf", doc.Content.Headers.ContentType?.MediaType);
        }

        // Approving needs the authority checked; the decision is then the staff member's, and the copy goes to the agent.
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        var approveLink = LocalHostFixture.Links(decision)[0];
        var (_, approvalPage, _) = await host.OpenAsync(approveLink);
        Assert.Contains("I have checked the agent's authority", approvalPage, StringComparison.Ordinal);
        var approveToken = WebUtility.HtmlDecode(Regex.Match(approvalPage, "name=\"token\" value=\"([^\"]+)\"( /)?><input type=\"hidden\" name=\"action\" value=\"approve\"").Groups[1].Value);
        using (var unchecked_ = await host.PostFormAsync(new Dictionary<string, string> { ["token"] = approveToken, ["action"] = "approve" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unchecked_.StatusCode);
        }

        Assert.Equal("awaiting-approval", (await host.GetRequestAsync(reference)).GetProperty("status").GetString());
        using (var approved = await host.PostFormAsync(new Dictionary<string, string> { ["token"] = approveToken, ["action"] = "approve", ["authorityChecked"] = "yes" }))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        var copy = await host.WaitForMailAsync(reference, Solicitor, "Your personal data");
        Assert.Contains("pdf", copy.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);
        await host.WaitForStatusAsync(reference, "completed");
        Assert.DoesNotContain(await host.OutboxAsync(Alice, reference), m => m.GetProperty("subject").GetString()!.Contains("Your personal data", StringComparison.Ordinal));
        var done = await host.GetRequestAsync(reference);
        Assert.EndsWith("(email link)", done.GetProperty("agent").GetProperty("authorityAcceptedBy").GetString(), StringComparison.Ordinal);
        Assert.Contains(done.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString()!.StartsWith("authority-accepted", StringComparison.Ordinal));
        Assert.Contains(done.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == "searched-crm" && t.GetProperty("detail").GetString()!.Contains("1 record", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Staff_SplitAnotherRightOut_MergeARepeat_AndMarkAnAgent_FromTheConsole()
    {
        var erasure = await host.PostRequestAsync("split-1@mail.example.org", $"Bob Jones <{Bob}>", "My account", "Please delete my account and all my data. Also, what do you do with my details?");
        await host.SignInToConsoleAsync("Priya Patel");

        // Split: the message also asks for access.
        using (var split = await host.Http.PostAsync($"{host.BaseUrl}/console/requests/{erasure}/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "split", ["type"] = "access" })))
        {
            Assert.Equal(HttpStatusCode.OK, split.StatusCode);
            var opened = split.RequestMessage!.RequestUri!.AbsolutePath.Split('/')[^1];
            Assert.NotEqual(erasure, opened);
            var access = await host.GetRequestAsync(opened);
            Assert.Equal("access", access.GetProperty("type").GetString());
            Assert.Contains(erasure, access.GetProperty("linked").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal((await host.GetRequestAsync(erasure)).GetProperty("receivedAt").GetDateTimeOffset(), access.GetProperty("receivedAt").GetDateTimeOffset());
            Assert.Contains(access.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("actor").GetString() == "Priya Patel [dev account priya]");
            await host.WaitForMailAsync(opened, Bob, "We have received your request");
        }

        // Merge: the same erasure sent again the next minute.
        var repeat = await host.PostRequestAsync("split-2@mail.example.org", $"Bob Jones <{Bob}>", "My account again", "Please delete my account and all my data.");
        using (var merge = await host.Http.PostAsync($"{host.BaseUrl}/console/requests/{repeat}/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "merge", ["into"] = erasure })))
        {
            Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
            Assert.DoesNotContain("error=", merge.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        }

        await host.WaitForStatusAsync(repeat, "merged");
        await host.WaitForMailAsync(repeat, Bob, $"continues as {erasure}");
        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(repeat) is "Terminated" or null, TimeSpan.FromSeconds(60), "the merged request's workflow to end");

        // An agent's request the wording did not show.
        using (var agent = await host.Http.PostAsync($"{host.BaseUrl}/console/requests/{erasure}/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "agent", ["kind"] = "relative" })))
        {
            Assert.Equal(HttpStatusCode.OK, agent.StatusCode);
        }

        var marked = await host.GetRequestAsync(erasure);
        Assert.Equal("relative", marked.GetProperty("agent").GetProperty("kind").GetString());
        var consolePage = await host.Http.GetStringAsync($"{host.BaseUrl}/console/requests/{erasure}");
        Assert.Contains("id=\"agent\"", consolePage, StringComparison.Ordinal);
        Assert.Contains("id=\"data-subject\"", consolePage, StringComparison.Ordinal);

        // A merge that makes no sense is refused with the reason, and changes nothing.
        using (var wrong = await host.Http.PostAsync($"{host.BaseUrl}/console/requests/{erasure}/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "merge", ["into"] = erasure })))
        {
            Assert.Contains("error=", wrong.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ARequestMergedBeforeItsWorkflowStarted_IsNotStarted_AndItsRequesterHearsNothingMore()
    {
        // Staff can merge a repeat in the seconds between its arrival and the start of its workflow (the start is queued).
        await using var app = host.InProcessServices();
        var requests = app.GetRequiredService<RequestRepository>();
        var reference = await requests.AllocateReferenceAsync(DateTimeOffset.UtcNow.Year);
        await requests.CreateIfMissingAsync(new RequestRecord
        {
            RowKey = reference, Type = RequestType.Erasure.ToWire(), Status = RequestStatus.Merged, Channel = "email",
            RequesterEmail = Bob, RequesterName = "Bob Jones", ReceivedAt = DateTimeOffset.UtcNow, DueDate = "2027-01-02",
        });

        await app.GetRequiredService<IntakeStarter>().StartAsync(reference, 1, app.GetRequiredService<DurableTaskClient>());

        Assert.Null(await host.WorkflowStatusAsync(reference));
        Assert.Equal(RequestStatus.Merged, (await host.GetRequestAsync(reference)).GetProperty("status").GetString());
        Assert.Empty(await host.OutboxAsync(Bob, reference));
    }

}
