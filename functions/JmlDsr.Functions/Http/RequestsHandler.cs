using System.Globalization;
using System.Text.Json;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Http;

/// <summary>Staff API: GET /api/requests, GET /api/requests/{reference}, POST /api/requests/{reference}/type.</summary>
public sealed class RequestsHandler(RequestRepository requests, AuditLog audit, TimeProvider time)
{
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var status = request.Query["status"].ToString();
        var type = request.Query["type"].ToString();
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var list = new List<object>();
        await foreach (var r in requests.ListAsync(ct))
        {
            if ((status.Length > 0 && r.Status != status) || (type.Length > 0 && r.Type != type))
            {
                continue;
            }

            list.Add(Summary(r, today));
        }

        return Results.Json(new { count = list.Count, requests = list });
    }

    public async Task<IResult> GetAsync(HttpRequest request, string reference, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var r = RequestReference.IsValid(reference) ? await requests.GetAsync(reference, ct) : null;
        if (r is null)
        {
            return Responses.Problem(StatusCodes.Status404NotFound, "Not found", $"There is no request {reference}.", "reference");
        }

        var timeline = (await audit.ReadAsync(reference, ct))
            .OrderBy(a => a.RowKey, StringComparer.Ordinal)
            .Select(a => new { at = a.At, step = a.Step, actor = a.Actor, detail = a.Detail })
            .ToList();
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var instance = await client.GetInstanceAsync(reference, getInputsAndOutputs: false, ct);
        return Results.Json(new
        {
            reference = r.RowKey,
            workflow = new
            {
                runtimeStatus = instance?.RuntimeStatus.ToString(),
                lastUpdatedAt = instance?.LastUpdatedAt,
                failure = instance?.FailureDetails?.ErrorMessage,
            },
            type = r.Type,
            status = r.Status,
            channel = r.Channel,
            requester = new { email = r.RequesterEmail, name = r.RequesterName },
            receivedAt = r.ReceivedAt,
            relevantDate = r.RelevantDate,
            dueDate = r.DueDate,
            daysLeft = DaysLeft(r, today),
            paused = r.Status == RequestStatus.AwaitingIdentity,
            pausedDays = r.PausedDays,
            extended = r.Extended,
            overdue = IsOverdue(r, today),
            closedAt = r.ClosedAt,
            outcome = r.Outcome,
            classification = r.ClassificationReason,
            timeline,
        });
    }

    public async Task<IResult> SetTypeAsync(HttpRequest request, string reference, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var r = RequestReference.IsValid(reference) ? await requests.GetAsync(reference, ct) : null;
        if (r is null)
        {
            return Responses.Problem(StatusCodes.Status404NotFound, "Not found", $"There is no request {reference}.", "reference");
        }

        string? wire;
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            wire = doc.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Bad JSON", "The body must be JSON like {\"type\": \"access\"}.");
        }

        if (!RequestTypes.TryParseWire(wire, out var type) || type == RequestType.Unclassified)
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Unknown type", "type must be access, rectification, restriction or erasure.", "type");
        }

        if (r.Status != RequestStatus.NeedsTriage)
        {
            return Responses.Problem(StatusCodes.Status409Conflict, "Already classified", $"Request {reference} is {r.Status}; only a request waiting for triage can be classified.");
        }

        await client.RaiseEventAsync(reference, DsrEvents.Classified, new ClassifiedEvent(type, "privacy team (API)", time.GetUtcNow()), ct);
        return Results.Json(new { reference, type = type.ToWire() }, statusCode: StatusCodes.Status202Accepted);
    }

    private static object Summary(RequestRecord r, DateOnly today) => new
    {
        reference = r.RowKey,
        type = r.Type,
        status = r.Status,
        channel = r.Channel,
        requester = EmailComposer.Mask(r.RequesterEmail),
        receivedAt = r.ReceivedAt,
        dueDate = r.DueDate,
        daysLeft = DaysLeft(r, today),
        paused = r.Status == RequestStatus.AwaitingIdentity,
        pausedDays = r.PausedDays,
        extended = r.Extended,
        overdue = IsOverdue(r, today),
        closedAt = r.ClosedAt,
    };

    private static int? DaysLeft(RequestRecord r, DateOnly today) =>
        DateOnly.TryParseExact(r.DueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due) ? StatutoryClock.DaysLeft(today, due) : null;

    private static bool IsOverdue(RequestRecord r, DateOnly today) =>
        r.Overdue || (!RequestStatus.IsClosed(r.Status) && r.Status != RequestStatus.AwaitingIdentity && DaysLeft(r, today) < 0);
}
