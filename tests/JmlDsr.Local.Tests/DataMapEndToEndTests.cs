using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// A host whose data map (its own file, named by DataMap__Path) adds two systems no code knows: JML's licensing portal (a table),
/// where people are found by the customer number their CRM contact holds, and its licensing database (PostgreSQL, a real
/// server started here), reached with the map's own statements.
/// </summary>
public sealed class ExtraSystemFixture : LocalHostFixture
{
    public const string PortalTable = "SysLicensingPortal";

    private static readonly string MapFile = WriteMap();

    /// <summary>The data map file this host runs with.</summary>
    public static string MapPath => MapFile;

    private readonly PostgresLauncher _postgres = new();

    public const string SupportDeskSecret = "support-desk-test-secret-0123456789abcdef";

    public ExtraSystemFixture() =>
        Settings = new Dictionary<string, string>
        {
            ["DataMap__Path"] = MapFile,
            ["ConnectionStrings__Licensing"] = _postgres.ConnectionString,
            // The support desk (the http connector's reference implementation) runs in the host itself: the same secret on both sides.
            ["SupportDesk__BaseUrl"] = $"{BaseUrl}/{JmlDsr.Local.DevSupportDesk.Prefix}/",
            ["SupportDesk__Secret"] = SupportDeskSecret,
        };

    protected override IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The licensing database's connection string (the host has it from configuration, as in Azure).</summary>
    public string Licensing => _postgres.ConnectionString;

