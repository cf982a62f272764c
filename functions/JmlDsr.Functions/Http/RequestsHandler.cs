using System.Globalization;
using System.Text.Json;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using JmlDsr.Domain.Intake;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions.Http;

/// <summary>Staff API: GET /api/requests, GET /api/requests/{reference}, POST /api/requests/{reference}/type.</summary>
public sealed class RequestsHandler(RequestRepository requests, AuditLog audit, DsrStorage storage, WorkflowStarter starter, Intake.PendingStarts pendingStarts, TimeProvider time, ILogger<RequestsHandler> logger)
{
    private const int MaxBody = 64 * 1024;

    /// <summary>
    /// POST /api/requests: staff log a request that came by post, phone, in person or to another mailbox. The body is
    /// kept first (inbound-raw/staff/…), then the request runs the same workflow as an email, its clock counting from
    /// receivedAt. An Idempotency-Key header makes a retried post return the same request.
    /// </summary>
    public async Task<IResult> CreateAsync(HttpRequest request, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxBody)
        {
            return Responses.Problem(StatusCodes.Status413PayloadTooLarge, "Too large", $"The body must be at most {MaxBody / 1024} KB.", "body");
        }

        var raw = buffer.ToArray();
        var blobName = string.Create(CultureInfo.InvariantCulture, $"staff/{now:yyyy/MM/dd}/{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(raw)).ToLowerInvariant()}.json");
        await storage.Container(DsrStorage.InboundRawContainer).GetBlobClient(blobName).UploadAsync(new BinaryData(raw), overwrite: true, ct);

        LoggedRequest? logged;
        FieldError? error;
        try
        {
            using var doc = JsonDocument.Parse(raw);
            (logged, error) = LoggedRequestParser.Parse(doc.RootElement, now);
        }
        catch (JsonException e)
        {
            Log.LoggedRequestRefused(logger, blobName, "body");
            return Responses.Problem(StatusCodes.Status400BadRequest, "Bad JSON", $"The body is not valid JSON: {e.Message}", "body");
        }

        if (logged is null)
        {
            Log.LoggedRequestRefused(logger, blobName, error!.Field);
            return Responses.Problem(StatusCodes.Status400BadRequest, "Invalid request", error.Message, error.Field);
        }

        if (logged.AboutReference is { } about && await requests.GetAsync(about, ct) is null)
        {
            Log.LoggedRequestRefused(logger, blobName, "aboutReference");
            return Responses.Problem(StatusCodes.Status400BadRequest, "Invalid request", $"aboutReference: there is no request {about}.", "aboutReference");
        }

        var key = request.Headers["Idempotency-Key"].ToString();
        string reference;
        if (key.Length is > 0 and <= 200)
        {
            var inbound = storage.Table(DsrStorage.InboundTable);
            var rowKey = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
            var existing = await inbound.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("staff", rowKey, cancellationToken: ct);
            if (existing.HasValue && existing.Value!.GetString("Reference") is { } known)
            {
                reference = known;
            }
            else
            {
                reference = await requests.AllocateReferenceAsync(StatutoryClock.UkDate(logged.ReceivedAt).Year, ct);
                try
                {
                    await inbound.AddEntityAsync(new Azure.Data.Tables.TableEntity("staff", rowKey) { ["Reference"] = reference, ["RawBlob"] = blobName }, ct);
                }
                catch (Azure.RequestFailedException e) when (e.Status == 409)
                {
                    reference = (await inbound.GetEntityAsync<Azure.Data.Tables.TableEntity>("staff", rowKey, cancellationToken: ct)).Value.GetString("Reference")!;
                }
            }
        }
        else
        {
            reference = await requests.AllocateReferenceAsync(StatutoryClock.UkDate(logged.ReceivedAt).Year, ct);
        }

