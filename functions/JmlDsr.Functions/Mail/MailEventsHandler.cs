using System.Globalization;
using Azure.Data.Tables;
using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Mail;

/// <summary>
/// POST api/events/sendgrid: SendGrid's Signed Event Webhook. Each event about an email JmlDsr sent marks the
/// email's row in the Sends table: SendGrid took it (which settles a send a crash interrupted, see
/// <see cref="Mailer"/>), its latest event, and whether it bounced or was dropped. An email to a requester that
/// was not delivered goes into the request's audit trail and to the privacy team. Posting the same events again
/// changes nothing.
/// </summary>
public sealed class MailEventsHandler(DsrStorage storage, RequestRepository requests, AuditLog audit, Mailer mailer,
    IOptions<SendGridOptions> sendGrid, IOptions<DsrOptions> options, TimeProvider time, ILogger<MailEventsHandler> logger)
{
    /// <summary>SendGrid posts batches of up to a few MB; far more is not SendGrid.</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>The step of the privacy team's alert about an email that was not delivered.</summary>
    public const string UndeliverableStepPrefix = "undeliverable-";

    public async Task<IResult> HandleAsync(HttpRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (body, complete) = request.ContentLength > MaxBodyBytes ? ([], false) : await RequestBody.ReadAsync(request.Body, MaxBodyBytes, ct);
        if (!complete)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "Too large", $"An event post may be at most {MaxBodyBytes} bytes.");
        }

        var verdict = EventWebhookSignature.Check(sendGrid.Value.EventWebhookPublicKey,
            request.Headers[EventWebhookSignature.TimestampHeader].ToString(), request.Headers[EventWebhookSignature.SignatureHeader].ToString(), body, time.GetUtcNow());
        if (verdict != EventWebhookSignature.Verdict.Valid)
        {
            var detail = string.IsNullOrWhiteSpace(sendGrid.Value.EventWebhookPublicKey)
                ? "No verification key is configured (SendGrid__EventWebhookPublicKey), so no event post is accepted."
                : verdict switch
                {
                    EventWebhookSignature.Verdict.Missing => $"The post lacks the {EventWebhookSignature.SignatureHeader} and {EventWebhookSignature.TimestampHeader} headers.",
                    EventWebhookSignature.Verdict.Stale => "The post's timestamp is too far from now.",
                    EventWebhookSignature.Verdict.Malformed => "The signature or timestamp header is malformed.",
                    _ => "The signature does not match the post.",
                };
            return Refuse(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
        }

        IReadOnlyList<MailEvent> events;
        try
        {
            events = MailEvent.ParseBatch(System.Text.Encoding.UTF8.GetString(body));
        }
        catch (FormatException e)
        {
            return Refuse(StatusCodes.Status400BadRequest, "Bad events", e.Message);
        }

        // One read and one write per email, however many of its events the post holds.
        foreach (var email in events.GroupBy(e => (e.Reference, e.Step)))
        {
            await RecordAsync(email.ToList(), ct);
        }

        return Results.Json(new { recorded = events.Count });
    }

    private async Task RecordAsync(List<MailEvent> events, CancellationToken ct)
    {
        var (reference, step) = (events[0].Reference, events[0].Step);
        var sends = storage.Table(DsrStorage.SendsTable);
        var row = (await sends.GetEntityIfExistsAsync<TableEntity>(reference, step, cancellationToken: ct)) is { HasValue: true } r ? r.Value! : null;
        var update = new TableEntity(reference, step) { [SendRow.Accepted] = true };
        var first = events.Min(e => e.At);
        if (row?.GetDateTimeOffset(SendRow.AcceptedAt) is not { } acceptedAt || first < acceptedAt)
        {
            update[SendRow.AcceptedAt] = first;
        }

        // Events can arrive out of order: the latest word stands.
        var latest = events.OrderBy(e => e.At).Last();
        if (row?.GetDateTimeOffset(SendRow.LastEventAt) is not { } lastAt || latest.At >= lastAt)
        {
            update[SendRow.LastEvent] = latest.Event;
            update[SendRow.LastEventAt] = latest.At;
        }

        var undeliverable = events.FirstOrDefault(e => e.ShowsUndeliverable);
        if (undeliverable is not null)
        {
            update[SendRow.Undeliverable] = true;
        }

        await sends.UpsertEntityAsync(update, TableUpdateMode.Merge, ct);
        if (undeliverable is not null && !step.StartsWith(UndeliverableStepPrefix, StringComparison.Ordinal))
        {
            await ReportUndeliverableAsync(undeliverable, row?.GetString(SendRow.Subject) ?? step, ct);
        }
    }

    private async Task ReportUndeliverableAsync(MailEvent e, string subject, CancellationToken ct)
    {
        Log.EmailUndeliverable(logger, e.Reference, e.Step, e.Event);
        if (await requests.GetAsync(e.Reference, ct) is null)
        {
            return;
        }

        var what = e.Event == "dropped"
            ? "SendGrid dropped it (the address is on a bounce, spam-report or unsubscribe list, or is invalid)"
            : string.Create(CultureInfo.InvariantCulture, $"the recipient's mail server refused it ({e.Kind ?? "bounce"}{(e.Status is { Length: > 0 } st ? ", status " + st : string.Empty)})");
        await audit.AppendAsync(e.Reference, e.At, UndeliverableStepPrefix + e.Step, "sendgrid", $"The email \"{subject}\" ({e.Step}) was not delivered: {what}.", ct);
        await mailer.SendOnceAsync(e.Reference, UndeliverableStepPrefix + e.Step,
            EmailComposer.StaffUndeliverable(options.Value.PrivacyTeamAddress, e.Reference, subject, what), ct);
    }

    private IResult Refuse(int status, string title, string detail)
    {
        Log.MailEventsRefused(logger, title);
        return Responses.Problem(status, title, detail);
    }
}
