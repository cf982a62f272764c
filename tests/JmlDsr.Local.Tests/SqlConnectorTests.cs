using Azure.Data.Tables;
using Azure.Storage.Blobs;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Connectors;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>The <c>sql</c> connector against a real PostgreSQL server: a licensing database described by the data map alone.</summary>
public sealed class SqlConnectorTests(PostgresFixture server) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string Alice = "alice.smith@example.com";

    private static readonly string Map = """
        systems:
          - id: licensing
            name: Licensing database
            owner: licensing@jml.example
            purposes: To issue and check licences.
            lawfulBasis: Contract (Art 6(1)(b)).
            categories: [licence keys, seat holders]
            source: From you when you bought a licence.
            retention: Six years after the licence ends.
            roles: [identity]
            lookup:
              - key: email
            connector:
              kind: sql
              provider: postgresql
              connection: Licensing
              find:
                email: "SELECT id AS row_id, 'licence' AS category, licence_key AS \"LicenceKey\", holder AS \"Holder\", expires AS \"Expires\", restricted AS \"Restricted\" FROM licences WHERE lower(email) = @value ORDER BY id"
              erase: "DELETE FROM licences WHERE id = @row_id::int"
              anonymise: "UPDATE licences SET email = NULL, holder = NULL WHERE id = @row_id::int"
              retain: "UPDATE licences SET restricted = true, retained_by = @rule, retain_until = @retain_until WHERE id = @row_id::int"
              rectify:
                Holder: "UPDATE licences SET holder = @value WHERE id = @row_id::int"
              restrict: "UPDATE licences SET restricted = true WHERE id = @row_id::int"
              unrestrict: "UPDATE licences SET restricted = false WHERE id = @row_id::int"
            rights:
              - category: "*"
                erasure: retain-contract-claims
        """;

    private readonly DataMap _map = DataMapLoader.Parse(Map, "licensing.yaml");

    public async Task InitializeAsync()
    {
        await using var db = new NpgsqlConnection(server.ConnectionString);
        await db.OpenAsync();
        await using var create = new NpgsqlCommand("""
            DROP TABLE IF EXISTS licences;
            CREATE TABLE licences (id serial PRIMARY KEY, email text, holder text, licence_key text, expires date, restricted boolean NOT NULL DEFAULT false, retained_by text, retain_until text);
            INSERT INTO licences (email, holder, licence_key, expires) VALUES
              ('Alice.Smith@example.com', 'Alice Smith', 'JLP-7781', '2027-03-31'),
              ('alice.smith@example.com', 'A. Smith', 'JLP-9100', '2026-01-31'),
              ('bob.jones@example.org', 'Bob Jones', 'JLP-0001', '2028-01-01');
            """, db);
        await create.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ThePersonsRows_AreFoundByTheMapsStatement_WithTheirFields_AndNoOneElses()
    {
        var rows = await Writer().RowsAsync("licensing", Alice);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("licence", r.Record.Category));
        Assert.Equal(["JLP-7781", "JLP-9100"], rows.Select(r => r.Record.Fields["LicenceKey"]));
        Assert.Equal("2027-03-31", rows[0].Record.Fields["Expires"]);
        Assert.Equal("no", rows[0].Record.Fields["Restricted"]);
        Assert.Equal("PostgreSQL database Licensing", new SqlConnector(Settings(null)).Describe(_map.Get("licensing")));
        Assert.True(await Connector().IsKnownAsync("BOB.JONES@example.org"));
        Assert.False(await Connector().IsKnownAsync("carol.white@example.net"));
    }

    [Fact]
    public async Task TheRights_RunTheMapsStatements_OnThePersonsRowsOnly_AndTwiceIsOnce()
    {
        var writer = Writer();
        var rows = await writer.RowsAsync("licensing", Alice);

        Assert.True(writer.CanRectify("licensing", "Holder"));
        Assert.False(writer.CanRectify("licensing", "LicenceKey"));
        await writer.RectifyAsync(rows[1], "Holder", "Alice Smith");
        await writer.MarkAsync(rows[0], MarkPurposes.Restriction, new Dictionary<string, string?>());
        await writer.RetainAsync(rows[0], "contract-claims", "2033-03-31");
        await writer.RetainAsync(rows[0], "contract-claims", "2033-03-31");
        await writer.DeleteAsync(rows[1]);
        await writer.DeleteAsync(rows[1]);

        var after = Assert.Single(await writer.RowsAsync("licensing", Alice));
        Assert.Equal("JLP-7781", after.Record.Fields["LicenceKey"]);
        Assert.Equal("yes", after.Record.Fields["Restricted"]);
        Assert.Equal("2033-03-31", await ScalarAsync("SELECT retain_until FROM licences WHERE licence_key = 'JLP-7781'"));
        Assert.False(writer.HoldsFlags("licensing"));
        await writer.UnmarkAsync(after, MarkPurposes.Restriction, []);
        Assert.Equal("no", Assert.Single(await writer.RowsAsync("licensing", Alice)).Record.Fields["Restricted"]);
        Assert.Equal("Bob Jones", await ScalarAsync("SELECT holder FROM licences WHERE email = 'bob.jones@example.org' AND NOT restricted"));
    }

    [Fact]
    public async Task ADatabaseThatDoesNotAnswer_IsUnavailable_SoTheWorkflowRetriesAndTellsStaff()
    {
        var down = new SystemConnector(_map, Storage(), TimeProvider.System, [new SqlConnector(Settings("Host=127.0.0.1;Port=1;Username=jmldsr;Timeout=2"))]);
        var e = await Assert.ThrowsAsync<SystemUnavailableException>(() => DrainAsync(down.FindAsync(_map.Get("licensing"), Alice)));
        Assert.Equal("licensing", e.SystemId);
        Assert.DoesNotContain("Port=1", e.Message, StringComparison.Ordinal);
        var unset = new SystemConnector(_map, Storage(), TimeProvider.System, [new SqlConnector(Settings(null))]);
        var none = await Assert.ThrowsAsync<SystemUnavailableException>(() => DrainAsync(unset.FindAsync(_map.Get("licensing"), Alice)));
        Assert.Contains("ConnectionStrings__Licensing", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASqlSystemWithoutTheStatementsItsRulesNeed_IsRefused_NamingThem()
    {
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(Map
            .Replace("      - key: email\n", "      - key: email\n      - key: customer-number\n        from: licensing\n        field: N\n", StringComparison.Ordinal), "licensing.yaml"));
        Assert.Contains("system 'licensing': connector.find: no statement for the lookup key 'customer-number'", e.Errors);
        var retain = Map.Split('\n').Single(l => l.TrimStart().StartsWith("retain:", StringComparison.Ordinal)) + "\n";
        var kept = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(Map.Replace(retain, string.Empty, StringComparison.Ordinal), "licensing.yaml"));
        Assert.Contains(kept.Errors, x => x.StartsWith("system 'licensing': connector.retain: a rule keeps records", StringComparison.Ordinal));
        var secret = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(Map.Replace("      connection: Licensing", "      connection: Licensing\n      password: hunter2", StringComparison.Ordinal), "licensing.yaml"));
        Assert.Contains(secret.Errors, x => x.StartsWith("system 'licensing': connector", StringComparison.Ordinal) && x.Contains("password", StringComparison.Ordinal));
    }

    private static IConfiguration Settings(string? connection) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Licensing"] = connection }).Build();

    private static async Task DrainAsync(IAsyncEnumerable<PersonRow> rows)
    {
        await foreach (var _ in rows)
        {
        }
    }

    private static DsrStorage Storage() => new(new TableServiceClient("UseDevelopmentStorage=true"), new BlobServiceClient("UseDevelopmentStorage=true"));

    private SystemConnector Connector() => new(_map, Storage(), TimeProvider.System, [new SqlConnector(Settings(server.ConnectionString))]);

    private SystemWriter Writer() => new(Connector(), Storage());

    private async Task<string?> ScalarAsync(string sql)
    {
        await using var db = new NpgsqlConnection(server.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}

/// <summary>One PostgreSQL server for a test class.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly PostgresLauncher _server = new();

    public string ConnectionString => _server.ConnectionString;

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
