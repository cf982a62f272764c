using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests;

/// <summary>
/// Rectification, restriction, erasure and a staff-logged request through the real local host on Azurite, driven
/// as people would: emails from the outbox, link pages, the console, and the demo systems' tables checked directly.
/// </summary>
public sealed partial class RightsEndToEndTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private const string Northwind = "privacy@northwind-partners.example";
    private const string Fabrikam = "dpo@fabrikam-feedback.example";

    [Fact]
    public async Task Rectification_StaffDecideEachChange_AppliedInEverySystem_PartnersToldAndTheCustomerGetsWhatChangedWhere()
    {
        const string bob = "bob.jones@example.org";
        var reference = await host.PostRequestAsync("rect-1@mail.example.org", "Bob Jones <bob.jones@example.org>", "My details are wrong",
            "Hello, my phone number is wrong: it should be 020 7946 0999. Also my company name should be Jones Hosting Group.");
        await host.ConfirmAsync(reference, bob);

        // The approval page lists every field held, with what each system holds; staff decide change by change.
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        var approve = LocalHostFixture.Links(decision)[0];
        var page = await host.Http.GetStringAsync(approve);
        Assert.Contains("my phone number is wrong", page, StringComparison.Ordinal);
        var phone = FieldIndex(page, "Phone");
        var company = FieldIndex(page, "Company");

        // Approving with no decision is refused and changes nothing.
        using (var empty = await host.PostFormAsync(new Dictionary<string, string> { ["token"] = Token(approve), ["action"] = "approve" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using (var act = await host.PostFormAsync(new Dictionary<string, string>
        {
            ["token"] = Token(approve),
            ["action"] = "approve",
            [$"field_{phone}"] = "Phone", [$"decision_{phone}"] = "apply", [$"value_{phone}"] = "020 7946 0999",
            [$"field_{company}"] = "Company", [$"decision_{company}"] = "refuse", [$"refusal_{company}"] = "Companies House lists the company as Jones Hosting; we keep the registered name.",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, act.StatusCode);
        }

        var done = await host.WaitForMailAsync(reference, bob, "We have corrected your data");
        var text = done.GetProperty("text").GetString()!;
        Assert.Contains("020 7946 0999", text, StringComparison.Ordinal);
        Assert.Contains("020 7946 0321", text, StringComparison.Ordinal); // from what
        Assert.Contains("Companies House lists the company", text, StringComparison.Ordinal);
        Assert.Contains("Information Commissioner", text, StringComparison.Ordinal);
        Assert.Contains("Northwind Implementation Partners", text, StringComparison.Ordinal);

        var crm = Assert.Single(await host.RowsAsync("SysCrm", bob));
        Assert.Equal("020 7946 0999", crm.GetString("Phone"));
        Assert.Equal("Jones Hosting", crm.GetString("Company"));
        var partner = await host.WaitForMailAsync(reference, Northwind, "please correct");
        Assert.Contains("020 7946 0999", partner.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(await host.OutboxAsync(Fabrikam, reference)); // feedback was not changed: its provider is not told

        await host.WaitForStatusAsync(reference, "completed");
        var evidence = await EvidenceAsync(reference);
        Assert.True(evidence.GetProperty("documents").TryGetProperty("rectification", out _));
        Assert.True(evidence.GetProperty("clock").GetProperty("onTime").GetBoolean());
    }

    [Fact]
    public async Task Restriction_FlagsEverySystem_StopsMarketing_CrmShowsIt_AndLiftingTellsTheCustomerFirst()
    {
        const string dan = "dan.brown@example.co.uk";
        using (var before = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to={dan}", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        var reference = await host.PostRequestAsync("restrict-1@mail.example.co.uk", "Dan Brown <dan.brown@example.co.uk>", "Restriction of processing",
            "Please restrict the processing of my personal data while you check the accuracy of my address.");
        await host.ConfirmAsync(reference, dan);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var applied = await host.WaitForMailAsync(reference, dan, "We have restricted the use of your data");
        Assert.Contains("Customer relationship management (CRM)", applied.GetProperty("text").GetString(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "restricted");

        // Every system that holds Dan's data carries the flag; the CRM contact shows it; marketing stops; storage goes on.
        foreach (var table in new[] { "SysCrm", "SysContracts", "SysCommunications" })
        {
            Assert.Contains(await host.RowsAsync(table, dan), r => r.RowKey == "restriction" && r.GetString("Restricted") == "yes");
        }

        Assert.StartsWith("Restricted since", (await host.RowsAsync("SysCrm", dan)).Single(r => r.RowKey == "contact").GetString("Restriction"), StringComparison.Ordinal);
        using (var blocked = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to={dan}", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);
            Assert.Contains("Art 18", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await host.WaitForMailAsync(reference, Northwind, "please restrict");

        // Lifting is a staff action in the console; the customer is told before it lifts (Art 18(3)).
        await host.SignInToConsoleAsync();
        var console = await host.Http.GetStringAsync($"{host.BaseUrl}/console/requests/{reference}");
        var lift = LocalHostFixture.ConsoleToken(console, "lift-restriction");
        using (var act = await host.PostFormAsync(new Dictionary<string, string> { ["token"] = lift, ["action"] = "lift-restriction", ["reason"] = "We have checked your address and it is correct." }))
        {
            Assert.True(act.IsSuccessStatusCode, $"Lift answered {(int)act.StatusCode}");
        }

        var notice = await host.WaitForMailAsync(reference, dan, "We will lift the restriction");
        Assert.Contains("We have checked your address", notice.GetProperty("text").GetString(), StringComparison.Ordinal);
        JsonElement lifted;
        try
        {
            lifted = await host.WaitForMailAsync(reference, dan, "has been lifted");
        }
        catch (TimeoutException)
        {
            output.WriteLine((await host.GetRequestAsync(reference)).GetRawText());
            throw;
        }

        var order = (await host.OutboxAsync(dan, reference)).Select(m => m.GetProperty("subject").GetString()!).ToList();
        Assert.True(order.FindIndex(s => s.StartsWith("We will lift", StringComparison.Ordinal)) < order.FindIndex(s => s.Contains("has been lifted", StringComparison.Ordinal)));
        Assert.NotEqual(default, lifted);

        await host.WaitForStatusAsync(reference, "completed");
        Assert.DoesNotContain(await host.RowsAsync("SysCrm", dan), r => r.RowKey == "restriction");
        Assert.Null((await host.RowsAsync("SysCrm", dan)).Single(r => r.RowKey == "contact").GetString("Restriction"));
        using (var again = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to={dan}", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }
    }

    [Fact]
    public async Task Erasure_ErasesAnonymisesOrRetainsPerRule_ProofHasHashesNotValues_PartnersTold_AndASecondErasureChangesNothingMore()
    {
        const string alice = "alice.smith@example.com";
        var reference = await EraseAliceAsync("erase-1@mail.example.com");

        var done = await host.WaitForMailAsync(reference, alice, "We have erased your data");
        var text = done.GetProperty("text").GetString()!;
        Assert.Contains("retained", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("31 March 2033", text, StringComparison.Ordinal); // licence runs to 31 March 2027: claims for six years after (Limitation Act 1980 s 5)
        Assert.Contains("Northwind Implementation Partners", text, StringComparison.Ordinal);
        Assert.Contains("Fabrikam Feedback Services", text, StringComparison.Ordinal);
        await host.WaitForMailAsync(reference, Northwind, "please erase");
        await host.WaitForMailAsync(reference, Fabrikam, "please erase");

        // Erased: website account and log-ins, downloads, notices. Anonymised: feedback (no free text), consent (suppression entry).
        Assert.Empty(await host.RowsAsync("SysWebsiteAccounts", alice));
        Assert.Empty(await host.RowsAsync("SysDownloads", alice));
        Assert.Empty(await host.RowsAsync("SysFeedback", alice));
        Assert.DoesNotContain(await host.RowsAsync("SysFeedback", "anonymised"), r => r.ContainsKey("Answer"));
        using (var marketing = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to={alice}", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, marketing.StatusCode); // on the suppression list
        }

        // Retained: contracts (claims), CRM (needed while claims can be brought), partner shares (accountability) — restricted, with an end date.
        var contracts = await host.RowsAsync("SysContracts", alice);
        Assert.NotEmpty(contracts);
        Assert.All(contracts, r => Assert.Equal("yes", r.GetString("Restricted")));
        Assert.All(contracts, r => Assert.Equal("2033-03-31", r.GetString("RetainUntil")));

        await host.WaitForStatusAsync(reference, "completed");
        // The schedule for the retained records is written just after the request completes: wait for it, not for a moment.
        await host.WaitUntilAsync(async () => (await EvidenceAsync(reference)).GetRawText().Contains("erasure-scheduled-1", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the scheduled erasure to be recorded");
        var evidence = await EvidenceAsync(reference);
        var proofs = evidence.GetProperty("documents").EnumerateObject().Where(p => p.Name.StartsWith("erasure-0-", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, proofs.Count);
        var raw = evidence.GetRawText();
        Assert.DoesNotContain("203.0.113.24", raw, StringComparison.Ordinal); // the erased IP address
        Assert.DoesNotContain("Tom Baker", raw, StringComparison.Ordinal);    // the erased feedback text
        Assert.Contains(proofs, p => p.Value.GetProperty("records").EnumerateArray().Any(r => r.GetProperty("sha256").GetString()!.Length == 64));
        Assert.Contains("erasure-scheduled-1", raw, StringComparison.Ordinal);

        // The same erasure asked again: only retained data is left, and it stays as it was.
        var before = await SnapshotAsync(alice);
        var second = await EraseAliceAsync("erase-2@mail.example.com");
        var secondDone = await host.WaitForMailAsync(second, alice, "We have erased your data");
        Assert.Contains("retained", secondDone.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);
        await host.WaitForStatusAsync(second, "completed");
        Assert.Equal(before, await SnapshotAsync(alice));
    }

    [Fact]
    public async Task Erasure_UnderALegalHold_KeepsEverythingRestricted_AndSaysWhy_Art17_3_e()
    {
        const string erin = "erin.green@example.com";
        // The address goes in the body, never the URL; a bad field is named.
        foreach (var (body, field) in new[] { ("""{"email": "erin.green@example.com"}""", "reason"), ("""{"email": "not an address", "reason": "A claim."}""", "email"), ("""{"reason": "A claim."}""", "email"), ("[1]", "body") })
        {
            using var bad = await host.Http.SendAsync(StaffJson(HttpMethod.Post, "/api/legal-holds", body));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(field, (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }

        string id;
        using (var hold = await host.Http.SendAsync(StaffJson(HttpMethod.Post, "/api/legal-holds", """{"email": "Erin.Green@example.com", "reason": "Data needed for the ongoing claim Green Freight v JML (county court)."}""")))
        {
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
            id = (await hold.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            Assert.Matches("^[0-9a-f]{32}$", id);
        }

        using (var list = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/legal-holds")))
        {
            var held = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("holds").EnumerateArray().Single(h => h.GetProperty("id").GetString() == id);
            Assert.True(held.GetProperty("active").GetBoolean());
            Assert.Equal(erin, held.GetProperty("email").GetString());
        }

        var reference = await host.PostRequestAsync("erase-hold-1@mail.example.com", "Erin Green <erin.green@example.com>", "Please delete my data", "Please delete all my personal data and close my account.");
        await host.ConfirmAsync(reference, erin);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var done = await host.WaitForMailAsync(reference, erin, "We have erased your data");
        var text = done.GetProperty("text").GetString()!;
        Assert.Contains("legal", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(": erased.", text, StringComparison.Ordinal);
        foreach (var table in new[] { "SysWebsiteAccounts", "SysCrm", "SysDownloads" })
        {
            var rows = await host.RowsAsync(table, erin);
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Equal("yes", r.GetString("Restricted")));
            Assert.All(rows, r => Assert.Equal("until the legal hold is lifted", r.GetString("RetainUntil")));
        }

        await host.WaitForStatusAsync(reference, "completed");
        await host.WaitUntilAsync(async () => (await EvidenceAsync(reference)).GetRawText().Contains("erasure-held-1", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the hold to be recorded");
        Assert.DoesNotContain("erasure-scheduled-1", (await EvidenceAsync(reference)).GetRawText(), StringComparison.Ordinal); // no end date: nothing on a timer

        // Lifting the hold: the held records are decided again, erased now (no other rule keeps them), and Erin is told.
        using (var unknown = await host.Http.SendAsync(host.Staff(HttpMethod.Delete, $"/api/legal-holds/{new string('0', 32)}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var lift = await host.Http.SendAsync(host.Staff(HttpMethod.Delete, $"/api/legal-holds/{id}")))
        {
            Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
            var lifted = await lift.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(reference, Assert.Single(lifted.GetProperty("erasuresResumed").EnumerateArray()).GetString());
        }

        await host.WaitForMailAsync(reference, erin, "We have erased the rest of your data");
        Assert.Empty(await host.RowsAsync("SysWebsiteAccounts", erin));
        Assert.Empty(await host.RowsAsync("SysCrm", erin));

        using (var again = await host.Http.SendAsync(host.Staff(HttpMethod.Delete, $"/api/legal-holds/{id}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        // A lifted hold keeps its id, reason and dates, no longer the address.
        using (var after = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/legal-holds")))
        {
            var raw = await after.Content.ReadAsStringAsync();
            Assert.Contains(id, raw, StringComparison.Ordinal);
            Assert.DoesNotContain(erin, raw, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task StaffLoggedPostalRequest_CountsFromReceivedAt_AsksForClarification_AndTheEvidencePackShowsItOnTime()
    {
        const string carol = "carol.white@example.net";
        var received = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-3);
        using var created = await host.Http.SendAsync(StaffJson(HttpMethod.Post, "/api/requests",
            $$"""{"type": "access", "requesterEmail": "{{carol}}", "requesterName": "Carol White", "receivedAt": "{{received:yyyy-MM-dd}}", "channel": "post", "details": "Letter dated last week asking for a copy of my data."}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var reference = body.GetProperty("reference").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", body.GetProperty("dueDate").GetString()!);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("status").GetString()));
        var due = DateOnly.ParseExact(body.GetProperty("dueDate").GetString()!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(due.DayNumber - received.DayNumber, 28, 35); // one calendar month from receipt, moved past a weekend or holiday
        Assert.Equal("post", (await host.GetRequestAsync(reference)).GetProperty("channel").GetString());

        await host.ConfirmAsync(reference, carol);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        var pausedBefore = (await host.GetRequestAsync(reference)).GetProperty("pausedDays").GetInt32();
        var clarify = LocalHostFixture.Links(decision).Single(l => LinkAction(l) == "clarify");
        using (var ask = await host.PressAsync(clarify, "clarify", "Which product's download records do you want?"))
        {
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        }

        var question = await host.WaitForMailAsync(reference, carol, "Please tell us more");
        Assert.Contains("Which product's download records", question.GetProperty("text").GetString(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "awaiting-clarification");
        Assert.True((await host.GetRequestAsync(reference)).GetProperty("paused").GetBoolean());
        var answerLink = Assert.Single(LocalHostFixture.Links(question));
        Assert.Contains("Your answer", await host.Http.GetStringAsync(answerLink), StringComparison.Ordinal);

        // Carol answers by replying to the email rather than with the link: the reply is her answer, not a new request.
        var before = await host.CountRequestsAsync();
        using (var reply = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Parsed("clarify-reply-1@mail.example.net", "Carol White <carol.white@example.net>",
            "Re: " + question.GetProperty("subject").GetString(), "Only JML Ledger Trial, please.\n\n> Which product's download records do you want?")))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            var answered = await reply.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(reference, answered.GetProperty("reference").GetString());
            Assert.True(answered.GetProperty("answer").GetBoolean());
        }

        Assert.Equal(before, await host.CountRequestsAsync());
        await host.WaitUntilAsync(async () => (await host.GetRequestAsync(reference)).GetProperty("status").GetString() != "awaiting-clarification", TimeSpan.FromSeconds(60), "the answer to be taken");
        using (var late = await host.PressAsync(answerLink, "answer", "Also the licence records."))
        {
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode); // already answered: the link decides nothing more
        }

        // A new decision round, with the due date moved by the days the clock was stopped (asked and answered today: one day).
        await host.WaitUntilAsync(async () => (await host.OutboxAsync(Privacy, reference)).Count(m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal)) == 2,
            TimeSpan.FromSeconds(60), "the second decision email");
        var record = await host.GetRequestAsync(reference);
        Assert.Equal(pausedBefore + 1, record.GetProperty("pausedDays").GetInt32());
        var second = (await host.OutboxAsync(Privacy, reference)).Last(m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal));
        using (var approve = await host.PressAsync(LocalHostFixture.Links(second)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        await host.WaitForMailAsync(reference, carol, "Your personal data");
        await host.WaitForStatusAsync(reference, "completed");
        var evidence = await EvidenceAsync(reference);
        Assert.True(evidence.GetProperty("clock").GetProperty("onTime").GetBoolean());
        Assert.Equal(received.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), evidence.GetProperty("clock").GetProperty("receivedOn").GetString());
        var emails = evidence.GetProperty("emails").EnumerateArray().Select(e => e.GetProperty("step").GetString()).ToList();
        Assert.Contains("acknowledgement", emails);
        Assert.Contains("fulfilment", emails);
        Assert.Contains(evidence.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == "logged");
        Assert.DoesNotContain("Only JML Ledger Trial", evidence.GetRawText(), StringComparison.Ordinal); // the answer stays in the Decisions table
        var html = await (await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}/evidence?format=html"))).Content.ReadAsStringAsync();
        Assert.Contains("On time", html, StringComparison.Ordinal);
        output.WriteLine($"{reference}: due {due:yyyy-MM-dd}, evidence pack {evidence.GetRawText().Length} bytes");
    }

    [Fact]
    public async Task Complaint_ByEmail_IsRecognised_AcknowledgedAtOnce_LinkedToItsRequest_AndAnsweredWithTheIcoRight()
    {
        const string carol = "carol.white@example.net";
        using var logged = await host.Http.SendAsync(StaffJson(HttpMethod.Post, "/api/requests",
            $$"""{"type": "erasure", "requesterEmail": "{{carol}}", "channel": "phone", "details": "Called to ask us to delete her account."}"""));
        var about = (await logged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;

        var reference = await host.PostRequestAsync("complaint-1@mail.example.net", "Carol White <carol.white@example.net>", "Complaint",
            $"I want to complain about how you have handled my erasure request {about}. Nobody has got back to me and I am not happy with how my personal data has been handled.");
        var record = await host.GetRequestAsync(reference);
        Assert.Equal("complaint", record.GetProperty("type").GetString());
        Assert.Equal(about, record.GetProperty("aboutReference").GetString());

        var ack = await host.WaitForMailAsync(reference, carol, "We have received your complaint");
        Assert.Contains(reference, ack.GetProperty("text").GetString(), StringComparison.Ordinal);
        var staff = await host.WaitForMailAsync(reference, Privacy, "Complaint to answer");
        Assert.Contains(about, staff.GetProperty("subject").GetString(), StringComparison.Ordinal);
        using (var respond = await host.PressAsync(LocalHostFixture.Links(staff)[0], "respond", "We apologise: your erasure request was delayed by a staff absence. It has now been completed, and we have changed our cover arrangements."))
        {
            Assert.Equal(HttpStatusCode.OK, respond.StatusCode);
        }

        var outcome = await host.WaitForMailAsync(reference, carol, "The outcome of your complaint");
        var text = outcome.GetProperty("text").GetString()!;
        Assert.Contains("changed our cover arrangements", text, StringComparison.Ordinal);
        Assert.Contains("Information Commissioner", text, StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "complaint-closed");
        var timeline = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("step").GetString()).ToList();
        Assert.Contains("complaint-acknowledged", timeline);
        Assert.Contains((await host.GetRequestAsync(about)).GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == $"complaint-{reference}");
    }

    [Theory]
    [InlineData("""{"type": "portability", "requesterEmail": "a@example.com", "receivedAt": "2026-11-01", "channel": "post"}""", "type")]
    [InlineData("""{"type": "access", "requesterEmail": "not-an-address", "receivedAt": "2026-11-01", "channel": "post"}""", "requesterEmail")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": "2999-01-01", "channel": "post"}""", "receivedAt")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": "yesterday", "channel": "post"}""", "receivedAt")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": "2026-11-01", "channel": "fax"}""", "channel")]
    [InlineData("""{"type": "access", "requesterEmail": """, "body")]
    public async Task StaffLoggedRequest_WithBadInput_Is400ProblemDetailsNamingTheField(string json, string field)
    {
        var count = await host.CountRequestsAsync();
        using var response = await host.Http.SendAsync(StaffJson(HttpMethod.Post, "/api/requests", json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(count, await host.CountRequestsAsync());
    }

    private async Task<string> EraseAliceAsync(string messageId)
    {
        var reference = await host.PostRequestAsync(messageId, "Alice Smith <alice.smith@example.com>", "Right to erasure", "Please delete all my personal data. I no longer want to be your customer.");
        await host.ConfirmAsync(reference, "alice.smith@example.com");
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve");
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        return reference;
    }

    private async Task<string> SnapshotAsync(string email)
    {
        var all = new List<string>();
        foreach (var table in new[] { "SysWebsiteAccounts", "SysCrm", "SysContracts", "SysDownloads", "SysCommunications", "SysFeedback", "SysPartnerShares" })
        {
            foreach (var row in await host.RowsAsync(table, email))
            {
                all.Add(table + "/" + row.RowKey + ":" + string.Join(",", row.Where(kv => kv.Key is not ("Timestamp" or "odata.etag")).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
            }
        }

        return string.Join("\n", all);
    }

    private async Task<JsonElement> EvidenceAsync(string reference)
    {
        using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}/evidence"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private HttpRequestMessage StaffJson(HttpMethod method, string path, string json)
    {
        var m = host.Staff(method, path);
        m.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return m;
    }

    private static string Token(string link) => Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);

    /// <summary>The action a link's token allows (its claims are readable; only the signature makes them binding).</summary>
    private static string LinkAction(string link)
    {
        var body = Token(link).Split('.')[0].Replace('-', '+').Replace('_', '/');
        body += new string('=', (4 - (body.Length % 4)) % 4);
        using var doc = JsonDocument.Parse(Convert.FromBase64String(body));
        return doc.RootElement.GetProperty("a")[0].GetString()!;
    }

    private static int FieldIndex(string page, string field)
    {
        var m = Regex.Match(page, $"name=\"field_(\\d+)\" value=\"{field}\"");
        Assert.True(m.Success, $"The approval page offers no change for {field}.");
        return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
