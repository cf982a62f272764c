using Azure.Data.Tables;

namespace JmlDsr.Local;

/// <summary>
/// The local SendGrid's own storage: the DevOutbox table (captured emails and their pending events) in Azurite's
/// <see cref="AzuriteLauncher.MailCaptureAccount"/> account. Captured mail stands for SendGrid and people's mailboxes,
/// the outside world, so it is kept out of the product's account (whose every store an erasure must be able to clear).
/// Local host only.
/// </summary>
public sealed class MailCaptureStorage(TableServiceClient tables)
{
    public TableClient Outbox { get; } = tables.GetTableClient(DevOutbox.Table);

    public async Task EnsureCreatedAsync(CancellationToken ct = default) => await Outbox.CreateIfNotExistsAsync(ct);
}
