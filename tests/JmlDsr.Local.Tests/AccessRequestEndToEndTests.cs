using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests;

/// <summary>One access request through the real local host on Azurite: every step as a customer and staff meet it.</summary>
public sealed class AccessRequestEndToEndTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    private const string Alice = "alice.smith@example.com";
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task AccessRequest_ByEmail_IsAcknowledgedVerifiedGatheredApprovedAndFulfilled()
    {
        var sw = Stopwatch.StartNew();

        // A customer writes to the privacy mailbox; SendGrid posts it. The envelope names the relay, From the customer.
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-1@mail.example.com", "Alice Smith <Alice.Smith@example.com>", "Subject access request", "Please send me a copy of all the personal data you hold about me."));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var accepted = await post.Content.ReadFromJsonAsync<JsonElement>();
        var reference = accepted.GetProperty("reference").GetString()!;
        Assert.Matches(@"^DSR-\d{4}-\d{6}$", reference);
        Assert.Equal("access", accepted.GetProperty("type").GetString());

        // SendGrid retries the same email: still one request.
        using var retry = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-1@mail.example.com", "Alice Smith <Alice.Smith@example.com>", "Subject access request", "Please send me a copy of all the personal data you hold about me."));
        var again = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(reference, again.GetProperty("reference").GetString());
        Assert.True(again.GetProperty("duplicate").GetBoolean());

        var ack = await host.WaitForMailAsync(reference, Alice, "We have received your request");
        Assert.Contains(reference, ack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("respond by", ack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("ico.org.uk", ack.GetProperty("text").GetString(), StringComparison.Ordinal);

        // Identity: opening the link changes nothing; the button on the page confirms.
        var verify = await host.WaitForMailAsync(reference, Alice, "Please confirm your request");
        var verifyLink = Assert.Single(LocalHostFixture.Links(verify));
        var page = await host.Http.GetStringAsync(verifyLink);
        Assert.Contains("<button type=\"submit\">", page, StringComparison.Ordinal);
        var paused = await host.GetRequestAsync(reference);
        Assert.Equal("awaiting-identity", paused.GetProperty("status").GetString());
        Assert.True(paused.GetProperty("paused").GetBoolean());
        using (var confirm = await host.PressAsync(verifyLink, "confirm-identity"))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        // Staff get the summary of every system, with signed links.
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        var summary = decision.GetProperty("text").GetString()!;
        foreach (var system in new[] { "Website accounts", "CRM", "Contracts and licences", "Product downloads", "Marketing and product notices", "Customer feedback", "Partner sharing" })
        {
            Assert.Contains(system, summary, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Alice, summary, StringComparison.OrdinalIgnoreCase);
        var links = LocalHostFixture.Links(decision);
        Assert.Equal(6, links.Count); // approve, reject, refuse, extend, clarify, charge a fee

        // A forged token is refused with a page, and audited.
        using (var forged = await host.PressAsync(links[0][..^4] + "AAAA", "approve"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        // The approval page finds another person named in Alice's feedback and offers to redact it (Art 15(4)); her own
        // name, phone, address and email (from her own account and CRM contact) are hers and are not proposed.
        var approvalPage = await host.Http.GetStringAsync(links[0]);
        var proposed = Regex.Matches(approvalPage, "name=\"redact\" value=\"([^\"]*)\" checked").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(["Tom Baker"], proposed);
        Assert.DoesNotContain("value=\"01632 960123\"", approvalPage, StringComparison.Ordinal);

        // Approved with the defaults (every ticked item), plus one text staff redact by hand, with the reason.
        var token = Uri.UnescapeDataString(links[0][(links[0].IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var form = new List<KeyValuePair<string, string>> { new("token", token), new("action", "approve"), new("redact_manual", "fixed the import"), new("redact_manual_reason", "Names an internal incident of another customer.") };
        form.AddRange(proposed.Select(p => new KeyValuePair<string, string>("redact", p)));
        using (var approve = await host.Http.PostAsync($"{host.BaseUrl}/api/links", new FormUrlEncodedContent(form)))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        // The same link again: refused, nothing changes.
        using (var reused = await host.PressAsync(links[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        }

        // The customer gets the link to their data; the export has the data and the Art 15 information.
        var fulfilment = await host.WaitForMailAsync(reference, Alice, "Your personal data");
        var download = Assert.Single(LocalHostFixture.Links(fulfilment));
        var json = await host.Http.GetFromJsonAsync<JsonElement>(download + "&format=json");
        Assert.Equal(reference, json.GetProperty("reference").GetString());
        var systems = json.GetProperty("systems").EnumerateArray().ToList();
        Assert.Equal(7, systems.Count);
        Assert.All(systems, s => Assert.False(string.IsNullOrEmpty(s.GetProperty("retention").GetString())));
        Assert.Contains(systems, s => s.GetProperty("id").GetString() == "crm" && s.GetProperty("records")[0].GetProperty("Company").GetString() == "Smith Analytics Ltd");
        var feedback = systems.Single(s => s.GetProperty("id").GetString() == "feedback").GetProperty("records")[0].GetProperty("Answer").GetString()!;
        Assert.DoesNotContain("Tom Baker", feedback, StringComparison.Ordinal);
        Assert.Contains("[redacted", feedback, StringComparison.Ordinal);
        Assert.Contains("Support was great", feedback, StringComparison.Ordinal);
        Assert.DoesNotContain("fixed the import", feedback, StringComparison.Ordinal); // redacted by hand
        var crm = systems.Single(s => s.GetProperty("id").GetString() == "crm").GetProperty("records")[0];
        Assert.Equal("01632 960123", crm.GetProperty("Phone").GetString()); // her own phone stays in her copy (Art 15)
        Assert.Equal("Alice Smith", crm.GetProperty("Name").GetString());
        Assert.Equal("1 High Street, Leeds LS1 1AA", crm.GetProperty("Address").GetString());
        var html = await host.Http.GetStringAsync(download + "&format=html");
        Assert.DoesNotContain("Tom Baker", html, StringComparison.Ordinal);
        Assert.Contains("Information Commissioner", html, StringComparison.Ordinal);
        Assert.Contains("Who receives it", html, StringComparison.Ordinal);
        Assert.Contains("Smith Analytics Ltd", html, StringComparison.Ordinal);
        Assert.Contains("01632 960123", html, StringComparison.Ordinal);

        await host.WaitForStatusAsync(reference, "completed");
        var done = await host.GetRequestAsync(reference);
        var steps = done.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("step").GetString()).ToList();
        foreach (var step in new[] { "acknowledgement-sent", "verification-requested", "identity-confirmed", "searched-crm", "approval-1-requested", "approved", "export-written", "fulfilment-sent", "completed" })
        {
            Assert.Contains(step, steps);
        }

        Assert.Contains(steps, s => s!.StartsWith("link-refused-reused", StringComparison.Ordinal));
        var byHand = done.GetProperty("timeline").EnumerateArray().Single(t => t.GetProperty("step").GetString() == "redacted-by-hand-approval-1");
        Assert.Contains("Names an internal incident of another customer.", byHand.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("privacy team (email link)", byHand.GetProperty("actor").GetString());
        Assert.Equal(1, (await host.OutboxAsync(Alice, reference)).Count(m => m.GetProperty("subject").GetString()!.StartsWith("We have received", StringComparison.Ordinal)));
        output.WriteLine($"One access request end to end (post to completed, links driven at once): {sw.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Inbound_WithWrongKey_Is401AndStoresNothing()
    {
        var before = await CountRequestsAsync();
        using var post = await host.Http.PostAsync(InboundPost.Url(host, "wrong-key"),
            InboundPost.Parsed("e2e-badkey@mail.example.com", "Carol White <carol.white@example.net>", "SAR", "Send me a copy of my data."));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await CountRequestsAsync());
    }

    [Fact]
    public async Task StaffApi_WithoutKey_Is401()
    {
        using var response = await host.Http.GetAsync($"{host.BaseUrl}/api/requests");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task UnknownAddress_IsClosedUnverifiedWithTheRightEmail()
    {
        const string stranger = "stranger@example.org";
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-stranger@mail.example.org", stranger, "Data request", "What data do you hold about me? Please send me a copy."));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var verify = await host.WaitForMailAsync(reference, stranger, "Please confirm your request");
        using (var confirm = await host.PressAsync(LocalHostFixture.Links(verify)[0], "confirm-identity"))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        var closed = await host.WaitForMailAsync(reference, stranger, "could not confirm");
        Assert.Contains("could not match", closed.GetProperty("text").GetString(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "closed-unverified");
    }

    [Fact]
    public async Task ForwardedFromEnquiries_KeepsTheCustomerAsRequester_NotTheEnvelope()
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-fwd@mail.example.co.uk", "Dan Brown <dan.brown@example.co.uk>", "Fwd: please delete my data",
                "Please delete all my personal data.", envelopeFrom: "enquiries@jmlsoftware.co.uk"));
        var accepted = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("erasure", accepted.GetProperty("type").GetString());
        var reference = accepted.GetProperty("reference").GetString()!;
        var request = await host.GetRequestAsync(reference);
        Assert.Equal("dan.brown@example.co.uk", request.GetProperty("requester").GetProperty("email").GetString());
        await host.WaitForMailAsync(reference, "dan.brown@example.co.uk", "We have received your request");
    }

    [Fact]
    public async Task RawModePost_IsParsedWithMimeKit_AndClassified()
    {
        var mime = "From: =?UTF-8?B?Qm9iIEpvbmVz?= <bob.jones@example.org>\r\nTo: privacy@jmlsoftware.co.uk\r\n" +
                   "Subject: Please correct my details\r\nMessage-Id: <raw-1@example.org>\r\nMIME-Version: 1.0\r\n" +
                   "Content-Type: text/plain; charset=utf-8\r\n\r\nMy phone number is wrong, please update my phone number to 020 7946 0999.\r\n";
        using var content = new MultipartFormDataContent("raw-boundary");
        content.Add(new StringContent(mime) { Headers = { ContentType = null } }, "email");
        content.Add(new StringContent("{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":\"relay@example.net\"}") { Headers = { ContentType = null } }, "envelope");
        using var post = await host.Http.PostAsync(InboundPost.Url(host), content);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var accepted = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rectification", accepted.GetProperty("type").GetString());
        var request = await host.GetRequestAsync(accepted.GetProperty("reference").GetString()!);
        Assert.Equal("bob.jones@example.org", request.GetProperty("requester").GetProperty("email").GetString());
        Assert.Equal("Bob Jones", request.GetProperty("requester").GetProperty("name").GetString());
    }

    [Fact]
    public async Task MalformedPost_Gets400ProblemDetails_AndTheRawBodyIsKept()
    {
        using var content = new ByteArrayContent("--wrong\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nx"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=expected");
        using var post = await host.Http.PostAsync(InboundPost.Url(host), content);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        var problem = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith(DateTime.UtcNow.ToString("yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("rawBlob").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestList_FiltersByStatusAndType()
    {
        using var access = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("list-1@mail.example.com", "Carol White <carol.white@example.net>", "Subject access request", "Please send me a copy of all the personal data you hold about me."));
        using var erasure = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("list-2@mail.example.com", "Carol White <carol.white@example.net>", "Erasure", "Please delete all my personal data."));
        var accessRef = (await access.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var erasureRef = (await erasure.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        await host.WaitForStatusAsync(accessRef, "awaiting-identity");
        await host.WaitForStatusAsync(erasureRef, "awaiting-identity");

        async Task<List<string>> ListAsync(string query)
        {
            using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests" + query));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var refs = body.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("reference").GetString()!).ToList();
            Assert.Equal(refs.Count, body.GetProperty("count").GetInt32());
            return refs;
        }

        var waitingErasures = await ListAsync("?status=awaiting-identity&type=erasure");
        Assert.Contains(erasureRef, waitingErasures);
        Assert.DoesNotContain(accessRef, waitingErasures);
        var waiting = await ListAsync("?status=awaiting-identity");
        Assert.Contains(accessRef, waiting);
        Assert.Contains(erasureRef, waiting);
        var completed = await ListAsync("?status=completed");
        Assert.DoesNotContain(accessRef, completed);
        Assert.DoesNotContain(erasureRef, completed);
        var all = await ListAsync(string.Empty);
        Assert.Contains(accessRef, all);
        Assert.Contains(erasureRef, all);
    }

    private async Task<int> CountRequestsAsync()
    {
        using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests"));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
    }
}
