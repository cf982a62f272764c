using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// The local demo as <c>dotnet run</c> starts it: the demo's data map (config/datamap.local.yaml, which extends the shipped
/// one with a PostgreSQL licensing database and an owner-task spreadsheet), and the PostgreSQL server the host starts and
/// seeds itself.
/// </summary>
public sealed class LocalDemoFixture : LocalHostFixture
{
    private readonly string _postgres = Path.Combine(Path.GetTempPath(), "jmldsr-demo-pg-" + Guid.NewGuid().ToString("N")[..12]);

    public LocalDemoFixture() =>
        Settings = new Dictionary<string, string>
        {
            // As the launch profile sets it: relative, so the repository's.
            ["DataMap__Path"] = "config/datamap.local.yaml",
            ["LocalHost__PostgresPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LocalHost__PostgresLocation"] = _postgres,
        };

    protected override IReadOnlyDictionary<string, string> Settings { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        // The host stopped its server on the way out; the demo keeps the data, the test does not.
        if (Directory.Exists(_postgres))
        {
            Directory.Delete(_postgres, recursive: true);
        }
    }
}

public sealed class LocalDemoEndToEndTests(LocalDemoFixture host) : IClassFixture<LocalDemoFixture>
{
    private const string Alice = "alice.smith@example.com";
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task OneAccessRequest_ReachesEveryKindOfSystem_TablesPostgreSqlSendGridAndASpreadsheetsOwner()
    {
        Assert.Contains("PostgreSQL for Licensing database: 127.0.0.1:", host.WholeHostLog(), StringComparison.Ordinal);
        var access = await host.PostRequestAsync("demo-every-kind-1@mail.example.com", "Alice Smith <alice.smith@example.com>", "Subject access request", "Please send me a copy of all my personal data.");
        await host.ConfirmAsync(access, Alice);

        // The spreadsheet's owner sends its rows about Alice.
        var asked = await host.WaitForMailAsync(access, "events@jml.example", "Action needed: Events feedback spreadsheet");
        var (status, page, _) = await host.OpenAsync(LocalHostFixture.Links(asked).Single(l => l.Contains("/api/owner-tasks", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, status);
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value);
        using (var form = new MultipartFormDataContent
        {
            { new StringContent(token), "token" },
            { new StringContent("records"), "answer" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("Event;Date;Comments\nLeeds user day;2026-10-14;Loved the payroll session\n")), "records", "alice.csv" },
        })
        using (var sent = await host.Http.PostAsync($"{host.BaseUrl}/api/owner-tasks", form))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        var decision = await host.WaitForMailAsync(access, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var fulfilment = await host.WaitForMailAsync(access, Alice, "Your personal data");
        var copy = await host.Http.GetFromJsonAsync<JsonElement>(LocalHostFixture.DownloadLink(fulfilment) + "&format=json");
        var systems = copy.GetProperty("systems").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal(10, systems.Count);

        // table
        Assert.NotEmpty(systems["crm"].GetProperty("records").EnumerateArray());
        // sql: the host's own PostgreSQL, seeded with her licence
        Assert.Equal("PostgreSQL database Licensing by email address", systems["licensing-db"].GetProperty("searchedBy").GetString());
        Assert.Equal("JLP-1001-ALICE", Assert.Single(systems["licensing-db"].GetProperty("records").EnumerateArray()).GetProperty("LicenceKey").GetString());
        // sendgrid-marketing: her contact in the SendGrid stand-in
        Assert.Contains(systems["marketing-contacts"].GetProperty("records").EnumerateArray(), r => r.GetRawText().Contains(Alice, StringComparison.OrdinalIgnoreCase));
        // owner-task: the row the owner sent
        Assert.Equal("Loved the payroll session", Assert.Single(systems["events-sheet"].GetProperty("records").EnumerateArray()).GetProperty("Comments").GetString());

        await host.SignInToConsoleAsync();
        var record = WebUtility.HtmlDecode(await host.Http.GetStringAsync($"{host.BaseUrl}/console/systems"));
        Assert.Contains("PostgreSQL database, connection Licensing", record, StringComparison.Ordinal);
        Assert.Contains("No API: its owner (events@jml.example) is emailed a signed link for each request", record, StringComparison.Ordinal);
        Assert.Contains("reminded every 2 day(s), the privacy team told after 5 day(s)", record, StringComparison.Ordinal);
    }
}