    public override async Task InitializeAsync()
    {
        await _postgres.StartAsync();
        await using (var db = new Npgsql.NpgsqlConnection(_postgres.ConnectionString))
        {
            await db.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand("""
                CREATE TABLE licences (id serial PRIMARY KEY, email text, holder text, licence_key text NOT NULL, product text, restricted boolean NOT NULL DEFAULT false);
                INSERT INTO licences (email, holder, licence_key, product) VALUES
                  ('Erin.Green@example.com', 'Erin Green', 'JLP-2044-ERIN', 'JML Ledger Pro'),
                  ('someone.else@example.com', 'Someone Else', 'JLP-9999-XXXX', 'JML Payroll');
                """, db);
            await create.ExecuteNonQueryAsync();
        }

        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    /// <summary>The ids of the tickets the support desk still holds (read from it as its operator would, not through JmlDsr).</summary>
    public async Task<IReadOnlyList<string>> SupportDeskTicketsAsync()
    {
        var ids = new List<string>();
        await foreach (var t in new TableServiceClient(MailCaptureConnectionString).GetTableClient(JmlDsr.Local.DevSupportDesk.Table).QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            ids.Add(t.RowKey);
        }

        return ids;
    }

    private static string WriteMap()
    {
        var path = Path.Combine(Path.GetTempPath(), "jmldsr-datamap-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(RepoRoot, "config", "datamap.yaml")) + """

              - id: licensing-portal
                name: Licensing portal
                owner: licensing@jml.example
                purposes: To let your organisation manage its licence seats.
                lawfulBasis: "Contract (Art 6(1)(b))."
                categories: [licence seats, seat holders, sign-ins]
                source: Created when your organisation bought its licences.
                retention: While the licence runs, then one year.
                lookup:
                  - key: customer-number
                    from: crm
                    field: CustomerNumber
                connector:
                  kind: table
                  table: SysLicensingPortal
                fields:
                  labels:
                    Seat: Licence seat
                rights:
                  - category: "*"
                    erasure: delete
              - id: licensing-db
                name: Licensing database
                owner: licensing@jml.example
                purposes: To issue licence keys and check them when a product starts.
                lawfulBasis: "Contract (Art 6(1)(b))."
                categories: [licence keys, licence holders]
                source: Created when you bought a licence.
                retention: While the licence runs, then one year.
                lookup:
                  - key: email
                connector:
                  kind: sql
                  provider: postgresql
                  connection: Licensing
                  find:
                    email: "SELECT id AS row_id, 'licence' AS category, licence_key AS \"LicenceKey\", holder AS \"Holder\", product AS \"Product\" FROM licences WHERE lower(email) = @value"
                  erase: "DELETE FROM licences WHERE id = @row_id::int"
                  rectify:
                    Holder: "UPDATE licences SET holder = @value WHERE id = @row_id::int"
                  restrict: "UPDATE licences SET restricted = true WHERE id = @row_id::int"
                  unrestrict: "UPDATE licences SET restricted = false WHERE id = @row_id::int"
                rights:
                  - category: "*"
                    erasure: delete
              - id: support-desk
                name: Support desk
                owner: support@jml.example
                purposes: To answer your support questions and fix problems with our products.
                lawfulBasis: "Contract (Art 6(1)(b))."
                categories: [support tickets, names, notes of the support team]
                source: Collected from you when you asked for support.
                retention: Two years after the ticket is closed.
                lookup:
                  - key: email
                connector:
                  kind: http
                  baseUrl: SupportDesk__BaseUrl
                  secret: SupportDesk__Secret
                  rectify: [Name]
                fields:
                  identifying: [Name]
                  freeText: [Notes]
                rights:
                  - category: "*"
                    erasure: delete
            """);
        return path;
    }
}

/// <summary>A system added by configuration alone: searched for a person, shown in the copy and the record of processing, and erased.</summary>
public sealed class DataMapEndToEndTests(ExtraSystemFixture host) : IClassFixture<ExtraSystemFixture>
{
    private const string Erin = "erin.green@example.com";
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    [Fact]
    public async Task ASystemAddedToTheDataMap_IsSearchedByAKeyFromTheCrm_ShownInTheCopy_AndErased()
    {
        // The portal knows Erin only by her organisation's customer number, which her CRM contact holds.
        var storage = new TableServiceClient(host.StorageConnectionString);
        await storage.GetTableClient("SysCrm").UpsertEntityAsync(new TableEntity(Erin, "contact") { ["CustomerNumber"] = "CN-2044" }, TableUpdateMode.Merge);
        var portal = storage.GetTableClient(ExtraSystemFixture.PortalTable);
        await portal.UpsertEntityAsync(new TableEntity("CN-2044", "seat-1") { ["Category"] = "licence seat", ["CustomerNumber"] = "CN-2044", ["Seat"] = "Green Freight seat 1", ["LastSignIn"] = "2026-11-30" });
        await portal.UpsertEntityAsync(new TableEntity("CN-9001", "seat-1") { ["Category"] = "licence seat", ["CustomerNumber"] = "CN-9001", ["Seat"] = "Someone else's seat" });

        // Access: the portal is searched with the rest, and its part of the copy says what the data map says about it.
        var access = await host.PostRequestAsync("map-access-1@mail.example.com", "Erin Green <erin.green@example.com>", "Subject access request", "Please send me a copy of my personal data.");
        await host.ConfirmAsync(access, Erin);
        var decision = await host.WaitForMailAsync(access, Privacy, "Decision needed");
        Assert.Contains("Licensing portal", decision.GetProperty("text").GetString(), StringComparison.Ordinal);
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var fulfilment = await host.WaitForMailAsync(access, Erin, "Your personal data");
        var copy = await host.Http.GetFromJsonAsync<JsonElement>(LocalHostFixture.DownloadLink(fulfilment) + "&format=json");
        var systems = copy.GetProperty("systems").EnumerateArray().ToList();
        Assert.Equal(11, systems.Count);
        var database = systems.Single(s => s.GetProperty("id").GetString() == "licensing-db");
        Assert.Equal("PostgreSQL database Licensing by email address", database.GetProperty("searchedBy").GetString());
        var licence = Assert.Single(database.GetProperty("records").EnumerateArray());
        Assert.Equal("JLP-2044-ERIN", licence.GetProperty("LicenceKey").GetString());
        Assert.DoesNotContain("JLP-9999", database.GetRawText(), StringComparison.Ordinal);
        var part = systems.Single(s => s.GetProperty("id").GetString() == "licensing-portal");
        Assert.Equal("Licensing portal", part.GetProperty("name").GetString());
        Assert.Equal("To let your organisation manage its licence seats.", part.GetProperty("purposes").GetString());
        Assert.Contains("customer-number from Customer relationship management (CRM)", part.GetProperty("searchedBy").GetString(), StringComparison.Ordinal);
        var record = Assert.Single(part.GetProperty("records").EnumerateArray());
        Assert.Equal("Green Freight seat 1", record.GetProperty("Seat").GetString());
        Assert.DoesNotContain("Someone else", part.GetRawText(), StringComparison.Ordinal);
        var html = await host.Http.GetStringAsync(LocalHostFixture.DownloadLink(fulfilment) + "&format=html");
        Assert.Contains("<strong>Licence seat</strong>: Green Freight seat 1", html, StringComparison.Ordinal);

        // The support desk (http, signed calls; its find answers later, by an operation polled to the end): both her tickets.
        var desk = systems.Single(s => s.GetProperty("id").GetString() == "support-desk");
        Assert.Equal("Support desk (JmlDsr HTTP contract) by email address", desk.GetProperty("searchedBy").GetString());
        Assert.Equal(["Invoice address", "Licence will not activate"], desk.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("Subject").GetString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("Payroll export", desk.GetRawText(), StringComparison.Ordinal);

        // The console's record of processing (Art 30) lists it, with its owner and how it is reached.
        await host.SignInToConsoleAsync();
        var systemsPage = await host.Http.GetStringAsync($"{host.BaseUrl}/console/systems");
        Assert.Contains("id=\"system-licensing-portal\"", systemsPage, StringComparison.Ordinal);
        Assert.Contains("licensing@jml.example", systemsPage, StringComparison.Ordinal);
        Assert.Contains("Azure Table SysLicensingPortal", systemsPage, StringComparison.Ordinal);
        Assert.Contains("CustomerNumber of their records in Customer relationship management (CRM)", systemsPage, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL database, connection Licensing", systemsPage, StringComparison.Ordinal);
        Assert.Contains("JML application by the signed HTTP contract (docs/http-connector.md), base URL in setting SupportDesk__BaseUrl", systemsPage, StringComparison.Ordinal);
        Assert.Contains("SendGrid marketing contacts and global suppression list (key in setting SendGrid__MarketingApiKey)", systemsPage, StringComparison.Ordinal);

        // Erasure: the portal's seat goes too. Erin has no contract, so her CRM contact (the key) is erased as well: the
        // portal is erased first, while the key can still be read.
        var erasure = await host.PostRequestAsync("map-erase-1@mail.example.com", "Erin Green <erin.green@example.com>", "Right to erasure", "Please delete all my personal data.");
        await host.ConfirmAsync(erasure, Erin);
        var erase = await host.WaitForMailAsync(erasure, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(erase)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var done = await host.WaitForMailAsync(erasure, Erin, "We have erased your data");
        Assert.Contains("Licensing portal", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(await host.RowsAsync(ExtraSystemFixture.PortalTable, "CN-2044"));
        Assert.Single(await host.RowsAsync(ExtraSystemFixture.PortalTable, "CN-9001"));
        Assert.Empty(await host.RowsAsync("SysCrm", Erin));
        Assert.Contains("Licensing database", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("Support desk", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(["T-2001"], await host.SupportDeskTicketsAsync()); // Erin's tickets erased by the desk; the other customer's kept
        await using var db = new Npgsql.NpgsqlConnection(host.Licensing);
        await db.OpenAsync();
        await using var left = new Npgsql.NpgsqlCommand("SELECT string_agg(licence_key, ',' ORDER BY licence_key) FROM licences", db);
        Assert.Equal("JLP-9999-XXXX", (await left.ExecuteScalarAsync())?.ToString()); // Erin's licence erased; the other customer's kept
    }

    [Fact]
    public async Task TheSupportDesk_TakesOnlyCallsSignedWithItsSecret_ForTheOperationSigned()
    {
        var url = $"{host.BaseUrl}/{JmlDsr.Local.DevSupportDesk.Prefix}/dsr/find";
        var body = System.Text.Encoding.UTF8.GetBytes("""{"key":"email","value":"erin.green@example.com"}""");
        async Task<HttpStatusCode> CallAsync(string secret, string signedPath)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            var ts = Domain.Gathering.SystemCallSignature.Timestamp(DateTimeOffset.UtcNow);
            request.Headers.Add(Domain.Gathering.SystemCallSignature.TimestampHeader, ts);
            request.Headers.Add(Domain.Gathering.SystemCallSignature.SignatureHeader, Domain.Gathering.SystemCallSignature.Sign(secret, ts, "POST", signedPath, body));
            using var response = await host.Http.SendAsync(request);
            return response.StatusCode;
        }

        using (var unsigned = await host.Http.PostAsync(url, new ByteArrayContent(body)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        }

        var path = new Uri(url).AbsolutePath;
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync("not the desk's secret", path));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(ExtraSystemFixture.SupportDeskSecret, path.Replace("/find", "/erase", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Accepted, await CallAsync(ExtraSystemFixture.SupportDeskSecret, path));
    }

    [Fact]
    public async Task AnApplicationThatRefusesOrDoesNotAnswer_IsUnavailable_SoTheWorkflowRetriesAndTellsStaff()
    {
        var map = Domain.Gathering.DataMapLoader.Parse(await File.ReadAllTextAsync(ExtraSystemFixture.MapPath), "map.yaml");
        var desk = map.Get("support-desk");
        async Task<Functions.Gathering.SystemUnavailableException> FailsAsync(string baseUrl, string secret)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["SupportDesk:BaseUrl"] = baseUrl, ["SupportDesk:Secret"] = secret }).Build();
            using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
            var connector = new Functions.Connectors.HttpConnector(configuration, services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System);
            return await Assert.ThrowsAsync<Functions.Gathering.SystemUnavailableException>(async () =>
            {
                await foreach (var _ in connector.FindAsync(desk, Domain.Gathering.LookupKey.Email, Erin, Erin))
                {
                }
            });
        }

        var refused = await FailsAsync($"{host.BaseUrl}/{JmlDsr.Local.DevSupportDesk.Prefix}/", "not the desk's secret");
        Assert.Equal("Support desk answered POST /dsr/find with HTTP 401.", refused.Message);
        var down = await FailsAsync($"http://127.0.0.1:{LocalHostFixture.FreePort()}/", ExtraSystemFixture.SupportDeskSecret);
        Assert.StartsWith("Support desk is not answering", down.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ExtraSystemFixture.SupportDeskSecret, down.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidDataMap_StopsTheHost_NamingTheSystemAndTheField()
    {
        var path = Path.Combine(Path.GetTempPath(), "jmldsr-bad-datamap-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(path, File.ReadAllText(Path.Combine(LocalHostFixture.RepoRoot, "config", "datamap.yaml"))
            .Replace("    owner: marketing@jml.example\n", "    owner: the marketing team\n", StringComparison.Ordinal));
        try
        {
            var configuration = typeof(LocalHostFixture).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
                .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = LocalHostFixture.RepoRoot, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(LocalHostFixture.RepoRoot, "functions", "JmlDsr.Local", "bin", configuration, "net10.0", "JmlDsr.Local.dll"));
            psi.Environment["DataMap__Path"] = path;
            psi.Environment["LocalHost__Urls"] = $"http://127.0.0.1:{LocalHostFixture.FreePort()}";
            psi.Environment["LocalHost__GrpcPort"] = LocalHostFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            psi.Environment["LocalHost__AzuriteBlobPort"] = LocalHostFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            psi.Environment["LocalHost__AzuriteQueuePort"] = LocalHostFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            psi.Environment["LocalHost__AzuriteTablePort"] = LocalHostFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var process = System.Diagnostics.Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(90)), "the host should stop");
            Assert.NotEqual(0, process.ExitCode);
            var said = await output + await error;
            Assert.Contains("system 'communications': owner", said, StringComparison.Ordinal);
            Assert.Contains(path, said, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
