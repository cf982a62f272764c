using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace JmlDsr.Functions.Mail;

/// <summary>
/// Sends email through SendGrid once per request and step. The Sends table keeps one row per email: the intent
/// is recorded before the call and the result after it, so an activity retried after a crash does not mail the
/// person twice.
/// <para>
/// SendGrid's Mail Send has no idempotency key, so a crash between SendGrid taking an email and the row saying so
/// would leave a retry unsure. SendGrid's Event Webhook settles it: every event about an email carries the
/// email's custom arguments, and <see cref="MailEventsHandler"/> marks the row accepted. A retry that finds an
/// unfinished earlier attempt waits for that word (at most <see cref="SendGridOptions.ConfirmationGrace"/> after
/// the attempt) and sends again only if none comes.
/// </para>
/// </summary>
public sealed class Mailer(ISendGridClient client, DsrStorage storage, IOptions<DsrOptions> options, IOptions<SendGridOptions> sendGrid,
    TimeProvider time, ILogger<Mailer> logger)
{
    /// <summary>How often a retry looks for SendGrid's word on an earlier attempt.</summary>
    public static readonly TimeSpan ConfirmationPoll = TimeSpan.FromSeconds(1);

    /// <summary>Sends the email unless this request's step already did; true when this call sent it.</summary>
    public async Task<bool> SendOnceAsync(string reference, string step, EmailMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sends = storage.Table(DsrStorage.SendsTable);
        try
        {
            // The first attempt records its intent in one call; an earlier or concurrent attempt's row makes it fail.
            await sends.AddEntityAsync(new TableEntity(reference, step)
            {
                [SendRow.Sent] = false, [SendRow.Subject] = message.Subject, [SendRow.Attempts] = 1, [SendRow.AttemptedAt] = time.GetUtcNow(),
            }, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var earlier = (await sends.GetEntityAsync<TableEntity>(reference, step, cancellationToken: ct)).Value;
            var row = await SettleEarlierAttemptAsync(sends, earlier, ct);
            if (row is null)
            {
                return false;
            }

            var attempt = (row.GetInt32(SendRow.Attempts) ?? 1) + 1;
            try
            {
                // Claim the retry on the row as read: a concurrent retry, or SendGrid's word arriving now, wins instead.
                await sends.UpdateEntityAsync(new TableEntity(reference, step)
                {
                    [SendRow.Attempts] = attempt, [SendRow.AttemptedAt] = time.GetUtcNow(), [SendRow.Refused] = false,
                }, row.ETag, TableUpdateMode.Merge, ct);
            }
            catch (RequestFailedException e2) when (e2.Status == 412)
            {
                return false;
            }

            Log.EmailResending(logger, reference, step, attempt);
        }

        var o = options.Value;
        var mail = MailHelper.CreateSingleEmail(
            new EmailAddress(o.FromAddress, o.FromName), new EmailAddress(message.To), message.Subject, message.Text, message.Html);
        mail.AddCustomArg("dsr_reference", reference);
        mail.AddCustomArg("dsr_step", step);
        mail.AddCustomArg("idempotency_key", $"{reference}/{step}");
        mail.SetClickTracking(false, false);
        var response = await client.SendEmailAsync(mail, ct);
        if (!response.IsSuccessStatusCode)
        {
            // SendGrid said no: it did not take the email, so the next attempt need not wait for its word.
            await sends.UpsertEntityAsync(new TableEntity(reference, step) { [SendRow.Refused] = true }, TableUpdateMode.Merge, ct);
            Log.EmailFailed(logger, reference, step, (int)response.StatusCode);
            throw new InvalidOperationException($"SendGrid refused the email for {reference}/{step}: HTTP {(int)response.StatusCode}.");
        }

        await sends.UpsertEntityAsync(new TableEntity(reference, step) { [SendRow.Sent] = true, [SendRow.SentAt] = time.GetUtcNow() }, TableUpdateMode.Merge, ct);
        Log.EmailSent(logger, reference, step);
        return true;
    }

    /// <summary>
    /// An earlier attempt left the row. Returns null when the email went (the row says sent, or SendGrid's events
    /// say it took it), else the row to claim the retry on.
    /// </summary>
    private async Task<TableEntity?> SettleEarlierAttemptAsync(TableClient sends, TableEntity row, CancellationToken ct)
    {
        var (reference, step) = (row.PartitionKey, row.RowKey);
        var s = sendGrid.Value;
        var waitUntil = (row.GetDateTimeOffset(SendRow.AttemptedAt) ?? row.Timestamp ?? time.GetUtcNow()) + s.ConfirmationGrace;
        var listening = !string.IsNullOrWhiteSpace(s.EventWebhookPublicKey);
        while (true)
        {
            if (row.GetBoolean(SendRow.Sent) == true)
            {
                Log.EmailAlreadySent(logger, reference, step);
                return null;
            }

            if (row.GetBoolean(SendRow.Accepted) == true)
            {
                await sends.UpsertEntityAsync(new TableEntity(reference, step)
                {
                    [SendRow.Sent] = true, [SendRow.SentAt] = row.GetDateTimeOffset(SendRow.AcceptedAt), [SendRow.SettledByEvents] = true,
                }, TableUpdateMode.Merge, ct);
                Log.EmailConfirmedBySendGrid(logger, reference, step);
                return null;
            }

            // Refused by SendGrid, or no events to wait for, or waited long enough: the earlier attempt did not send.
            if (row.GetBoolean(SendRow.Refused) == true || !listening || time.GetUtcNow() >= waitUntil)
            {
                return row;
            }

            await Task.Delay(ConfirmationPoll, time, ct);
            row = (await sends.GetEntityAsync<TableEntity>(reference, step, cancellationToken: ct)).Value;
        }
    }
}

/// <summary>The columns of a row in the Sends table (partition: the request reference; row: the step).</summary>
public static class SendRow
{
    public const string Sent = "Sent";
    public const string SentAt = "SentAt";
    public const string Subject = "Subject";
    public const string Attempts = "Attempts";
    public const string AttemptedAt = "AttemptedAt";
    public const string Refused = "Refused";

    /// <summary>An interrupted attempt was found sent by SendGrid's events, so the retry did not send.</summary>
    public const string SettledByEvents = "SettledByEvents";

    /// <summary>SendGrid's events show it took the email (set by the Event Webhook).</summary>
    public const string Accepted = "Accepted";
    public const string AcceptedAt = "AcceptedAt";
    public const string LastEvent = "LastEvent";
    public const string LastEventAt = "LastEventAt";

    /// <summary>SendGrid's events show the email bounced or was dropped.</summary>
    public const string Undeliverable = "Undeliverable";
}
