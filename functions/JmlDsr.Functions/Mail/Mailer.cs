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
/// Sends email through SendGrid, at most once per request and step: the intent is recorded in the
/// Sends table before the call and marked sent after it, so an activity retried after a crash does
/// not mail the person twice. (A crash in the instant between SendGrid accepting the mail and the
/// mark being written would resend; the idempotency key travels in custom_args so it can be traced.)
/// </summary>
public sealed class Mailer(ISendGridClient client, DsrStorage storage, IOptions<DsrOptions> options, ILogger<Mailer> logger)
{
    public async Task<bool> SendOnceAsync(string reference, string step, EmailMessage message, CancellationToken ct = default)
    {
        var sends = storage.Table(DsrStorage.SendsTable);
        var existing = await sends.GetEntityIfExistsAsync<TableEntity>(reference, step, cancellationToken: ct);
        if (existing.HasValue && existing.Value!.GetBoolean("Sent") == true)
        {
            Log.EmailAlreadySent(logger, reference, step);
            return false;
        }

        if (!existing.HasValue)
        {
            try
            {
                await sends.AddEntityAsync(new TableEntity(reference, step) { ["Sent"] = false, ["Subject"] = message.Subject }, ct);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // A concurrent attempt recorded it first: that attempt sends.
                return false;
            }
        }

        var o = options.Value;
        var mail = MailHelper.CreateSingleEmail(
            new EmailAddress(o.FromAddress, o.FromName), new EmailAddress(message.To), message.Subject, message.Text, message.Html);
        mail.AddCustomArg("dsr_reference", reference);
        mail.AddCustomArg("idempotency_key", $"{reference}/{step}");
        mail.SetClickTracking(false, false);
        var response = await client.SendEmailAsync(mail, ct);
        if (!response.IsSuccessStatusCode)
        {
            Log.EmailFailed(logger, reference, step, (int)response.StatusCode);
            throw new InvalidOperationException($"SendGrid refused the email for {reference}/{step}: HTTP {(int)response.StatusCode}.");
        }

        await sends.UpsertEntityAsync(new TableEntity(reference, step) { ["Sent"] = true, ["SentAt"] = DateTimeOffset.UtcNow, ["Subject"] = message.Subject }, TableUpdateMode.Replace, ct);
        Log.EmailSent(logger, reference, step);
        return true;
    }
}
