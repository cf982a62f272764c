using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace JmlDsr.Functions.Storage;

/// <summary>
/// The product's own storage: tables and blob containers, on the same account as Durable state
/// (AzureWebJobsStorage). One place names them all.
/// </summary>
public sealed class DsrStorage(TableServiceClient tables, BlobServiceClient blobs)
{
    public const string RequestsTable = "Requests";
    public const string AuditTable = "Audit";
    public const string TokensTable = "Tokens";
    public const string SendsTable = "Sends";
    public const string InboundTable = "InboundMessages";
    public const string CountersTable = "Counters";
    public const string DecisionsTable = "Decisions";
    public const string RestrictionsTable = "Restrictions";
    public const string LegalHoldsTable = "LegalHolds";

    /// <summary>Inbound mail that is not a request (auto-replies, bounces, our own mail come back): kept for staff, never answered.</summary>
    public const string SetAsideTable = "SetAside";

    /// <summary>Emails sent per address per hour (the circuit breaker), keyed by a hash of the address.</summary>
    public const string MailRateTable = "MailRate";

    /// <summary>New requests per sender (the 24-hour sender limit), keyed by a hash of the address.</summary>
    public const string SenderRequestsTable = "SenderRequests";

    /// <summary>What is left of case files after their retention period: anonymous rows for the dashboard's history.</summary>
    public const string StatisticsTable = "Statistics";

    /// <summary>Erasures of retained records waiting for their date or for a legal hold to be lifted: one row per request, swept by housekeeping.</summary>
    public const string ScheduledErasuresTable = "ScheduledErasures";

    /// <summary>The deadline watchdog's last run (one row, "run"/"last"): counts only.</summary>
    public const string WatchdogTable = "Watchdog";

    /// <summary>
    /// The marketing suppression list (Art 21(3)): one row per person who objected to direct marketing, keyed by the SHA-256
    /// of their address, with the date and nothing else. Kept on purpose through erasure: it is what keeps marketing stopped.
    /// </summary>
    public const string SuppressionsTable = "Suppressions";

    /// <summary>The tasks of owner-task systems' owners: one row per request and task, no personal data.</summary>
    public const string OwnerTasksTable = "OwnerTasks";

    /// <summary>Where each system stands in each request (searched, waiting for its owner, paused, skipped...): for the console.</summary>
    public const string RequestSystemsTable = "RequestSystems";

    /// <summary>The requests waiting on a paused system (one row per system and request), told when it is resumed.</summary>
    public const string SystemWaitsTable = "SystemWaits";

    public const string InboundRawContainer = "inbound-raw";
    public const string GatheredContainer = "gathered";
    public const string ExportsContainer = "exports";
    public const string EvidenceContainer = "evidence";

    private static readonly string[] Tables = [RequestsTable, AuditTable, TokensTable, SendsTable, InboundTable, CountersTable, DecisionsTable, RestrictionsTable, LegalHoldsTable, SetAsideTable, MailRateTable, SenderRequestsTable, StatisticsTable, ScheduledErasuresTable, WatchdogTable, SuppressionsTable, OwnerTasksTable, RequestSystemsTable, SystemWaitsTable];
    private static readonly string[] Containers = [InboundRawContainer, GatheredContainer, ExportsContainer, EvidenceContainer];

    public TableServiceClient TableService { get; } = tables;

    public BlobServiceClient BlobService { get; } = blobs;

    public TableClient Table(string name) => TableService.GetTableClient(name);

    public BlobContainerClient Container(string name) => BlobService.GetBlobContainerClient(name);

    /// <summary>Creates every table and container if missing (idempotent; run at start-up).</summary>
    public async Task EnsureCreatedAsync(IEnumerable<string>? extraTables = null, CancellationToken ct = default)
    {
        foreach (var t in Tables.Concat(extraTables ?? []))
        {
            await TableService.CreateTableIfNotExistsAsync(t, ct);
        }

        foreach (var c in Containers)
        {
            await BlobService.GetBlobContainerClient(c).CreateIfNotExistsAsync(cancellationToken: ct);
        }
    }
}
