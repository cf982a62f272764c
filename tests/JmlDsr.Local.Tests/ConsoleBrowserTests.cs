using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests;

/// <summary>The staff console in real headless Chromium (Debian's chromium), driven by Playwright.</summary>
public sealed class ConsoleBrowserTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    internal const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Console_WithoutSignIn_RedirectsToSignIn()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler);
        foreach (var path in new[] { "/console", "/console/dashboard", "/console/requests/DSR-2026-000001" })
        {
            using var response = await http.GetAsync(host.BaseUrl + path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/console/signin", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        using var wrongKey = await http.PostAsync(host.BaseUrl + "/console/signin",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Mallory", ["key"] = "guess" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }

    [Fact]
    public async Task Staff_SignsIn_FindsARequest_ApprovesIt_AndSeesTheTimelineUpdate()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is needed: apt-get install chromium chromium-driver (.ci/run does).");
        var reference = await RequestWaitingForApprovalAsync();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 860 } });
        // A busy machine (CI runs every suite at once) can take more than Playwright's 30 s to answer a form: wait on the page, longer.
        page.SetDefaultTimeout(120_000);

        // Any console page sends a stranger to sign in.
        await page.GotoAsync($"{host.BaseUrl}/console");
        Assert.Contains("/console/signin", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Development account").SelectOptionAsync(new SelectOptionValue { Label = "Priya Patel" });
        await page.GetByLabel("Staff key").FillAsync(LocalHostFixture.StaffKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/console");

        // Find the request in the queue; its requester is masked there.
        await page.GetByLabel("Reference or email").FillAsync(reference);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = reference });
        Assert.Contains("a***@example.com", await row.InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/console/requests/{reference}");
        Assert.Contains("alice.smith@example.com", await page.Locator("dl.facts").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("awaiting-approval", await page.Locator("#status").InnerTextAsync());
        Assert.Contains("Smith Analytics Ltd", await page.ContentAsync(), StringComparison.Ordinal);

        // Approve from the console: the same single-use signed path as the email links.
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and send the response" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/console/requests/{reference}");
        await host.WaitUntilAsync(async () =>
        {
            await page.ReloadAsync();
            return await page.Locator("#status").InnerTextAsync() == "completed";
        }, TimeSpan.FromSeconds(60), $"{reference} to show as completed in the console");
        var timeline = await page.Locator("#timeline").InnerTextAsync();
        Assert.Contains("Priya Patel [dev account priya] (console)", timeline, StringComparison.Ordinal);
        Assert.Contains("fulfilment-sent", timeline, StringComparison.Ordinal);
        Assert.Contains("No decision is waiting", await page.ContentAsync(), StringComparison.Ordinal);

        // The email links for that step are now spent.
        var decision = await host.WaitForMailAsync(reference, "privacy@jmlsoftware.co.uk", "Decision needed");
        using (var late = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        }

        // Screenshots for the README: the queue and the dashboard.
        var docs = Path.Combine(LocalHostFixture.RepoRoot, "docs");
        Directory.CreateDirectory(docs);
        await page.GotoAsync($"{host.BaseUrl}/console?show=all");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(docs, "console-queue.png"), FullPage = true });
        await page.GotoAsync($"{host.BaseUrl}/console/dashboard");
        Assert.Equal("1", await page.Locator("#open .n").InnerTextAsync());
        Assert.Equal("100%", await page.Locator("#on-time .n").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(docs, "console-dashboard.png"), FullPage = true });

        // Keyboard: the skip link is the first stop and leads to the content.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        output.WriteLine($"Screenshots written to {docs}");
    }

    [Fact]
    public async Task Staff_DecideACorrectionFieldByField_AndLiftARestriction_FromTheConsole()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is needed: apt-get install chromium chromium-driver (.ci/run does).");
        var rectification = await ConfirmedAsync("console-3@mail.example.org", "Bob Jones <bob.jones@example.org>", "My phone number is wrong",
            "My phone number is out of date, it should be 020 7946 0777.", "bob.jones@example.org");
        var restriction = await ConfirmedAsync("console-4@mail.example.co.uk", "Dan Brown <dan.brown@example.co.uk>", "Restrict processing",
            "Please restrict the processing of my personal data while you check my address.", "dan.brown@example.co.uk");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 860 } });
        // A busy machine (CI runs every suite at once) can take more than Playwright's 30 s to answer a form: wait on the page, longer.
        page.SetDefaultTimeout(120_000);
        await page.GotoAsync($"{host.BaseUrl}/console/requests/{rectification}");
        await page.GetByLabel("Development account").SelectOptionAsync(new SelectOptionValue { Label = "Sam Okafor" });
        await page.GetByLabel("Staff key").FillAsync(LocalHostFixture.StaffKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/console/requests/{rectification}");

        // The requester's words and every field held; staff decide the phone number change and approve.
        Assert.Contains("it should be 020 7946 0777", await page.ContentAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Decision for Phone").SelectOptionAsync("apply");
        await page.GetByLabel("Corrected Phone").FillAsync("020 7946 0777");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(LocalHostFixture.RepoRoot, "docs", "console-rectification.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and send the response" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/console/requests/{rectification}");
        await host.WaitUntilAsync(async () =>
        {
            await page.ReloadAsync();
            return await page.Locator("#status").InnerTextAsync() == "completed";
        }, TimeSpan.FromSeconds(60), $"{rectification} to show as completed in the console");
        Assert.Contains("rectification-applied", await page.Locator("#timeline").InnerTextAsync(), StringComparison.Ordinal);
        var corrected = await host.WaitForMailAsync(rectification, "bob.jones@example.org", "We have corrected your data");
        Assert.Contains("020 7946 0777", corrected.GetProperty("text").GetString(), StringComparison.Ordinal);

        // Dan's restriction: approved in the console, then lifted there; he is told before it lifts.
        await page.GotoAsync($"{host.BaseUrl}/console/requests/{restriction}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and send the response" }).ClickAsync();
        await host.WaitUntilAsync(async () =>
        {
            await page.ReloadAsync();
            return await page.Locator("#status").InnerTextAsync() == "restricted";
        }, TimeSpan.FromSeconds(60), $"{restriction} to show as restricted");
        await page.GetByLabel("Why the restriction is being lifted (the requester will see this)").FillAsync("Your address is confirmed correct.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lift the restriction (tells the requester first)" }).ClickAsync();
        await host.WaitForMailAsync(restriction, "dan.brown@example.co.uk", "We will lift the restriction");
        await host.WaitForMailAsync(restriction, "dan.brown@example.co.uk", "has been lifted");
        await host.WaitUntilAsync(async () =>
        {
            await page.ReloadAsync();
            return await page.Locator("#status").InnerTextAsync() == "completed";
        }, TimeSpan.FromSeconds(60), $"{restriction} to show as completed");
        Assert.Contains("Sam Okafor [dev account sam] (console)", await page.Locator("#timeline").InnerTextAsync(), StringComparison.Ordinal);
    }

    /// <summary>Debian's Chromium, headless, with the flags this machine's closed network needs.</summary>
    internal static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });

    private async Task<string> ConfirmedAsync(string messageId, string from, string subject, string text, string email)
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Parsed(messageId, from, subject, text));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        await host.ConfirmAsync(reference, email);

        await host.WaitForStatusAsync(reference, "awaiting-approval");
        return reference;
    }

    /// <summary>Alice's access request, verified, waiting for staff; plus one more open request for the queue.</summary>
    private async Task<string> RequestWaitingForApprovalAsync()
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("console-1@mail.example.com", "Alice Smith <alice.smith@example.com>", "Subject access request", "Please send me a copy of all the personal data you hold about me."));
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        await host.ConfirmAsync(reference, "alice.smith@example.com");

        await host.WaitForStatusAsync(reference, "awaiting-approval");
        using var other = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("console-2@mail.example.net", "Carol White <carol.white@example.net>", "Delete my account", "Please delete my account and all my personal data."));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        return reference;
    }
}

