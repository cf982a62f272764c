using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Evidence;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.Http;

/// <summary>
/// GET /api/requests/{reference}/evidence[?format=html]: the evidence pack that shows a request was handled lawfully
/// and on time (Art 5(2) accountability): the clock and how it was counted, every step with actor and time from the
/// append-only audit trail, every email sent, what was searched, each decision, and the proof documents
/// (rectification plan, restriction flags, erasure hashes and counts — never the erased values).
/// </summary>
public sealed class EvidenceHandler(RequestRepository requests, AuditLog audit, DsrStorage storage, RightsEvidence evidence, TimeProvider time, Microsoft.Extensions.Options.IOptions<Configuration.DsrOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<IResult> GetAsync(HttpRequest request, string reference, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var r = RequestReference.IsValid(reference) ? await requests.GetAsync(reference, ct) : null;
        if (r is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", $"There is no request {reference}.", "reference");
        }

        if (request.Query["document"].ToString() == "authority")
        {
            // An agent's signed authority, for staff to check before approving (kept with the case file, ended with it).
            if (r.AuthorityBlob is null || !await storage.Container(DsrStorage.EvidenceContainer).GetBlobClient(r.AuthorityBlob).ExistsAsync(ct))
            {
                return Problem(StatusCodes.Status404NotFound, "No authority document", $"No authority document is held for {reference}.", "document");
            }

            var blob = storage.Container(DsrStorage.EvidenceContainer).GetBlobClient(r.AuthorityBlob);
            var props = await blob.GetPropertiesAsync(cancellationToken: ct);
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            return Results.Stream(await blob.OpenReadAsync(cancellationToken: ct), props.Value.ContentType, $"{reference}-authority{System.IO.Path.GetExtension(r.AuthorityBlob)}");
        }

        var pack = await BuildAsync(r, client, ct);
        if (request.Query["format"].ToString() == "html")
        {
            return new JmlDsr.Pages.ComponentPageResult<JmlDsr.Pages.EvidencePackPage>(StatusCodes.Status200OK, new Dictionary<string, object?>
            {
                [nameof(JmlDsr.Pages.EvidencePackPage.Pack)] = pack,
                [nameof(JmlDsr.Pages.EvidencePackPage.DocumentJson)] = pack.Documents.ToDictionary(d => d.Key, d => JsonSerializer.Serialize(d.Value, Json)),
            });
        }

        return Results.Json(pack, Json);
    }

    private async Task<EvidencePack> BuildAsync(RequestRecord r, DurableTaskClient client, CancellationToken ct)
    {
        var timeline = (await audit.ReadAsync(r.RowKey, ct)).OrderBy(a => a.RowKey, StringComparer.Ordinal)
            .Select(a => new EvidenceStep(a.At, a.Step, a.Actor, a.Detail)).ToList();
        var emails = new List<EvidenceEmail>();
        await foreach (var s in storage.Table(DsrStorage.SendsTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {r.RowKey}"), cancellationToken: ct))
        {
            emails.Add(new EvidenceEmail(s.RowKey, s.GetString(SendRow.Subject) ?? string.Empty, s.GetBoolean(SendRow.Sent) == true || s.GetBoolean(SendRow.Accepted) == true,
                s.GetDateTimeOffset(SendRow.SentAt) ?? s.GetDateTimeOffset(SendRow.AcceptedAt), s.GetString(SendRow.LastEvent), s.GetDateTimeOffset(SendRow.LastEventAt),
                s.GetBoolean(SendRow.Undeliverable) == true));
        }

        var documents = (await evidence.AllAsync(r.RowKey, ct)).ToDictionary(d => d.Name, d => d.Json, StringComparer.Ordinal);
        var instance = await client.GetInstanceAsync(r.RowKey, getInputsAndOutputs: false, ct);
        DateOnly? due = DateOnly.TryParseExact(r.DueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        DateOnly? closedOn = r.ClosedAt is { } c ? StatutoryClock.UkDate(c) : null;
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var clock = RequestTypes.FromWire(r.Type) == RequestType.Complaint ? ComplaintClock(r, timeline, due, closedOn, today) : new EvidenceClock(
            "One calendar month beginning with the relevant time (ICO method; UK GDPR Art 12(3), Art 12A): the latest of receipt, of the identity confirmation asked for and of a fee paid; days stopped for clarification added; a weekend or England and Wales bank holiday moves the date to the next working day; extended by two months only by notice within the first month.",
            StatutoryClock.UkDate(r.ReceivedAt), r.RelevantDate, r.PausedDays, r.Extended, r.DueDate, closedOn,
            closedOn is { } co && due is { } du ? co <= du : null,
            r.Overdue || (closedOn is null && due is { } od && today > od && !RequestStatus.IsPaused(r.Status)));
        return new EvidencePack(
            r.RowKey, RequestTypes.FromWire(r.Type).Title(), r.Type, r.Status, r.Channel, new EvidenceRequester(r.RequesterEmail, r.RequesterName), r.ReceivedAt, r.RawBlob,
            clock, r.Outcome, instance?.RuntimeStatus.ToString(),
            timeline.Where(t => t.Step.StartsWith("searched-", StringComparison.Ordinal)).ToList(),
            timeline.Where(t => t.Actor != "system").ToList(),
            emails.OrderBy(e => e.SentAt ?? DateTimeOffset.MaxValue).ToList(),
            timeline, documents, time.GetUtcNow())
        {
            Retention = Domain.Retention.CaseFileSchedule.ForRequest(options.Value.Retention(), RequestTypes.FromWire(r.Type), r.Status, r.ClosedAt, r.ForgottenAt),
            RetentionSchedule = Domain.Retention.CaseFileSchedule.Schedule(options.Value.Retention()),
        };
    }

    /// <summary>
    /// A complaint's clock (DPA 2018 s 164A): the due date is the last day to acknowledge it; on time means acknowledged by
    /// then. The outcome has no fixed limit ("without undue delay"), so its date is recorded, not judged.
    /// </summary>
    private static EvidenceClock ComplaintClock(RequestRecord r, IReadOnlyList<EvidenceStep> timeline, DateOnly? due, DateOnly? closedOn, DateOnly today)
    {
        var acknowledged = timeline.FirstOrDefault(t => t.Step == "complaint-acknowledged") is { } a ? StatutoryClock.UkDate(a.At) : (DateOnly?)null;
        return new EvidenceClock(
            "Complaint (Data Protection Act 2018 s 164A): acknowledged within 30 days, counted from the day after receipt; a last day on a weekend or England and Wales bank holiday moves to the next working day (ICO complaints guidance). " +
            $"The outcome is due without undue delay, with the right to complain to the ICO. Acknowledged on {(acknowledged is { } on ? on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "— (not yet)")}; outcome sent on {(closedOn is { } c ? c.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "— (not yet)")}." +
            (RequestReference.IsValid(r.AboutReference) ? $" About request {r.AboutReference}." : string.Empty),
            StatutoryClock.UkDate(r.ReceivedAt), r.RelevantDate, 0, false, r.DueDate, closedOn,
            acknowledged is { } ack && due is { } du ? ack <= du : null,
            acknowledged is null && due is { } od && today > od);
    }
}
