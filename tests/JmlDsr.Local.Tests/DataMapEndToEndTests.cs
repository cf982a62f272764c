using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// A host whose data map (its own file, named by DataMap__Path) adds a system no code knows: JML's licensing portal, where
/// people are found by the customer number their CRM contact holds.
/// </summary>
public sealed class ExtraSystemFixture : LocalHostFixture
{
    public const string PortalTable = "SysLicensingPortal";

    private static readonly string MapFile = WriteMap();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["DataMap__Path"] = MapFile };

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
        Assert.Equal(8, systems.Count);
        var part = systems.Single(s => s.GetProperty("id").GetString() == "licensing-portal");
        Assert.Equal("Licensing portal", part.GetProperty("name").GetString());
        Assert.Equal("To let your organisation manage its licence seats.", part.GetProperty("purposes").GetString());
        Assert.Contains("customer-number from Customer relationship management (CRM)", part.GetProperty("searchedBy").GetString(), StringComparison.Ordinal);
        var record = Assert.Single(part.GetProperty("records").EnumerateArray());
        Assert.Equal("Green Freight seat 1", record.GetProperty("Seat").GetString());
        Assert.DoesNotContain("Someone else", part.GetRawText(), StringComparison.Ordinal);
        var html = await host.Http.GetStringAsync(LocalHostFixture.DownloadLink(fulfilment) + "&format=html");
        Assert.Contains("<strong>Licence seat</strong>: Green Freight seat 1", html, StringComparison.Ordinal);

        // The console's record of processing (Art 30) lists it, with its owner and how it is reached.
        await host.SignInToConsoleAsync();
        var systemsPage = await host.Http.GetStringAsync($"{host.BaseUrl}/console/systems");
        Assert.Contains("id=\"system-licensing-portal\"", systemsPage, StringComparison.Ordinal);
        Assert.Contains("licensing@jml.example", systemsPage, StringComparison.Ordinal);
        Assert.Contains("Azure Table SysLicensingPortal", systemsPage, StringComparison.Ordinal);
        Assert.Contains("CustomerNumber of their records in Customer relationship management (CRM)", systemsPage, StringComparison.Ordinal);

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
