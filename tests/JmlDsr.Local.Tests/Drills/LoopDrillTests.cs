using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>
/// The loop drill: a mailbox that feeds every email the product sends back into the privacy mailbox, as a real forwarding
/// rule would, and customers whose mail servers answer with out-of-office replies and bounces, while 20 real requests
/// run to completion. A product that answers its own mail would grow the outbox every round.
/// </summary>
[Trait("Category", "Drill")]
public sealed class LoopDrillTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    private const int Requests = 20;
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task EveryEmailFedBack_TwentyRequestsComplete_AndNoneMore()
    {
        using var stop = new CancellationTokenSource();
        var mailbox = new LoopingMailbox(host);
        var loop = Task.Run(() => mailbox.RunAsync(stop.Token));

        // 20 people ask for their data.
        var references = new List<string>();
        for (var i = 1; i <= Requests; i++)
        {
            var from = Customer(i);
            using var post = await host.Http.PostAsync(InboundPost.Url(host),
                InboundPost.Parsed($"loop-{i}@mail.example.org", $"Customer <{from}>", "Subject access request", "Please send me a copy of the personal data you hold about me.", dkim: "none", spf: "none"));
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            references.Add((await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!);
        }

        // Each is confirmed, approved and answered, while every email goes round the loop.
        await Parallel.ForEachAsync(references.Select((r, i) => (Reference: r, To: Customer(i + 1))), new ParallelOptions { MaxDegreeOfParallelism = 5 }, async (x, _) =>
        {
            var verify = await host.WaitForMailAsync(x.Reference, x.To, "Please confirm your request", TimeSpan.FromSeconds(120));
            using (var confirm = await host.PressAsync(LocalHostFixture.Links(verify)[0], "confirm-identity"))
            {
                Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            }

            var decision = await host.WaitForMailAsync(x.Reference, Privacy, "Decision needed", TimeSpan.FromSeconds(120));
            using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
            {
                Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
            }

            await host.WaitForStatusAsync(x.Reference, "completed", TimeSpan.FromSeconds(120));
        });

        // Let the loop run dry: every email sent has gone round, and nothing new was sent for a while.
        await host.WaitUntilAsync(async () => await mailbox.QuietAsync(TimeSpan.FromSeconds(4)), TimeSpan.FromSeconds(90), "the loop to run dry");
        await stop.CancelAsync();
        await loop;

        var outbox = await host.OutboxAsync();
        var list = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests"));
        var requests = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requests").EnumerateArray().ToList();
        var setAside = await SetAsideAsync(host, null);
        var reasons = setAside.GroupBy(s => s.GetProperty("reason").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Loop drill: {requests.Count} requests, {outbox.Count} emails sent, {mailbox.Posted} posts fed back ({mailbox.FedBack} own emails, {mailbox.AutoReplies} auto-replies, {mailbox.Bounces} bounces); set aside: {string.Join(", ", reasons.Select(kv => $"{kv.Key} {kv.Value}"))}"));

        // 20 requests and not one more; each email sent was one a request needs (4 per request: acknowledgement,
        // confirmation, decision, answer, plus the privacy team's alerts about the bounces fed back).
        Assert.Equal(Requests, requests.Count);
        Assert.All(references, r => Assert.Contains(requests, q => q.GetProperty("reference").GetString() == r));
        Assert.InRange(outbox.Count, 4 * Requests, (4 * Requests) + mailbox.Bounces);
        Assert.Empty(mailbox.Failures);

        // Every post fed back was set aside with its reason, none answered.
        Assert.Equal(mailbox.Posted, setAside.Count);
        Assert.Equal(mailbox.FedBack, reasons.GetValueOrDefault("own-mail"));
        Assert.Equal(mailbox.AutoReplies, reasons.GetValueOrDefault("auto-reply"));
        Assert.Equal(mailbox.Bounces, reasons.GetValueOrDefault("bounce"));
        Assert.DoesNotContain(outbox, m => m.GetProperty("to").GetString()!.StartsWith("mailer-daemon", StringComparison.OrdinalIgnoreCase));

        // An auto-reply quoting a request is on that request's timeline.
        var first = await host.GetRequestAsync(references[0]);
        Assert.Contains(first.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString()!.StartsWith("inbound-auto-reply", StringComparison.Ordinal));
    }

    /// <summary>The demo customers (each known to JML's systems, so each request runs to its answer), four requests each.</summary>
    private static readonly string[] Customers = ["alice.smith@example.com", "bob.jones@example.org", "carol.white@example.net", "dan.brown@example.co.uk", "erin.green@example.com"];

    private static string Customer(int i) => Customers[(i - 1) % Customers.Length];

    internal static async Task<List<JsonElement>> SetAsideAsync(LocalHostFixture host, string? reason)
    {
        using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/inbound/set-aside" + (reason is null ? string.Empty : "?reason=" + reason)));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("setAside").EnumerateArray().ToList();
    }

    /// <summary>
    /// The privacy mailbox's forwarding rule gone wrong, and the customers' mail servers: every captured email comes back
    /// into Inbound Parse as its copy (From our address, with the headers we set); every email to a customer also draws an
    /// out-of-office reply (every other one Outlook-style, with no RFC 3834 headers) and every fifth a bounce.
    /// </summary>
    private sealed class LoopingMailbox(LocalHostFixture host)
    {
        private readonly HashSet<string> _seen = [];
        private DateTimeOffset _lastNew = DateTimeOffset.UtcNow;
        private int _customerMails;

        public int Posted { get; private set; }

        public int FedBack { get; private set; }

        public int AutoReplies { get; private set; }

        public int Bounces { get; private set; }

        public ConcurrentBag<string> Failures { get; } = [];

        public async Task<bool> QuietAsync(TimeSpan quiet) =>
            await RoundAsync() == 0 && DateTimeOffset.UtcNow - _lastNew > quiet;

        public async Task RunAsync(CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                await RoundAsync();
                try
                {
                    await Task.Delay(250, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private readonly SemaphoreSlim _round = new(1, 1);

        private async Task<int> RoundAsync()
        {
            await _round.WaitAsync();
            try
            {
                var fresh = (await host.OutboxAsync()).Where(m => _seen.Add(m.GetProperty("id").GetString()!)).ToList();
                foreach (var mail in fresh)
                {
                    await FeedBackAsync(mail);
                }

                if (fresh.Count > 0)
                {
                    _lastNew = DateTimeOffset.UtcNow;
                }

                return fresh.Count;
            }
            finally
            {
                _round.Release();
            }
        }

        private async Task FeedBackAsync(JsonElement mail)
        {
            var id = mail.GetProperty("id").GetString()!;
            var to = mail.GetProperty("to").GetString()!;
            var from = mail.GetProperty("from").GetString()!;
            var subject = mail.GetProperty("subject").GetString()!;
            var text = mail.GetProperty("text").GetString()!;
            var ours = new StringBuilder();
            foreach (var h in mail.GetProperty("headers").EnumerateObject())
            {
                ours.Append(h.Name).Append(": ").Append(h.Value.GetString()).Append("\r\n");
            }

            // Our own email, forwarded back to the privacy mailbox with its headers.
            await PostAsync(InboundPost.Parsed($"fed-{id}@loop.example", $"JML Privacy Team <{from}>", subject, text, envelopeFrom: from, extraHeaders: ours.ToString()));
            FedBack++;
            if (to.EndsWith("@jmlsoftware.co.uk", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            // The customer is away: their server answers.
            _customerMails++;
            var quoted = "> " + text.Replace("\n", "\n> ", StringComparison.Ordinal);
            var outlookStyle = _customerMails % 2 == 0;
            await PostAsync(InboundPost.Parsed($"ooo-{id}@mail.example.org", $"Customer <{to}>", (outlookStyle ? "Automatic reply: " : "Out of Office: ") + subject,
                "Thank you for your email. I am out of the office until Monday with limited access to email.\n\n" + quoted,
                extraHeaders: outlookStyle ? string.Empty : "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n"));
            AutoReplies++;
            if (_customerMails % 5 == 0)
            {
                await PostAsync(InboundPost.Parsed($"dsn-{id}@mx.example.org", "Mail Delivery System <MAILER-DAEMON@mx.example.org>", "Undelivered Mail Returned to Sender",
                    $"This is the mail system at host mx.example.org.\n\nI'm sorry to have to inform you that your message could not be delivered to one or more recipients.\n\n<{to}>: host mx.example.org said: 550 5.1.1 User unknown\n\n--- Original message ---\nSubject: {subject}\n\n{quoted}",
                    envelopeFrom: string.Empty,
                    extraHeaders: "Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"\r\nAuto-Submitted: auto-replied\r\n"));
                Bounces++;
            }
        }

        private async Task PostAsync(MultipartFormDataContent content)
        {
            using (content)
            {
                using var post = await host.Http.PostAsync(InboundPost.Url(host), content);
                Posted++;
                var body = await post.Content.ReadAsStringAsync();
                if (post.StatusCode != HttpStatusCode.OK || !body.Contains("\"setAside\"", StringComparison.Ordinal))
                {
                    Failures.Add($"{(int)post.StatusCode}: {body}");
                }
            }
        }
    }
}

/// <summary>What staff do with set-aside mail, and the sender limit.</summary>
[Trait("Category", "Drill")]
public sealed class SetAsideTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task SetAsideMail_OpensAsARequest_CountedFromItsReceipt()
    {
        // A real person's request that happens to carry an autoresponder header (a badly set-up mail client): set aside…
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("looks-automatic@mail.example.org", "Bob Jones <bob.jones@example.org>", "Please delete my account", "Please delete my account and all my data.", extraHeaders: "Auto-Submitted: auto-generated\r\n"));
        var answer = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("reference").ValueKind);
        Assert.Equal("none", answer.GetProperty("type").GetString());
        Assert.Equal("auto-reply", answer.GetProperty("setAside").GetString());
        var item = Assert.Single(await LoopDrillTests.SetAsideAsync(host, "auto-reply"), s => s.GetProperty("subject").GetString() == "Please delete my account");
        var id = item.GetProperty("id").GetString()!;
        Assert.Empty(await host.OutboxAsync("bob.jones@example.org"));

        // …staff open it in one action; the request counts from the email's receipt, and a SendGrid retry is the same request.
        using var open = await host.Http.SendAsync(host.Staff(HttpMethod.Post, $"/api/inbound/set-aside/{id}/open"));
        Assert.Equal(HttpStatusCode.Created, open.StatusCode);
        var opened = await open.Content.ReadFromJsonAsync<JsonElement>();
        var reference = opened.GetProperty("reference").GetString()!;
        Assert.Equal("erasure", opened.GetProperty("type").GetString());
        var request = await host.GetRequestAsync(reference);
        Assert.Equal(item.GetProperty("receivedAt").GetDateTimeOffset(), request.GetProperty("receivedAt").GetDateTimeOffset());
        await host.WaitForMailAsync(reference, "bob.jones@example.org", "We have received your request");

        using var again = await host.Http.SendAsync(host.Staff(HttpMethod.Post, $"/api/inbound/set-aside/{id}/open"));
        Assert.Equal(reference, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString());
        using var retry = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("looks-automatic@mail.example.org", "Bob Jones <bob.jones@example.org>", "Please delete my account", "Please delete my account and all my data.", extraHeaders: "Auto-Submitted: auto-generated\r\n"));
        Assert.Equal(reference, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString());
    }

    [Fact]
    public async Task WebFormRelay_IsAnsweredToThePersonInReplyTo()
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("form-1@forms.example.net", "Website contact form <no-reply@forms.example.net>", "Contact form: data request",
                "Name: Carol White\nMessage: Please send me a copy of all the personal data you hold about me.", replyTo: "Carol White <carol.white@example.net>",
                dkim: "{@forms.example.net : pass}"));
        var answer = await post.Content.ReadFromJsonAsync<JsonElement>();
        var reference = answer.GetProperty("reference").GetString()!;
        Assert.Equal("access", answer.GetProperty("type").GetString());
        await host.WaitForMailAsync(reference, "carol.white@example.net", "We have received your request");
        Assert.Empty(await host.OutboxAsync("no-reply@forms.example.net"));
        var request = await host.GetRequestAsync(reference);
        Assert.Contains(request.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == "intake-requester"
            && t.GetProperty("detail").GetString()!.Contains("carol.white@example.net", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StaffForwardInline_IsAnsweredToTheOriginalSender_OnlyWhenTheForwardAuthenticates()
    {
        const string Body = "Can you deal with this one?\n\n---------- Forwarded message ---------\nFrom: Dan Brown <dan.brown@example.co.uk>\nDate: Mon, 30 Nov 2026 at 09:12\nSubject: My data\nTo: <enquiries@jmlsoftware.co.uk>\n\nPlease delete my account and all my personal data.\n";
        using var signed = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("fwd-1@jmlsoftware.co.uk", "Sam Staff <sam.staff@jmlsoftware.co.uk>", "Fwd: My data", Body, envelopeFrom: "sam.staff@jmlsoftware.co.uk", dkim: "{@jmlsoftware.co.uk : pass}"));
        var answer = await signed.Content.ReadFromJsonAsync<JsonElement>();
        var reference = answer.GetProperty("reference").GetString()!;
        Assert.Equal("erasure", answer.GetProperty("type").GetString());
        await host.WaitForMailAsync(reference, "dan.brown@example.co.uk", "We have received your request");
        Assert.Empty(await host.OutboxAsync("sam.staff@jmlsoftware.co.uk"));
        // The forward authenticated as Sam's mail, not Dan's: Dan confirms from his own mailbox (Art 12(6)).
        await host.WaitForMailAsync(reference, "dan.brown@example.co.uk", "Please confirm your request");

        // The same forward, but its JML sender did not authenticate: anyone can write "From: Sam Staff". Set aside for a look.
        using var forged = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("fwd-2@attacker.example", "Sam Staff <sam.staff@jmlsoftware.co.uk>", "Fwd: My data", Body, envelopeFrom: "x@attacker.example", dkim: "none", spf: "fail"));
        Assert.Equal("unauthenticated-forward", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("setAside").GetString());
    }

    [Fact]
    public async Task CircuitBreaker_HoldsBackMailToOneAddressPastTheHourlyLimit_AndAlertsThePrivacyTeam()
    {
        const string To = "loop-victim@example.com";
        for (var i = 0; i < 22; i++)
        {
            using var notice = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to={To}", null);
            Assert.Equal(HttpStatusCode.Accepted, notice.StatusCode);
        }

        // The marketing stand-in mails through the product's mailer: 20 an hour reach the address, the rest are held back.
        await host.WaitUntilAsync(async () => (await host.OutboxAsync(Privacy)).Any(m => m.GetProperty("subject").GetString()!.Contains("Emails held back", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the privacy team's circuit-breaker alert");
        Assert.Equal(20, (await host.OutboxAsync(To)).Count);
        var alert = (await host.OutboxAsync(Privacy)).First(m => m.GetProperty("subject").GetString()!.Contains("Emails held back", StringComparison.Ordinal));
        Assert.DoesNotContain(To, alert.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CustomerMail_ToAJmlAddress_IsNeverSent()
    {
        using var notice = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to=enquiries@jmlsoftware.co.uk", null);
        Assert.Equal(HttpStatusCode.Accepted, notice.StatusCode);
        using var other = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to=someone@example.com", null);
        await host.WaitUntilAsync(async () => (await host.OutboxAsync("someone@example.com")).Count == 1, TimeSpan.FromSeconds(30), "the notice to an outside address");
        Assert.Empty(await host.OutboxAsync("enquiries@jmlsoftware.co.uk"));
    }

    [Fact]
    public async Task OneSender_ManyRequestsInADay_GoToTriage_WithoutEmailToThem()
    {
        var sender = "flood@example.net";
        var types = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            using var post = await host.Http.PostAsync(InboundPost.Url(host),
                InboundPost.Parsed($"flood-{i}@mail.example.net", $"Flood <{sender}>", "Subject access request", "Please send me a copy of my personal data."));
            types.Add((await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString()!);
        }

        Assert.Equal(Enumerable.Repeat("access", 5).Concat(["unclassified", "unclassified"]), types);
        await host.WaitUntilAsync(async () => (await host.OutboxAsync(Privacy)).Count(m => m.GetProperty("subject").GetString()!.Contains("Triage needed", StringComparison.Ordinal)) >= 2,
            TimeSpan.FromSeconds(60), "the privacy team to be asked to triage");
        // The five opened requests are acknowledged (each by its own workflow, in its own time); the two set aside are not.
        static int Acknowledgements(IEnumerable<JsonElement> mail) =>
            mail.Count(m => m.GetProperty("subject").GetString()!.StartsWith("We have received", StringComparison.Ordinal));
        await host.WaitUntilAsync(async () => Acknowledgements(await host.OutboxAsync(sender)) >= 5,
            TimeSpan.FromSeconds(60), "the five opened requests to be acknowledged");
        Assert.Equal(5, Acknowledgements(await host.OutboxAsync(sender)));
    }

}
