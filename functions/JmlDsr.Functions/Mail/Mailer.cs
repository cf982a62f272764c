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
public sealed class Mailer(ISendGridClient client, DsrStorage storage, AuditLog audit, IOptions<DsrOptions> options, IOptions<SendGridOptions> sendGrid,
    TimeProvider time, ILogger<Mailer> logger, JmlDsr.Pages.PageRenderer renderer)
{
    /// <summary>RFC 3834: every email we send is machine-generated, so well-behaved responders never answer it.</summary>
    public const string AutoSubmittedHeader = "Auto-Submitted";

    /// <summary>Asks Exchange and Outlook not to send out-of-office or auto-replies to our mail.</summary>
    public const string AutoResponseSuppressHeader = "X-Auto-Response-Suppress";

    /// <summary>The step of the privacy team's alert when the circuit breaker holds emails back.</summary>
    public const string CircuitStepPrefix = "circuit-breaker-";

    /// <summary>The Sends partition of the mail guard's own alerts (not one request's).</summary>
    public const string AlertsReference = "mail-guard";

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
        if (await GuardAsync(reference, step, message.To, ct) is { } withheld)
        {
            await sends.UpsertEntityAsync(new TableEntity(reference, step) { [SendRow.Withheld] = withheld }, TableUpdateMode.Merge, ct);
            return false;
        }

        var html = await JmlDsr.Pages.EmailHtml.RenderAsync(renderer, message.Body);
        var mail = MailHelper.CreateSingleEmail(
            new EmailAddress(o.FromAddress, o.FromName), new EmailAddress(message.To), message.Subject, message.Text, html);
        mail.AddCustomArg("dsr_reference", reference);
        mail.AddCustomArg("dsr_step", step);
        mail.AddCustomArg("idempotency_key", $"{reference}/{step}");
        mail.SetClickTracking(false, false);
        if (!message.Marketing)
        {
            // The answer to a request reaches a person who unsubscribed from marketing, or whose objection put them on the
            // account's global suppression list (SendGrid drops mail to it otherwise). Bounces and spam reports still hold.
            mail.SetBypassUnsubscribeManagement(true);
        }

        // Marked so it is never answered: by responders (RFC 3834), by Exchange, and by our own intake (the reference header).
        mail.AddHeader(AutoSubmittedHeader, "auto-generated");
        mail.AddHeader(AutoResponseSuppressHeader, "OOF, AutoReply");
        mail.AddHeader(JmlDsr.Domain.Intake.OwnMailIdentity.ReferenceHeader, reference);
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
    /// The steps of <paramref name="reference"/> whose email is recorded as done: sent, taken by SendGrid (its events say
    /// so), or held back for good by the mail guard. An attempt that did not finish is not among them: sending that step
    /// again settles it (<see cref="SendOnceAsync"/>).
    /// </summary>
    public async Task<IReadOnlySet<string>> RecordedStepsAsync(string reference, CancellationToken ct = default)
    {
        var steps = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {reference}");
        await foreach (var row in storage.Table(DsrStorage.SendsTable).QueryAsync<TableEntity>(filter, select: [SendRow.Sent, SendRow.Accepted, SendRow.Withheld], cancellationToken: ct))
        {
            if (row.GetBoolean(SendRow.Sent) == true || row.GetBoolean(SendRow.Accepted) == true || row.GetString(SendRow.Withheld) is not null)
            {
                steps.Add(row.RowKey);
            }
        }

        return steps;
    }

    /// <summary>
    /// The mail guard: null to send, else why the email is held back (recorded on the Sends row, so a retry does not send
    /// it either). A customer-facing email to a JML address is never sent; past the hourly limit for one address the
    /// circuit breaker holds it back and alerts the privacy team once per address and hour.
    /// </summary>
    private async Task<string?> GuardAsync(string reference, string step, string to, CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var rate = storage.Table(DsrStorage.MailRateTable);
        var key = MailGuard.AddressKey(to);
        var hour = MailGuard.HourBucket(now);
        while (true)
        {
            var row = (await rate.GetEntityIfExistsAsync<TableEntity>(key, hour, cancellationToken: ct)) is { HasValue: true } r ? r.Value! : null;
            var count = row?.GetInt32("Count") ?? 0;
            var verdict = MailGuard.Decide(to, o.StaffAddressList, o.InternalDomainList, count, o.MaxEmailsPerAddressPerHour);
            if (verdict == MailGuardVerdict.InternalRecipient)
            {
                Log.EmailWithheldInternal(logger, reference, step);
                await audit.AppendAsync(reference, now, "email-withheld-" + step, "system",
                    $"The email for step {step} was not sent: it was addressed to one of JML's own addresses, and the product never answers its own mailboxes.", ct);
                return "internal-recipient";
            }

            if (verdict == MailGuardVerdict.CircuitOpen)
            {
                Log.EmailWithheldCircuit(logger, reference, step, o.MaxEmailsPerAddressPerHour);
                await audit.AppendAsync(reference, now, "email-withheld-" + step, "system",
                    $"The email for step {step} was held back: its recipient has had the most emails allowed in an hour (circuit breaker); the privacy team was alerted.", ct);
                var isStaff = o.StaffAddressList.Contains(to, StringComparer.OrdinalIgnoreCase);
                if (!isStaff)
                {
                    // Once per address and hour, whichever request tripped it.
                    await SendOnceAsync(AlertsReference, CircuitStepPrefix + key + "-" + hour,
                        EmailComposer.StaffCircuitBreaker(o.PrivacyTeamAddress, reference, EmailComposer.Mask(to), o.MaxEmailsPerAddressPerHour), ct);
                }

                return "circuit-breaker";
            }

            try
            {
                if (row is null)
                {
                    await rate.AddEntityAsync(new TableEntity(key, hour) { ["Count"] = 1 }, ct);
                }
                else
                {
                    row["Count"] = count + 1;
                    await rate.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
                }

                return null;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another send to the same address counted first: read again.
            }
        }
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
            if (row.GetBoolean(SendRow.Sent) == true || row.GetString(SendRow.Withheld) is not null)
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

    /// <summary>Why the mail guard held the email back ("internal-recipient", "circuit-breaker"); such an email is never sent.</summary>
    public const string Withheld = "Withheld";

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
