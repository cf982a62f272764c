using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// POST /api/inbound/sendgrid?key=…: an email to the privacy mailbox, from SendGrid Inbound Parse.
/// The raw body is stored before anything else; then it is parsed, the author found, the request
/// classified, de-duplicated (SendGrid retries any non-2xx for three days, so the same Message-Id is
/// the same request), given a reference, stored as a request, and queued for its workflow to start
/// (<see cref="IntakeStarter"/>). Each step is idempotent, so a retried post finishes what a crashed
/// one began. 2xx only once the request and its start message are stored.
/// </summary>
public sealed class InboundHandler(
    DsrStorage storage,
    RequestRepository requests,
    DecisionStore decisions,
    AuditLog audit,
    WorkflowStarter starter,
    PendingStarts intake,
    IOptions<DsrOptions> options,
    IOptions<SecretOptions> secrets,
    TimeProvider time,
    ILogger<InboundHandler> logger)
{
    /// <summary>
    /// Largest post accepted (30 MiB). SendGrid caps a message at 30 MB, so every post it makes fits (a 25 MB message is
    /// accepted and parsed); a post that says it is longer is refused from its Content-Length before it is read.
    /// </summary>
    public const int MaxAcceptedBytes = 30 * 1024 * 1024;

    /// <summary>Largest post read at all (and kept): a post without a Content-Length is read, streaming, up to this.</summary>
    public const int MaxReadBytes = 64 * 1024 * 1024;

    public async Task<IResult> HandleAsync(HttpRequest request, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!KeyMatches(request.Query["key"].ToString()))
        {
            Log.InboundBadKey(logger);
            return Responses.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "The inbound key is missing or wrong.", "key");
        }

        var receivedAt = time.GetUtcNow();
        if (request.ContentLength > MaxAcceptedBytes)
        {
            // Refused unread: no SendGrid post is this long, and reading it would only cost.
            Log.InboundTooLong(logger, request.ContentLength.Value, MaxAcceptedBytes);
            return Responses.Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large",
                $"The post is larger than {MaxAcceptedBytes / (1024 * 1024)} MB (its Content-Length says {request.ContentLength.Value} bytes); it was not read.");
        }

        // The post streams to blob storage as it is read (memory: one 4 MiB buffer whatever its size), then is parsed
        // from that buffer or, when larger, back from the blob; the parser's own reading is bounded (InboundParser).
        await using var raw = await KeepRawAsync(request.Body, request.ContentType, receivedAt, ct);
        var blobName = raw.BlobName;
        if (!raw.Complete || raw.Length > MaxAcceptedBytes)
        {
            return Reject(blobName, StatusCodes.Status413PayloadTooLarge, "Payload too large",
                $"The post is larger than {MaxAcceptedBytes / (1024 * 1024)} MB. It has been kept for staff to review.");
        }

        InboundEmail email;
        try
        {
            await using var body = await raw.OpenReadAsync(ct);
            email = await InboundParser.ParseAsync(body, request.ContentType, ct);
        }
        catch (InboundFormatException e)
        {
            return Reject(blobName, StatusCodes.Status400BadRequest, "Unreadable email", e.Message + " The raw post has been kept.");
        }

        var requester = RequesterExtractor.Extract(email.From, email.ReplyTo, email.Text, options.Value.InternalDomainList);
        if (requester is null || !RequesterExtractor.IsValidAddress(requester.Email))
        {
            return Reject(blobName, StatusCodes.Status400BadRequest, "No sender",
                "The email has no usable sender address (From or Reply-To). The raw post has been kept.", "from");
        }

        var classification = RequestClassifier.Classify(email.Subject, email.Text);
        var dedupeKey = InboundParser.DedupeKey(email, raw);

        // A reply quoting a request that waits for this requester's clarification is their answer, not a new request.
        // Otherwise the email gets a reference, written with its de-duplication row in one insert: the first post of a
        // Message-Id to arrive wins, its time is the time of receipt, and a repeat gets the same reference.
        var answerTo = await ClarificationAwaitingAsync(email, requester.Email, ct);
        var fresh = answerTo is null ? await requests.AllocateReferenceAsync(StatutoryClock.UkDate(receivedAt).Year, ct) : null;
        var inbound = storage.Table(DsrStorage.InboundTable);
        var (row, added) = await AddOrGetInboundAsync(inbound, dedupeKey, blobName, receivedAt, fresh, answerTo, ct);
        if (!added && fresh is not null)
        {
            await requests.GiveBackAsync(fresh);
        }

        var firstReceivedAt = row.GetDateTimeOffset("ReceivedAt") ?? receivedAt;
        if ((row.GetString("AnswerTo") ?? (row.GetString("Reference") is null ? answerTo : null)) is { } answered)
        {
            return await TakeAsAnswerAsync(client, inbound, row, answered, email, firstReceivedAt, blobName, duplicate: !added, ct);
        }

        var duplicate = !added && row.GetString("Reference") is not null;
        var reference = row.GetString("Reference") ?? await BindReferenceAsync(inbound, row, firstReceivedAt, ct);
        var due = starter.InitialDueDate(classification.Type, firstReceivedAt);
        var about = classification.Type == RequestType.Complaint ? await AboutAsync(email, reference, ct) : null;
        var record = new RequestRecord
        {
            RowKey = reference,
            Type = classification.Type.ToWire(),
            Status = RequestStatus.Received,
            Channel = "email",
            RequesterEmail = requester.Email,
            RequesterName = requester.Name,
            ReceivedAt = firstReceivedAt,
            RelevantDate = StatutoryClock.UkDate(firstReceivedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DueDate = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            RawBlob = row.GetString("RawBlob"),
            Subject = email.Subject,
            Details = Truncate(email.Text, 16_000),
            ClassificationReason = classification.Reason,
            AboutReference = about,
        };

        // The workflow starts from the queue: SendGrid gets its 2xx once the email, the request and its start are stored,
        // not after the engine has been asked (a repeat post queues again; the start is idempotent, and a start that finds
        // no request row yet is tried again).
        await Task.WhenAll(requests.CreateIfMissingAsync(record, ct), intake.EnqueueAsync(reference, ct));
        intake.Announce();

        if (duplicate)
        {
            Log.InboundDuplicate(logger, blobName, reference);
        }
        else
        {
            Log.InboundAccepted(logger, blobName, reference, classification.Type.ToWire());
        }

        return Results.Json(new
        {
            reference,
            type = classification.Type.ToWire(),
            dueDate = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            duplicate,
        }, statusCode: StatusCodes.Status200OK);
    }

    /// <summary>The request a complaint is about (DPA 2018 s 164A): the first reference it quotes that is one of ours.</summary>
    private async Task<string?> AboutAsync(InboundEmail email, string reference, CancellationToken ct)
    {
        foreach (var quoted in RequestReference.FindAllIn($"{email.Subject}\n{email.Text}"))
        {
            if (quoted != reference && await requests.GetAsync(quoted, ct) is not null)
            {
                return quoted;
            }
        }

        return null;
    }

    /// <summary>
    /// A reply from the requester that quotes a request waiting for their clarification is their answer (Art 12A: the
    /// clock runs again from the day it arrives), not a new request. Returns that request's reference.
    /// </summary>
    private async Task<string?> ClarificationAwaitingAsync(InboundEmail email, string from, CancellationToken ct)
    {
        foreach (var quoted in RequestReference.FindAllIn($"{email.Subject}\n{email.Text}"))
        {
            if (await requests.GetAsync(quoted, ct) is { } r && r.Status == RequestStatus.AwaitingClarification && r.CurrentStep is not null
                && string.Equals(r.RequesterEmail, from, StringComparison.OrdinalIgnoreCase))
            {
                return quoted;
            }
        }

        return null;
    }

    private async Task<IResult> TakeAsAnswerAsync(DurableTaskClient client, TableClient inbound, TableEntity row, string reference, InboundEmail email, DateTimeOffset receivedAt, string blobName, bool duplicate, CancellationToken ct)
    {
        var r = await requests.GetRequiredAsync(reference, ct);
        if (row.GetString("AnswerTo") is null)
        {
            row["AnswerTo"] = reference;
            row["Step"] = r.CurrentStep;
            await inbound.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, ct);
        }

        var step = row.GetString("Step") ?? r.CurrentStep ?? string.Empty;
        if (r.Status == RequestStatus.AwaitingClarification && r.CurrentStep == step)
        {
            await decisions.SaveAsync(reference, step, new DecisionDetails([], [], Truncate(email.Text, 16_000)), ct);
            await client.RaiseEventAsync(reference, DsrEvents.ClarificationAnswered, new LinkDecision(step, LinkActions.Answer, null, "requester (email reply)", receivedAt), ct);
            await audit.AppendAsync(reference, receivedAt, $"answer-by-email-{step}", "requester (email reply)", $"The requester answered the request for clarification by email (kept as {blobName}).", ct);
        }

        Log.InboundAnswer(logger, blobName, reference);
        return Results.Json(new { reference, type = r.Type, dueDate = r.DueDate, duplicate, answer = true }, statusCode: StatusCodes.Status200OK);
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max] + "…";

    private IResult Reject(string blobName, int status, string title, string detail, string? field = null)
    {
        Log.InboundRejected(logger, blobName, title);
        return Responses.Problem(status, title, detail, field, new Dictionary<string, object?> { ["rawBlob"] = blobName });
    }

    private bool KeyMatches(string? key)
    {
        var expected = Encoding.UTF8.GetBytes(secrets.Value.InboundKey);
        var given = Encoding.UTF8.GetBytes(key ?? string.Empty);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(expected), SHA256.HashData(given)) && given.Length > 0;
    }

    private Task<RawPost> KeepRawAsync(Stream body, string? contentType, DateTimeOffset receivedAt, CancellationToken ct) =>
        RawPost.KeepAsync(storage.Container(DsrStorage.InboundRawContainer), body, MaxReadBytes, contentType, receivedAt, ct);

    /// <summary>Inserts the email's de-duplication row, or reads the one an earlier post of the same email inserted.</summary>
    private static async Task<(TableEntity Row, bool Added)> AddOrGetInboundAsync(TableClient inbound, string key, string blobName, DateTimeOffset receivedAt, string? reference, string? answerTo, CancellationToken ct)
    {
        var row = new TableEntity("msg", key) { ["RawBlob"] = blobName, ["ReceivedAt"] = receivedAt };
        if (reference is not null)
        {
            row["Reference"] = reference;
        }

        if (answerTo is not null)
        {
            row["AnswerTo"] = answerTo;
        }

        try
        {
            await inbound.AddEntityAsync(row, ct);
            return (row, true);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // An earlier post of the same email (a SendGrid retry) got there first.
            return ((await inbound.GetEntityAsync<TableEntity>("msg", key, cancellationToken: ct)).Value, false);
        }
    }

    /// <summary>Gives a reference to a row stored without one (by a post that stopped half way, before references were written with the row).</summary>
    private async Task<string> BindReferenceAsync(TableClient inbound, TableEntity row, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var allocated = await requests.AllocateReferenceAsync(StatutoryClock.UkDate(receivedAt).Year, ct);
        row["Reference"] = allocated;
        try
        {
            await inbound.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, ct);
            return allocated;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // A concurrent retry of the same email got its reference in first: use that one.
            await requests.GiveBackAsync(allocated);
            var current = await inbound.GetEntityAsync<TableEntity>("msg", row.RowKey, cancellationToken: ct);
            return current.Value.GetString("Reference") ?? throw new InvalidOperationException("Inbound row lost its reference.");
        }
    }
}
