using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// No secret or personal data in URLs or logs (UK GDPR Art 5(1)(f), Art 25): emailed tokens leave the URL on first GET,
/// SendGrid authenticates with basic auth, and the host's whole output for a request names no token, key or address.
/// Its own host, so that its log holds only what these tests did.
/// </summary>
public sealed class NoSecretsInUrlsOrLogsTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private static readonly Regex EmailAddress = new(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.Compiled);

    [Fact]
    public async Task LinkGet_WithAToken_Answers303_WithAnHttpOnlyPathCookie_AndALocationWithoutTheToken()
    {
        var reference = await PostWithBasicAuthAsync("url-1@mail.example.com", "Carol White <carol.white@example.net>");
        var link = Assert.Single(LocalHostFixture.Links(await host.WaitForMailAsync(reference, "carol.white@example.net", "Please confirm your request")));
        var token = TokenOf(link);

        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        using var raw = new HttpClient(handler);
        using var exchange = await raw.GetAsync(link);
        Assert.Equal(HttpStatusCode.SeeOther, exchange.StatusCode);
        var location = exchange.Headers.Location!.OriginalString;
        Assert.Matches("^/api/links\\?link=[0-9a-f]{16}$", location);
        Assert.DoesNotContain(token, location, StringComparison.Ordinal);
        Assert.DoesNotContain("token", location, StringComparison.Ordinal);
        var cookie = Assert.Single(exchange.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"jmldsr-link-{location[^16..]}={token};", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/api/links", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain http here; https adds it
        var expires = DateTimeOffset.Parse(Regex.Match(cookie, "expires=([^;]+)", RegexOptions.IgnoreCase).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1).AddMinutes(1));
        Assert.Equal("no-store", exchange.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", string.Join(',', exchange.Headers.GetValues("Referrer-Policy")));

        // The page, from the cookie: its form posts to a URL without the token and carries the token in its body.
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, host.BaseUrl + location);
        withCookie.Headers.Add("Cookie", cookie[..cookie.IndexOf(';', StringComparison.Ordinal)]);
        using var page = await raw.SendAsync(withCookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", string.Join(',', page.Headers.GetValues("Referrer-Policy")));
        var html = await page.Content.ReadAsStringAsync();
        var form = System.Text.RegularExpressions.Regex.Match(html, "<form method=\"post\" action=\"/api/links\"><input type=\"hidden\" name=\"token\" value=\"([^\"]+)\" />");
        Assert.True(form.Success, "The page has no form posting its token to /api/links.");
        Assert.Equal(token, WebUtility.HtmlDecode(form.Groups[1].Value));

        // Without the cookie (another browser, a bookmark): nothing to show.
        using (var bare = await raw.GetAsync(host.BaseUrl + location))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
            Assert.Contains("open the link from your email", await bare.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        // None of that spent the link (mail scanners open links): the button still works, once.
        Assert.Equal("awaiting-identity", (await host.GetRequestAsync(reference)).GetProperty("status").GetString());
        using (var confirm = new HttpRequestMessage(HttpMethod.Post, host.BaseUrl + "/api/links"))
        {
            confirm.Headers.Add("Cookie", cookie[..cookie.IndexOf(';', StringComparison.Ordinal)]);
            confirm.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["action"] = "confirm-identity" });
            using var confirmed = await raw.SendAsync(confirm);
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            // The used link's cookie has nothing left to do: it is cleared.
            Assert.StartsWith($"jmldsr-link-{location[^16..]}=;", Assert.Single(confirmed.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        }

        await host.WaitForStatusAsync(reference, "awaiting-approval");
    }

    [Fact]
    public async Task AWholeRequest_ByBasicAuthAndByKey_LeavesNoTokenKeyOrAddressInTheHostLog()
    {
        // Two emailed requests: one the way SendGrid posts with basic auth in the Inbound Parse URL, one the older ?key= way;
        // and a post with the wrong password, refused.
        var alice = "alice.smith@example.com";
        var reference = await PostWithBasicAuthAsync("log-1@mail.example.com", "Alice Smith <alice.smith@example.com>");
        using (var byKey = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Unauthenticated("log-2@mail.example.org", "Bob Jones <bob.jones@example.org>", "Subject access request", "Please send me a copy of my personal data.")))
        {
            Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
        }

        using (var wrong = await host.Http.SendAsync(InboundPost.WithBasicAuth(host, InboundPost.Unauthenticated("log-3@mail.example.com", "Alice Smith <alice.smith@example.com>", "SAR", "Send me my data."), "wrong-key")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // The verification link, opened and pressed.
        var verify = Assert.Single(LocalHostFixture.Links(await host.WaitForMailAsync(reference, alice, "Please confirm your request")));
        var (status, _, url) = await host.OpenAsync(verify);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("token", url.Query, StringComparison.Ordinal);
        using (var confirm = await host.PressAsync(verify, "confirm-identity"))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        // The approval link, opened and pressed.
        var approve = LocalHostFixture.Links(await host.WaitForMailAsync(reference, Privacy, "Decision needed"))[0];
        Assert.Equal(HttpStatusCode.OK, (await host.OpenAsync(approve)).Status);
        using (var approved = await host.PressAsync(approve, "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        // The export link: the token leaves the URL (format kept), the page's own links name no token, both copies download.
        var download = LocalHostFixture.DownloadLink(await host.WaitForMailAsync(reference, alice, "Your personal data"));
        using (var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        using (var raw = new HttpClient(handler))
        using (var exchange = await raw.GetAsync(download + "&format=json"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, exchange.StatusCode);
            Assert.Matches("^/api/exports\\?link=[0-9a-f]{16}&format=json$", exchange.Headers.Location!.OriginalString);
            Assert.Contains("path=/api/exports", Assert.Single(exchange.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        }

        var (exportStatus, exportPage, exportUrl) = await host.OpenAsync(download);
        Assert.Equal(HttpStatusCode.OK, exportStatus);
        Assert.DoesNotContain("token", exportUrl.Query, StringComparison.Ordinal);
        var hrefs = Regex.Matches(exportPage, "href=\"([^\"]+)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(3, hrefs.Count); // PDF, web page, JSON
        Assert.All(hrefs, h => Assert.DoesNotContain("token", h, StringComparison.Ordinal));
        using (var json = await host.Http.GetAsync(host.BaseUrl + hrefs.Single(h => h.EndsWith("format=json", StringComparison.Ordinal))))
        {
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
            Assert.Equal("no-store", json.Headers.CacheControl?.ToString());
            Assert.Equal(reference, (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString());
        }

        using (var readable = await host.Http.GetAsync(host.BaseUrl + hrefs.Single(h => h.EndsWith("format=html", StringComparison.Ordinal))))
        {
            Assert.Equal(HttpStatusCode.OK, readable.StatusCode);
            Assert.Equal("no-referrer", string.Join(',', readable.Headers.GetValues("Referrer-Policy")));
            Assert.Contains("Information Commissioner", await readable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await host.WaitForStatusAsync(reference, "completed");
        await Task.Delay(TimeSpan.FromSeconds(2)); // the host's output is read as it comes: let the last lines arrive

        // The host's whole output (start-up included): no token of any link it sent, no key, no address.
        var tokens = new List<string>();
        foreach (var mail in await host.OutboxAsync())
        {
            tokens.AddRange(LocalHostFixture.Links(mail).Where(l => l.Contains("token=", StringComparison.Ordinal)).Select(TokenOf));
        }

        Assert.Contains(TokenOf(download), tokens);
        var log = host.WholeHostLog();
        Assert.Contains(reference, log, StringComparison.Ordinal); // it does log the request, by its reference
        Assert.All(tokens, t => Assert.DoesNotContain(t[..t.IndexOf('.', StringComparison.Ordinal)], log, StringComparison.Ordinal));
        Assert.DoesNotContain(LocalHostFixture.InboundKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(LocalHostFixture.StaffKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain("token=", log, StringComparison.Ordinal);
        Assert.DoesNotContain("?key=", log, StringComparison.Ordinal);
        Assert.Empty(EmailAddress.Matches(log).Select(m => m.Value).Distinct());
    }

    [Fact]
    public async Task TwoLinksOpenedOneAfterTheOther_InOneBrowser_EachPageActsOnItsOwnRequest()
    {
        Assert.True(File.Exists(ConsoleBrowserTests.Chromium), "Debian's chromium is needed: apt-get install chromium chromium-driver (.ci/run does).");
        var first = await PostWithBasicAuthAsync("tabs-1@mail.example.com", "Dan Brown <dan.brown@example.co.uk>");
        var second = await PostWithBasicAuthAsync("tabs-2@mail.example.com", "Erin Green <erin.green@example.com>");
        var firstLink = Assert.Single(LocalHostFixture.Links(await host.WaitForMailAsync(first, "dan.brown@example.co.uk", "Please confirm your request")));
        var secondLink = Assert.Single(LocalHostFixture.Links(await host.WaitForMailAsync(second, "erin.green@example.com", "Please confirm your request")));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await ConsoleBrowserTests.LaunchAsync(playwright);
        var context = await browser.NewContextAsync();
        context.SetDefaultTimeout(120_000); // a busy CI machine can take more than 30 s to answer a form
        var tabA = await context.NewPageAsync();
        await tabA.GotoAsync(firstLink);
        var tabB = await context.NewPageAsync();
        await tabB.GotoAsync(secondLink);
        foreach (var tab in new[] { tabA, tabB })
        {
            Assert.DoesNotContain("token", tab.Url, StringComparison.Ordinal);
            Assert.Contains("/api/links?link=", tab.Url, StringComparison.Ordinal);
        }

        Assert.Contains(first, await tabA.ContentAsync(), StringComparison.Ordinal);
        Assert.Contains(second, await tabB.ContentAsync(), StringComparison.Ordinal);
        var cookies = await context.CookiesAsync();
        Assert.Equal(2, cookies.Count(c => c.Name.StartsWith("jmldsr-link-", StringComparison.Ordinal)));
        Assert.All(cookies, c => Assert.True(c.HttpOnly && c.Path == "/api/links" && c.SameSite == SameSiteAttribute.Lax, $"{c.Name}: {c.Path}, HttpOnly {c.HttpOnly}, {c.SameSite}"));

        // The first tab's button confirms the first request, though the second link was opened after it.
        await tabA.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        Assert.Contains("your request is confirmed", await tabA.ContentAsync(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(first, "awaiting-approval");
        Assert.Equal("awaiting-identity", (await host.GetRequestAsync(second)).GetProperty("status").GetString());
        await tabB.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await host.WaitForStatusAsync(second, "awaiting-approval");

        // Reloading the first page after its link was used: refused as used, nothing changes.
        await tabA.GotoAsync(firstLink);
        Assert.Contains("already been used", await tabA.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleSearch_TakesTheAddressInAPostedForm_NeverInTheQuery()
    {
        const string bob = "bob.jones@example.org";
        var reference = await PostWithBasicAuthAsync("search-1@mail.example.org", "Bob Jones <bob.jones@example.org>");
        await host.SignInToConsoleAsync();
        var queue = await host.Http.GetStringAsync($"{host.BaseUrl}/console");
        Assert.Contains("<form class=\"filters\" method=\"post\" action=\"/console\"", queue, StringComparison.Ordinal);

        using var found = await host.Http.PostAsync($"{host.BaseUrl}/console", new FormUrlEncodedContent(new Dictionary<string, string> { ["show"] = "all", ["q"] = bob }));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var page = await found.Content.ReadAsStringAsync();
        Assert.Contains(reference, page, StringComparison.Ordinal);
        Assert.Contains($"value=\"{bob}\"", page, StringComparison.Ordinal);

        // A search in the query is not read (nor echoed back): the address has no business in a URL.
        var ignored = await host.Http.GetStringAsync($"{host.BaseUrl}/console?show=all&q={Uri.EscapeDataString(bob)}");
        Assert.DoesNotContain(bob, ignored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LegalHold_KeyedByAddress_BeforeIdsWereHashes_IsStillFound_ListedByIdAndLifted()
    {
        const string carol = "carol.white@example.net";
        var table = new Azure.Data.Tables.TableClient(host.StorageConnectionString, "LegalHolds");
        await table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("hold", carol) { ["Active"] = true, ["Reason"] = "Claim from before the update.", ["Since"] = DateTimeOffset.UtcNow });
        var id = JmlDsr.Domain.Emails.MailGuard.AddressKey(carol);

        using (var list = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/legal-holds")))
        {
            var held = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("holds").EnumerateArray().Single(h => h.GetProperty("id").GetString() == id);
            Assert.Equal(carol, held.GetProperty("email").GetString());
            Assert.Equal("Claim from before the update.", held.GetProperty("reason").GetString());
        }

        Assert.DoesNotContain(await host.RowsAsync("LegalHolds", "hold"), r => r.RowKey.Contains('@', StringComparison.Ordinal));
        using (var lift = await host.Http.SendAsync(host.Staff(HttpMethod.Delete, $"/api/legal-holds/{id}")))
        {
            Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        }

        Assert.All(await host.RowsAsync("LegalHolds", "hold"), r => Assert.DoesNotContain(carol, string.Join('|', r.Select(kv => kv.Value)), StringComparison.OrdinalIgnoreCase));
    }

    private async Task<string> PostWithBasicAuthAsync(string messageId, string from)
    {
        using var post = await host.Http.SendAsync(InboundPost.WithBasicAuth(host,
            InboundPost.Unauthenticated(messageId, from, "Subject access request", "Please send me a copy of all the personal data you hold about me.")));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        return (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
    }

    private static string TokenOf(string link) => Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
}
