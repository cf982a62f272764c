using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Local;

/// <summary>A handful of JML customers and contacts across every demo system. Upserts: seeding twice changes nothing.</summary>
public static class DemoData
{
    public const string Alice = "alice.smith@example.com";
    public const string Bob = "bob.jones@example.org";
    public const string Carol = "carol.white@example.net";
    public const string Dan = "dan.brown@example.co.uk";
    public const string Erin = "erin.green@example.com";

    /// <summary>Seeds the demo rows of every system the data map has (a map without one of the demo systems skips its rows).</summary>
    public static async Task SeedAsync(DsrStorage storage, DataMap map, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(map);
        foreach (var (system, person, key, category, fields) in Rows())
        {
            if (map.Find(system) is not { Connector.Kind: "table" } descriptor)
            {
                continue;
            }

            var entity = new TableEntity(person, key) { ["Category"] = category };
            foreach (var (k, v) in fields)
            {
                entity[k] = v;
            }

            await storage.Table(SystemConnector.TableFor(descriptor)).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        }
    }

    /// <summary>
    /// The demo licensing database (config/datamap.local.yaml's licensing-db, PostgreSQL): its table, and the licences of the
    /// demo customers when it is empty (a restart keeps what requests changed, an erasure's deletions included).
    /// </summary>
    public static async Task SeedLicensingAsync(string connectionString, CancellationToken ct = default)
    {
        await using var db = new Npgsql.NpgsqlConnection(connectionString);
        await db.OpenAsync(ct);
        await using var create = new Npgsql.NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS licences (
              id serial PRIMARY KEY, email text, holder text, licence_key text NOT NULL, product text,
              issued date NOT NULL DEFAULT current_date, restricted boolean NOT NULL DEFAULT false);
            INSERT INTO licences (email, holder, licence_key, product, issued)
            SELECT * FROM (VALUES
              ('alice.smith@example.com', 'Alice Smith', 'JLP-1001-ALICE', 'JML Ledger Pro', date '2025-03-01'),
              ('dan.brown@example.co.uk', 'Dan Brown', 'JPR-2210-DANB', 'JML Payroll', date '2024-11-18'),
              ('erin.green@example.com', 'Erin Green', 'JLP-2044-ERIN', 'JML Ledger Pro', date '2026-01-09'))
              AS demo(email, holder, licence_key, product, issued)
            WHERE NOT EXISTS (SELECT 1 FROM licences);
            """, db);
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The marketing contacts JML keeps in SendGrid, in its local stand-in, when the data map has a sendgrid-marketing system.</summary>
    public static async Task SeedMarketingAsync(DevSendGridMarketing sendGrid, DataMap map, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sendGrid);
        ArgumentNullException.ThrowIfNull(map);
        if (!map.Systems.Any(s => s.Connector.Kind == JmlDsr.Functions.Connectors.SendGridMarketingConnector.KindName))
        {
            return;
        }

        await sendGrid.UpsertContactAsync(new System.Text.Json.Nodes.JsonObject
        {
            ["email"] = Alice, ["first_name"] = "Alice", ["last_name"] = "Smith", ["city"] = "Leeds", ["country"] = "United Kingdom",
            ["list_ids"] = new System.Text.Json.Nodes.JsonArray("product-news", "events"),
            ["custom_fields"] = new System.Text.Json.Nodes.JsonObject { ["company"] = "Smith Analytics Ltd", ["signed_up"] = "2021-03-14" },
        }, ct);
        await sendGrid.UpsertContactAsync(new System.Text.Json.Nodes.JsonObject
        {
            ["email"] = Dan, ["first_name"] = "Dan", ["last_name"] = "Brown", ["city"] = "Bristol",
            ["list_ids"] = new System.Text.Json.Nodes.JsonArray("product-news"),
        }, ct);
    }

    private static IEnumerable<(string System, string Person, string Key, string Category, Dictionary<string, string> Fields)> Rows()
    {
        yield return (SystemCatalog.WebsiteAccounts, Alice, "account", "account", new() { ["LoginEmail"] = Alice, ["Name"] = "Alice Smith", ["Created"] = "2021-03-14" });
        yield return (SystemCatalog.WebsiteAccounts, Alice, "login-2026-10-02", "cookie log-in", new() { ["At"] = "2026-10-02T08:14:00Z", ["IpAddress"] = "203.0.113.24", ["OperatingSystem"] = "Windows 11", ["Browser"] = "Edge 141" });
        yield return (SystemCatalog.WebsiteAccounts, Alice, "login-2026-11-12", "cookie log-in", new() { ["At"] = "2026-11-12T17:40:00Z", ["IpAddress"] = "203.0.113.24", ["OperatingSystem"] = "Windows 11", ["Browser"] = "Edge 142" });
        yield return (SystemCatalog.Crm, Alice, "contact", "customer contact", new() { ["Name"] = "Alice Smith", ["Company"] = "Smith Analytics Ltd", ["Phone"] = "01632 960123", ["Address"] = "1 High Street, Leeds LS1 1AA", ["Role"] = "Director" });
        yield return (SystemCatalog.Contracts, Alice, "C-2023-0042", "contract", new() { ["Contract"] = "C-2023-0042", ["Product"] = "JML Ledger Pro", ["Start"] = "2023-04-01", ["End"] = "2026-03-31" });
        yield return (SystemCatalog.Contracts, Alice, "L-7781", "licence", new() { ["LicenceKey"] = "JLP-7781-XXXX", ["Product"] = "JML Ledger Pro", ["Expires"] = "2027-03-31" });
        yield return (SystemCatalog.Downloads, Alice, "d-2025-06-01", "download", new() { ["Product"] = "JML Ledger Pro 5.2", ["At"] = "2025-06-01", ["ContactGiven"] = Alice });
        yield return (SystemCatalog.Communications, Alice, "n-2026-02-01", "product-expiry notice", new() { ["Sent"] = "2026-02-01", ["About"] = "JML Ledger Pro renewal" });
        yield return (SystemCatalog.Communications, Alice, "consent", "marketing consent", new() { ["Consent"] = "yes", ["Given"] = "2021-03-14" });
        yield return (SystemCatalog.Feedback, Alice, "f-2025-09", "feedback answer", new() { ["Asked"] = "2025-09-10", ["Rating"] = "4", ["Answer"] = "Support was great; Tom Baker from your team fixed the import quickly." });
        yield return (SystemCatalog.PartnerShares, Alice, "p-2023-04", "partner share", new() { ["Partner"] = "Northwind Implementation Partners", ["Shared"] = "name, email, company", ["When"] = "2023-04-03", ["Terms"] = "Partner confidentiality agreement 2022" });

        yield return (SystemCatalog.Crm, Bob, "contact", "supplier contact", new() { ["Name"] = "Bob Jones", ["Company"] = "Jones Hosting", ["Phone"] = "020 7946 0321", ["Role"] = "Account manager" });
        yield return (SystemCatalog.Contracts, Bob, "S-2024-007", "supplier contract", new() { ["Contract"] = "S-2024-007", ["Service"] = "Hosting", ["Start"] = "2024-01-01", ["End"] = "2027-12-31" });

        yield return (SystemCatalog.WebsiteAccounts, Carol, "account", "account", new() { ["LoginEmail"] = Carol, ["Name"] = "Carol White", ["Created"] = "2025-01-20" });
        yield return (SystemCatalog.Downloads, Carol, "d-2025-01-20", "download", new() { ["Product"] = "JML Ledger Trial", ["At"] = "2025-01-20", ["ContactGiven"] = Carol });

        yield return (SystemCatalog.Crm, Dan, "contact", "customer contact", new() { ["Name"] = "Dan Brown", ["Company"] = "Brown & Co", ["Address"] = "22 Mill Lane, Bristol BS1 4DJ" });
        yield return (SystemCatalog.Contracts, Dan, "C-2019-0007", "contract", new() { ["Contract"] = "C-2019-0007", ["Product"] = "JML Payroll", ["Start"] = "2019-05-01", ["End"] = "2020-04-30" });
        yield return (SystemCatalog.WebsiteAccounts, Erin, "account", "account", new() { ["LoginEmail"] = Erin, ["Name"] = "Erin Green", ["Created"] = "2024-06-02" });
        yield return (SystemCatalog.Crm, Erin, "contact", "customer contact", new() { ["Name"] = "Erin Green", ["Company"] = "Green Freight Ltd", ["Phone"] = "0113 496 0555" });
        yield return (SystemCatalog.Downloads, Erin, "d-2024-06-02", "download", new() { ["Product"] = "JML Ledger Pro 5.0", ["At"] = "2024-06-02", ["ContactGiven"] = Erin });
        yield return (SystemCatalog.Communications, Dan, "n-2025-11-01", "new-product notice", new() { ["Sent"] = "2025-11-01", ["About"] = "JML Payroll Cloud launch" });
    }
}
