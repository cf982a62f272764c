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
            InboundPost.Parsed("e2e-1@mail.example.com", "Alice Smith <Alice.Smith@example.com>", "Subject access request", "Please send me a copy of all the personal data you hold about me.", dkim: "none", spf: "softfail"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var accepted = await post.Content.ReadFromJsonAsync<JsonElement>();
        var reference = accepted.GetProperty("reference").GetString()!;
        Assert.Matches(@"^DSR-\d{4}-\d{6}$", reference);
        Assert.Equal("access", accepted.GetProperty("type").GetString());

        // SendGrid retries the same email: still one request.
        using var retry = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-1@mail.example.com", "Alice Smith <Alice.Smith@example.com>", "Subject access request", "Please send me a copy of all the personal data you hold about me.", dkim: "none", spf: "softfail"));
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
        Assert.Equal(7, links.Count); // approve, reject, refuse, extend, clarify, charge a fee, ask for ID

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
        var fulfilmentLinks = LocalHostFixture.Links(fulfilment);
        Assert.Equal(2, fulfilmentLinks.Count);
        Assert.EndsWith("&format=pdf", fulfilmentLinks[0], StringComparison.Ordinal); // the PDF first, as the privacy policy offers it
        var download = LocalHostFixture.DownloadLink(fulfilment);
        var json = await host.Http.GetFromJsonAsync<JsonElement>(download + "&format=json");
        Assert.Equal(reference, json.GetProperty("reference").GetString());
        var systems = json.GetProperty("systems").EnumerateArray().ToList();
        Assert.Equal(8, systems.Count); // every system in the data map, the SendGrid mailing lists among them
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
        using (var copy = await host.Http.GetAsync(download + "&format=html"))
        {
            // The access copy is an HTML document like the pages: the one Content-Security-Policy applies to it too.
            Assert.Equal(JmlDsr.Pages.HtmlSecurity.Policy, copy.Headers.GetValues("Content-Security-Policy").Single());
        }

        var html = await host.Http.GetStringAsync(download + "&format=html");
        Assert.DoesNotContain("Tom Baker", html, StringComparison.Ordinal);
        Assert.Contains("Information Commissioner", html, StringComparison.Ordinal);
        Assert.Contains("Who receives it", html, StringComparison.Ordinal);
        Assert.Contains("Smith Analytics Ltd", html, StringComparison.Ordinal);
        Assert.Contains("01632 960123", html, StringComparison.Ordinal);
        Assert.Contains("<strong>IP address</strong>: 203.0.113.24", html, StringComparison.Ordinal);

        // The PDF: the same document, as searchable text with page numbers.
        using (var pdf = await host.Http.GetAsync(fulfilmentLinks[0]))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", pdf.Headers.CacheControl?.ToString());
            using var doc = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync());
            var pages = doc.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text))).ToList();
            var text = string.Join('\n', pages);
            foreach (var part in new[] { "Your personal data held by JML", "About all of your data", "Customer relationship management (CRM)", "Who receives it", "Information Commissioner", "Company: Smith Analytics Ltd", "IP address: 203.0.113.24", "Login email:", "[redacted" })
            {
                Assert.Contains(part, text, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("Tom Baker", text, StringComparison.Ordinal);
            Assert.DoesNotContain("IpAddress", text, StringComparison.Ordinal);
            Assert.Contains($"Page 1 of {doc.NumberOfPages}", pages[0], StringComparison.Ordinal);
            Assert.Contains($"Page {doc.NumberOfPages} of {doc.NumberOfPages}", pages[^1], StringComparison.Ordinal);
        }

        // A forged or expired download link is refused for the PDF exactly as for the web page.
        var signer = new JmlDsr.Domain.Links.LinkTokenSigner("dev-link-signing-key-0123456789abcdef-not-for-production");
        var exportToken = Uri.UnescapeDataString(download[(download.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var bad = new Dictionary<string, (string Token, HttpStatusCode Status)>
        {
            ["forged"] = (exportToken[..(exportToken.IndexOf('.', StringComparison.Ordinal) + 1)] + new string('A', 43), HttpStatusCode.Forbidden),
            ["expired"] = (signer.Sign(new JmlDsr.Domain.Links.LinkClaims(reference, "export", [JmlDsr.Domain.Links.LinkActions.Download], DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), "old")), HttpStatusCode.Gone),
        };
        foreach (var (name, (badToken, status)) in bad)
        {
            using var asHtml = await host.Http.GetAsync($"{host.BaseUrl}/api/exports?token={Uri.EscapeDataString(badToken)}&format=html");
            using var asPdf = await host.Http.GetAsync($"{host.BaseUrl}/api/exports?token={Uri.EscapeDataString(badToken)}&format=pdf");
            Assert.True(status == asHtml.StatusCode, $"{name} (html): {(int)asHtml.StatusCode}");
            Assert.True(status == asPdf.StatusCode, $"{name} (pdf): {(int)asPdf.StatusCode}");
            Assert.Equal("text/html", asPdf.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await asHtml.Content.ReadAsStringAsync(), await asPdf.Content.ReadAsStringAsync());
        }

        await host.WaitForStatusAsync(reference, "completed");
        var done = await host.GetRequestAsync(reference);
        var steps = done.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("step").GetString()).ToList();
        foreach (var step in new[] { "acknowledgement-sent", "verification-requested", "identity-confirmed", "searched-crm", "approval-1-requested", "approved", "export-written", "fulfilment-sent", "downloaded-pdf", "completed" })
        {
            Assert.Contains(step, steps);
        }

        Assert.Contains(steps, s => s!.StartsWith("link-refused-reused", StringComparison.Ordinal));
        var byHand = done.GetProperty("timeline").EnumerateArray().Single(t => t.GetProperty("step").GetString() == "redacted-by-hand-approval-1");
        Assert.Contains("Names an internal incident of another customer.", byHand.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("(email link)", byHand.GetProperty("actor").GetString(), StringComparison.Ordinal);
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
    public async Task UnknownAddress_IsAskedForAnotherAddressOrNumber_AndWithNothingMore_IsAnsweredThatNoDataIsHeld()
    {
        const string stranger = "stranger@example.org";
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-stranger@mail.example.org", stranger, "Data request", "What data do you hold about me? Please send me a copy."));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var ack = await host.WaitForMailAsync(reference, stranger, "We have received your request");
        Assert.Contains("could not find this email address in our records", ack.GetProperty("text").GetString(), StringComparison.Ordinal);
        var ask = await host.WaitForMailAsync(reference, stranger, "Help us find your records");
        var link = Assert.Single(LocalHostFixture.Links(ask));
        var (_, page, _) = await host.OpenAsync(link);
        Assert.Contains("name=\"otherEmail\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"number\"", page, StringComparison.Ordinal);
        using (var answer = await host.PressAsync(link, "give-identifiers"))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var answered = await host.WaitForMailAsync(reference, stranger, "We hold no personal data about you");
        Assert.Contains("we hold no personal data about you", answered.GetProperty("text").GetString(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "completed");
        var r = await host.GetRequestAsync(reference);
        Assert.Equal("other-identifiers", r.GetProperty("identity").GetProperty("need").GetString());
        Assert.DoesNotContain(await host.OutboxAsync(stranger), m => m.GetProperty("subject").GetString()!.Contains("could not confirm", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownAddress_WhoGivesTheirLicenceNumber_IsConfirmedFromTheAccountsMailbox_AndTheCopyIsOfThatAccount()
    {
        const string newAddress = "a.smith@new-employer.example";
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-licence@mail.example", "Alice Smith <" + newAddress + ">", "Data request", "Please send me a copy of all the personal data you hold about me."));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var ask = await host.WaitForMailAsync(reference, newAddress, "Help us find your records");
        var (_, page, _) = await host.OpenAsync(Assert.Single(LocalHostFixture.Links(ask)));
        var token = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value);
        using (var answer = await host.Http.PostAsync($"{host.BaseUrl}/api/links", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["action"] = "give-identifiers", ["number"] = "JLP-7781-XXXX" })))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        // The licence leads to Alice's account: her account's mailbox confirms, not the address that wrote.
        await host.ConfirmByLinkAsync(reference, Alice);
        Assert.DoesNotContain(await host.OutboxAsync(newAddress), m => m.GetProperty("subject").GetString()!.Contains("Please confirm your request", StringComparison.Ordinal));
        await host.WaitForStatusAsync(reference, "awaiting-approval");
        var r = await host.GetRequestAsync(reference);
        Assert.Equal(Alice, r.GetProperty("dataSubject").GetProperty("email").GetString());
    }

    [Fact]
    public async Task UnknownAddress_WhoRepliesByEmailWithTheirContractNumber_IsFound_AndTheAccountsMailboxConfirms()
    {
        const string newAddress = "alice@new-employer.example";
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-reply-id@mail.example", "Alice Smith <" + newAddress + ">", "Data request", "Please send me a copy of all the personal data you hold about me.", dkim: "{@new-employer.example : pass}"));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var ask = await host.WaitForMailAsync(reference, newAddress, "Help us find your records");

        // She answers the email instead of using the link: her reply quotes the reference and our message.
        using (var reply = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Parsed("e2e-reply-id-2@mail.example", "Alice Smith <" + newAddress + ">",
            "Re: " + ask.GetProperty("subject").GetString(), "Hello, my contract number is C-2023-0042.\n\n> " + ask.GetProperty("text").GetString()!.Replace("\n", "\n> ", StringComparison.Ordinal), dkim: "{@new-employer.example : pass}")))
        {
            var answered = await reply.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(answered.GetProperty("answer").GetBoolean());
            Assert.Equal(reference, answered.GetProperty("reference").GetString());
        }

        await host.ConfirmByLinkAsync(reference, Alice);
        await host.WaitForStatusAsync(reference, "awaiting-approval");
        Assert.Equal(Alice, (await host.GetRequestAsync(reference)).GetProperty("dataSubject").GetProperty("email").GetString());
    }

    [Fact]
    public async Task CustomerWritingFromTheirAccountAddress_InAuthenticatedMail_IsNotAskedForId_AndTheClockRunsFromReceipt()
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-obvious@mail.example.com", "Alice Smith <alice.smith@example.com>", "Subject access request", "Please send me a copy of all the personal data you hold about me."));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;

        var ack = await host.WaitForMailAsync(reference, Alice, "We have received your request");
        Assert.Contains("we do not need anything more to confirm who you are", ack.GetProperty("text").GetString(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "awaiting-approval");
        Assert.DoesNotContain(await host.OutboxAsync(Alice, reference), m => m.GetProperty("subject").GetString()!.Contains("Please confirm your request", StringComparison.Ordinal));
        var r = await host.GetRequestAsync(reference);
        Assert.Equal("not-in-doubt", r.GetProperty("identity").GetProperty("need").GetString());
        Assert.Equal(r.GetProperty("receivedAt").GetDateTimeOffset().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.GetProperty("relevantDate").GetString());
        Assert.Equal(0, r.GetProperty("pausedDays").GetInt32());
        var evidence = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}/evidence"));
        Assert.Contains("identity is not in doubt", await evidence.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessThenErasure_InOneMessage_AreTwoLinkedRequests_AcknowledgedTogether_AndTheCopyComesBeforeTheErasure()
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-two@mail.example.com", "Erin Green <erin.green@example.com>", "My data", "Please send me a copy of all the personal data you hold about me, then delete my account and all my data."));
        var body = await post.Content.ReadFromJsonAsync<JsonElement>();
        var opened = body.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(2, opened.Count);
        Assert.Equal(body.GetProperty("reference").GetString(), opened[0].GetProperty("reference").GetString());
        var access = opened.Single(o => o.GetProperty("type").GetString() == "access").GetProperty("reference").GetString()!;
        var erasure = opened.Single(o => o.GetProperty("type").GetString() == "erasure").GetProperty("reference").GetString()!;
        Assert.All(opened, o => Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", o.GetProperty("dueDate").GetString()!));

        // A repeat post of the same email opens nothing new.
        using (var again = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("e2e-two@mail.example.com", "Erin Green <erin.green@example.com>", "My data", "Please send me a copy of all the personal data you hold about me, then delete my account and all my data.")))
        {
            var repeat = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(new[] { access, erasure }.Order(), repeat.GetProperty("requests").EnumerateArray().Select(o => o.GetProperty("reference").GetString()!).Order());
        }

        var ack = await host.WaitForMailAsync(access, "erin.green@example.com", "We have received your requests");
        Assert.Contains(access, ack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(erasure, ack.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Single(await host.OutboxAsync("erin.green@example.com"), m => m.GetProperty("subject").GetString()!.StartsWith("We have received", StringComparison.Ordinal)
            && (m.GetProperty("subject").GetString()!.Contains(access, StringComparison.Ordinal) || m.GetProperty("subject").GetString()!.Contains(erasure, StringComparison.Ordinal)));
        Assert.Contains(access, (await host.GetRequestAsync(erasure)).GetProperty("linked").EnumerateArray().Select(e => e.GetString()));

        // Staff approve the erasure first: it waits for the access request.
        var erasureDecision = await host.WaitForMailAsync(erasure, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(erasureDecision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        await host.WaitUntilAsync(async () => (await host.GetRequestAsync(erasure)).GetProperty("timeline").EnumerateArray().Any(t => t.GetProperty("step").GetString() == "waiting-for-linked"),
            TimeSpan.FromSeconds(60), "the erasure to wait for the access request");
        Assert.Empty(await host.OutboxAsync("erin.green@example.com", erasure).ContinueWith(t => t.Result.Where(m => !m.GetProperty("subject").GetString()!.StartsWith("We have received", StringComparison.Ordinal)).ToList(), TaskScheduler.Default));

        var accessDecision = await host.WaitForMailAsync(access, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(accessDecision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        // Erin opens her copy (the PDF the email offers first); only then is her data erased.
        var copy = await host.WaitForMailAsync(access, "erin.green@example.com", "Your personal data");
        await host.WaitForStatusAsync(access, "completed");
        Assert.NotEqual("completed", (await host.GetRequestAsync(erasure)).GetProperty("status").GetString());
        using (var pdf = await host.Http.GetAsync(LocalHostFixture.Links(copy)[0]))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        }

        await host.WaitForStatusAsync(erasure, "completed", TimeSpan.FromSeconds(120));
        var accessDone = (await host.GetRequestAsync(access)).GetProperty("closedAt").GetDateTimeOffset();
        var erasureDone = (await host.GetRequestAsync(erasure)).GetProperty("closedAt").GetDateTimeOffset();
        Assert.True(accessDone < erasureDone, "The erasure ran before the access request was answered.");
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
            InboundPost.Parsed("list-1@mail.example.com", "Carol White <carol.white@example.net>", "Subject access request", "Please send me a copy of all the personal data you hold about me.", dkim: "none", spf: "none"));
        using var erasure = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("list-2@mail.example.com", "Carol White <carol.white@example.net>", "Erasure", "Please delete all my personal data.", dkim: "none", spf: "none"));
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