/// <summary>The set-aside list in real headless Chromium (its own host: it opens a request, which the queue tests would count).</summary>
public sealed class SetAsideConsoleBrowserTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Chromium = ConsoleBrowserTests.Chromium;

    [Fact]
    public async Task Staff_SeeSetAsideMail_FilterItByReason_AndOpenOneAsARequest()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is needed: apt-get install chromium chromium-driver (.ci/run does).");

        // A bounce, and Erin's request from a mail client that marks everything it sends as automatic.
        using (var bounce = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Parsed("console-dsn@mx.example.org", "Mail Delivery System <MAILER-DAEMON@mx.example.org>",
            "Undelivered Mail Returned to Sender", "I'm sorry to have to inform you that your message could not be delivered.\n\n<nobody@example.org>: 550 5.1.1 User unknown", envelopeFrom: string.Empty)))
        {
            Assert.Equal("bounce", (await bounce.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("setAside").GetString());
        }

        using (var auto = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Parsed("console-auto@mail.example.com", "Erin Green <erin.green@example.com>",
            "My data", "Please send me a copy of the data you have about me.", extraHeaders: "Auto-Submitted: auto-generated\r\n")))
        {
            Assert.Equal("auto-reply", (await auto.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("setAside").GetString());
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await ConsoleBrowserTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 860 } });
        // A busy machine (CI runs every suite at once) can take more than Playwright's 30 s to answer a form: wait on the page, longer.
        page.SetDefaultTimeout(120_000);
        await page.GotoAsync($"{host.BaseUrl}/console/set-aside");
        await page.GetByLabel("Development account").SelectOptionAsync(new SelectOptionValue { Label = "Priya Patel" });
        await page.GetByLabel("Staff key").FillAsync(LocalHostFixture.StaffKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/console/set-aside");

        // Filter by reason: only the bounce.
        await page.GetByLabel("Reason").SelectOptionAsync("bounce");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = await page.Locator("tbody tr").AllInnerTextsAsync();
        Assert.Single(rows);
        Assert.Contains("Undelivered Mail Returned to Sender", rows[0], StringComparison.Ordinal);

        // Erin's is a request after all: open it as one, in one action.
        await page.GetByLabel("Reason").SelectOptionAsync("auto-reply");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var erin = page.Locator("tbody tr").Filter(new() { HasText = "erin.green@example.com" });
        await erin.GetByLabel("Type").SelectOptionAsync("access");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(LocalHostFixture.RepoRoot, "docs", "console-set-aside.png"), FullPage = true });
        await erin.GetByRole(AriaRole.Button, new() { Name = "Open as request" }).ClickAsync();
        // The request page, or the list again with why not: whichever comes (on a busy CI machine the open can take a while).
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/console/(requests/DSR-|set-aside\\?error=)"), new() { Timeout = 120_000 });
        Assert.True(page.Url.Contains("/console/requests/DSR-", StringComparison.Ordinal), $"Opening it failed: {page.Url}");
        Assert.Contains("erin.green@example.com", await page.Locator("dl.facts").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Priya Patel", await page.Locator("#timeline").InnerTextAsync(), StringComparison.Ordinal);
    }
}