        var received = StatutoryClock.UkDate(logged.ReceivedAt);
        var due = starter.InitialDueDate(logged.Type, logged.ReceivedAt);
        await requests.CreateIfMissingAsync(new RequestRecord
        {
            RowKey = reference,
            Type = logged.Type.ToWire(),
            Status = RequestStatus.Received,
            Channel = logged.Channel,
            RequesterEmail = logged.RequesterEmail,
            RequesterName = logged.RequesterName,
            ReceivedAt = logged.ReceivedAt,
            RelevantDate = received.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DueDate = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            RawBlob = blobName,
            Subject = $"Logged by staff ({logged.Channel})",
            Details = logged.Details,
            ClassificationReason = "classified by staff when logged",
            AboutReference = logged.AboutReference,
        }, ct);
        await audit.AppendAsync(reference, now, "logged", StaffName(request), logged.Type == RequestType.Complaint
            ? $"Logged by staff: {logged.Type.Title()}{(logged.AboutReference is { } a ? $" about request {a}" : "")} received by {logged.Channel} on {received:yyyy-MM-dd}; it must be acknowledged by {due:yyyy-MM-dd} (DPA 2018 s 164A(3))."
            : $"Logged by staff: {logged.Type.Title()} received by {logged.Channel} on {received:yyyy-MM-dd}; the clock counts from then.", ct);
        try
        {
            await starter.EnsureStartedAsync(client, reference, logged.Type, logged.ReceivedAt, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && HttpFailures.IsStorageUnreachable(e))
        {
            // The engine is not answering (starting up, an outage): the request is stored, and its start waits on the
            // intake-start queue like an emailed request's, so the call still succeeds and nothing is lost.
            await pendingStarts.EnqueueAsync(reference, ct);
            Log.LoggedRequestStartQueued(logger, reference, e.GetType().Name);
        }

        Log.LoggedRequestAccepted(logger, reference, logged.Channel);

        var record = await requests.GetRequiredAsync(reference, ct);
        return Results.Json(new
        {
            reference,
            type = record.Type,
            status = record.Status,
            channel = record.Channel,
            receivedAt = record.ReceivedAt,
            dueDate = record.DueDate,
            aboutReference = record.AboutReference,
        }, statusCode: StatusCodes.Status201Created);
    }

    private static string StaffName(HttpRequest request) => StaffConsole.StaffIdentity.ActorOf(request.HttpContext);

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var status = request.Query["status"].ToString();
        var type = request.Query["type"].ToString();
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var list = new List<object>();
        await foreach (var r in requests.ListAsync(status, type, ct))
        {
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
            paused = RequestStatus.IsPaused(r.Status),
            pausedDays = r.PausedDays,
            extended = r.Extended,
            overdue = IsOverdue(r, today),
            attention = r.Attention,
            closedAt = r.ClosedAt,
            outcome = r.Outcome,
            classification = r.ClassificationReason,
            aboutReference = r.AboutReference,
            senderAuthenticated = r.SenderAuthenticated,
            senderAuthentication = r.SenderAuthentication,
            identity = r.IdentityNeed is null ? null : new { need = r.IdentityNeed, reason = r.IdentityReason },
            agent = r.AgentKind is null ? null : new { kind = r.AgentKind, email = r.RequesterEmail, name = r.RequesterName, authorityReceivedAt = r.AuthorityReceivedAt, authorityAcceptedBy = r.AuthorityAcceptedBy },
            dataSubject = new { email = r.PersonEmail(), name = r.SubjectName ?? (r.AgentKind is null ? r.RequesterName : null) },
            linked = r.LinkedReferences(),
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

        // Classifying sets the right the waiting request workflow goes on with; a complaint runs a workflow of its own, so
        // staff log it with POST /api/requests (type complaint) instead.
        if (!RequestTypes.TryParseWire(wire, out var type) || !type.IsRight())
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Unknown type",
                type == RequestType.Complaint
                    ? "type must be access, rectification, restriction or erasure. To treat the message as a complaint, log it with POST /api/requests and type complaint."
                    : "type must be access, rectification, restriction or erasure.", "type");
        }

        if (r.Status != RequestStatus.NeedsTriage)
        {
            return Responses.Problem(StatusCodes.Status409Conflict, "Already classified", $"Request {reference} is {r.Status}; only a request waiting for triage can be classified.");
        }

        await client.RaiseEventAsync(reference, DsrEvents.Classified, new ClassifiedEvent(type, StaffName(request), time.GetUtcNow()), ct);
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
        paused = RequestStatus.IsPaused(r.Status),
        pausedDays = r.PausedDays,
        extended = r.Extended,
        overdue = IsOverdue(r, today),
        attention = r.Attention,
        closedAt = r.ClosedAt,
        aboutReference = r.AboutReference,
    };

    /// <summary>Days to the due date; for a complaint, to the acknowledgement date, and only until it is acknowledged.</summary>
    private static int? DaysLeft(RequestRecord r, DateOnly today) =>
        (!IsComplaint(r) || r.Status == RequestStatus.Received)
        && DateOnly.TryParseExact(r.DueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due) ? StatutoryClock.DaysLeft(today, due) : null;

    /// <summary>Past the statutory DSR deadline. A complaint has none (DPA 2018 s 164A: the outcome is due without undue delay), so it never is.</summary>
    private static bool IsOverdue(RequestRecord r, DateOnly today) =>
        !IsComplaint(r) && (r.Overdue || (!RequestStatus.IsClosed(r.Status) && !RequestStatus.IsPaused(r.Status) && DaysLeft(r, today) < 0));

    private static bool IsComplaint(RequestRecord r) => RequestTypes.FromWire(r.Type) == RequestType.Complaint;
}
