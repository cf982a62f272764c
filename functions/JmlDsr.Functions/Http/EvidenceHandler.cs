using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JmlDsr.Domain.Deadlines;
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
            return Page(request.HttpContext, StatusCodes.Status200OK, $"Evidence pack {r.RowKey}", Html(pack));
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

    private static string Html(EvidencePack p)
    {
        var h = new StringBuilder();
        h.Append("<p class=\"ref\">").Append(E(p.Type)).Append(" · channel ").Append(E(p.Channel)).Append(" · status <strong>").Append(E(p.Status)).Append("</strong></p>");
        h.Append("<h2>The clock</h2><p>").Append(E(p.Clock.Method)).Append("</p><dl>")
            .Append("<dt>Received</dt><dd>").Append(E(p.Clock.ReceivedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append("</dd>")
            .Append("<dt>Clock ran from</dt><dd>").Append(E(p.Clock.RelevantDate)).Append("</dd>")
            .Append("<dt>Days the clock was stopped</dt><dd>").Append(p.Clock.PausedDays.ToString(CultureInfo.InvariantCulture)).Append("</dd>")
            .Append("<dt>Extended</dt><dd>").Append(p.Clock.Extended ? "yes" : "no").Append("</dd>")
            .Append("<dt>Due</dt><dd>").Append(E(p.Clock.DueDate)).Append("</dd>")
            .Append("<dt>Answered</dt><dd>").Append(E(p.Clock.ClosedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "not yet")).Append("</dd>")
            .Append("<dt>On time</dt><dd>").Append(p.Clock.OnTime switch { true => "yes", false => "<strong>no</strong>", _ => "—" }).Append("</dd></dl>");
        h.Append("<h2>Emails sent</h2><ul>");
        foreach (var e in p.Emails)
        {
            h.Append("<li>").Append(E(e.SentAt?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "not sent")).Append(" — ").Append(E(e.Subject)).Append(" <span class=\"ref\">(").Append(E(e.Step)).Append(")</span>")
                .Append(e.Undeliverable ? " — <strong>not delivered</strong>" : string.Empty)
                .Append(e.LastEvent is { } le ? $" <span class=\"ref\">SendGrid: {E(le)}</span>" : string.Empty).Append("</li>");
        }

        h.Append("</ul><h2>Timeline</h2><table><thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">Who</th><th scope=\"col\">What</th></tr></thead><tbody>");
        foreach (var t in p.Timeline)
        {
            h.Append("<tr><td>").Append(E(t.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td><td>").Append(E(t.Actor)).Append("</td><td>").Append(E(t.Detail)).Append("</td></tr>");
        }

        h.Append("</tbody></table><h2>Proof documents</h2>");
        foreach (var (name, json) in p.Documents)
        {
            h.Append("<details><summary>").Append(E(name)).Append("</summary><pre style=\"white-space:pre-wrap\">").Append(E(JsonSerializer.Serialize(json, Json))).Append("</pre></details>");
        }

        h.Append("<h2>What is kept, and for how long</h2><table><thead><tr><th scope=\"col\">Record</th><th scope=\"col\">What it keeps</th><th scope=\"col\">Until</th></tr></thead><tbody>");
        foreach (var line in p.Retention.Concat(p.RetentionSchedule))
        {
            h.Append("<tr><td>").Append(E(line.Store)).Append("</td><td>").Append(E(line.Keeps)).Append("</td><td>").Append(E(line.Until)).Append("</td></tr>");
        }

        h.Append("</tbody></table>");
        return h.Append("<p class=\"ref\">Generated ").Append(E(p.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append(".</p>").ToString();
    }
}

public sealed record EvidencePack(
    string Reference, string Type, string TypeWire, string Status, string Channel, EvidenceRequester Requester, DateTimeOffset ReceivedAt, string? RawBlob,
    EvidenceClock Clock, string? Outcome, string? WorkflowStatus, IReadOnlyList<EvidenceStep> Searches, IReadOnlyList<EvidenceStep> Decisions,
    IReadOnlyList<EvidenceEmail> Emails, IReadOnlyList<EvidenceStep> Timeline, IReadOnlyDictionary<string, JsonElement> Documents, DateTimeOffset GeneratedAt)
{
    /// <summary>This request's records and when each ends (JML's retention schedule applied to it).</summary>
    public IReadOnlyList<Domain.Retention.RetentionLine> Retention { get; init; } = [];

    /// <summary>JML's retention schedule for DSR records: every store, what it keeps, for how long.</summary>
    public IReadOnlyList<Domain.Retention.RetentionLine> RetentionSchedule { get; init; } = [];
}

public sealed record EvidenceRequester(string Email, string? Name);

public sealed record EvidenceClock(string Method, DateOnly ReceivedOn, string RelevantDate, int PausedDays, bool Extended, string DueDate, DateOnly? ClosedOn, bool? OnTime, bool Overdue);

public sealed record EvidenceStep(DateTimeOffset At, string Step, string Actor, string Detail);

/// <summary>An email of the request; LastEvent is SendGrid's latest word on it (processed, delivered, bounce, ...).</summary>
public sealed record EvidenceEmail(string Step, string Subject, bool Sent, DateTimeOffset? SentAt, string? LastEvent, DateTimeOffset? LastEventAt, bool Undeliverable);
