using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.StaffConsole;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// The local host serves exactly the Functions app's route table (plus its development routes), and staff are who they
/// authenticated as: a bearer token with the app role, a named API key, or a development account; the audit says which.
/// </summary>
public sealed class StaffIdentityEndToEndTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string DevSigningKey = "dev-bearer-signing-key-0123456789abcdef-not-for-production";
    private const string Audience = "api://jmldsr-local";

    [Fact]
    public async Task TheLocalHost_ServesTheRouteTable_AndOnlyDevelopmentRoutesBeside_It()
    {
        var served = (await host.Http.GetFromJsonAsync<JsonElement>($"{host.BaseUrl}/api/dev/routes")).EnumerateArray()
            .Select(e => (Method: e.GetProperty("method").GetString()!, Route: e.GetProperty("route").GetString() ?? string.Empty))
            .Where(e => !e.Route.StartsWith("api/dev/", StringComparison.Ordinal) && !e.Route.StartsWith("v3/", StringComparison.Ordinal) && e.Route.Length > 0
                && !e.Route.StartsWith("TaskHubSidecarService", StringComparison.Ordinal) && !e.Route.Contains("grpc", StringComparison.OrdinalIgnoreCase))
            .ToHashSet();
        var table = RouteTable.All.Select(r => (r.Method, Route: r.Template)).ToHashSet();
        Assert.Empty(table.Except(served));
        Assert.Empty(served.Except(table));
    }

    [Fact]
    public async Task TheStaffApi_RefusesNoCredentials_AWrongKey_AndABearerWithoutTheRole_WithProblems()
    {
        using (var none = await host.Http.GetAsync($"{host.BaseUrl}/api/requests"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, $"{host.BaseUrl}/api/requests"))
        {
            wrong.Headers.Add(Routes.StaffKeyHeader, "not-the-key-0123456789abcdef");
            using var answer = await host.Http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        // A token of the tenant without any app role is refused by Microsoft.Identity.Web itself; one with another app's role by the gate.
        using (var noRole = Bearer(HttpMethod.Get, "/api/requests", "Mallory", "99999999-0000-0000-0000-000000000001"))
        {
            using var answer = await host.Http.SendAsync(noRole);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        using (var otherRole = Bearer(HttpMethod.Get, "/api/requests", "Mallory", "99999999-0000-0000-0000-000000000001", ["Finance.Reader"]))
        {
            using var answer = await host.Http.SendAsync(otherRole);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }

        using (var forged = Bearer(HttpMethod.Get, "/api/requests", "Mallory", "99999999-0000-0000-0000-000000000002", [StaffRoles.Staff], signingKey: "another-signing-key-0123456789abcdef-0123456789"))
        {
            using var answer = await host.Http.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        // Legal holds are the DPO's: a staff member's token is not enough.
        using (var staffOnly = Bearer(HttpMethod.Post, "/api/legal-holds", "Priya Patel", "7f3c0000-0000-0000-0000-000000000001", [StaffRoles.Staff]))
        {
            staffOnly.Content = JsonContent.Create(new { email = "someone@example.com", reason = "Litigation" });
            using var answer = await host.Http.SendAsync(staffOnly);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        }
    }

    [Fact]
    public async Task WhoLoggedARequest_IsTheAuthenticatedIdentity_NeverAHeaderTheCallerChose()
    {
        const string Oid = "7f3c1a2b-0000-4000-8000-000000000042";
        using var byToken = Bearer(HttpMethod.Post, "/api/requests", "Priya Patel", Oid, [StaffRoles.Staff]);
        byToken.Headers.Add("x-staff-name", "Someone Else");
        byToken.Content = JsonContent.Create(new { type = "access", requesterEmail = "dan.brown@example.co.uk", requesterName = "Dan Brown", channel = "phone" });
        using var created = await host.Http.SendAsync(byToken);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}\n{host.HostLog()}");
        var reference = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;

        var logged = Assert.Single((await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray(), t => t.GetProperty("step").GetString() == "logged");
        Assert.Equal($"Priya Patel [oid {Oid}] (API)", logged.GetProperty("actor").GetString());

        using var byKey = host.Staff(HttpMethod.Post, "/api/requests");
        byKey.Content = JsonContent.Create(new { type = "access", requesterEmail = "erin.green@example.com", requesterName = "Erin Green", channel = "post" });
        using var second = await host.Http.SendAsync(byKey);
        var keyed = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        Assert.Contains((await host.GetRequestAsync(keyed)).GetProperty("timeline").EnumerateArray(), t => t.GetProperty("actor").GetString() == "dev [API key] (API)");
    }

    [Fact]
    public async Task TheConsole_SignsInADevelopmentAccount_ByItsId_AndRefusesANameNotConfigured()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
        using (var stranger = await http.PostAsync($"{host.BaseUrl}/console/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["account"] = "Eve Intruder", ["key"] = LocalHostFixture.StaffKey })))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        }

        using (var dana = await http.PostAsync($"{host.BaseUrl}/console/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["account"] = "dana", ["key"] = LocalHostFixture.StaffKey, ["returnTo"] = "/console" })))
        {
            Assert.Equal(HttpStatusCode.Redirect, dana.StatusCode);
        }

        var queue = await http.GetStringAsync($"{host.BaseUrl}/console");
        Assert.Contains("Dana Price [dev account dana]", WebUtility.HtmlDecode(queue), StringComparison.Ordinal);
    }

    private HttpRequestMessage Bearer(HttpMethod method, string path, string name, string oid, string[]? roles = null, string signingKey = DevSigningKey)
    {
        var claims = new Dictionary<string, object> { ["name"] = name, ["oid"] = oid, ["tid"] = "00000000-0000-0000-0000-00000000dev0", ["ver"] = "2.0" };
        if (roles is { Length: > 0 })
        {
            claims["roles"] = roles;
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = StaffBearerTokens.DevIssuer,
            Audience = Audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
        var message = new HttpRequestMessage(method, host.BaseUrl + path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return message;
    }
}
