using System.Globalization;
using System.Text.Json;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// The set-aside list (GET api/inbound/set-aside, staff) and opening one of its emails as a request (POST
/// api/inbound/set-aside/{id}/open, staff; the console's "Open as request" does the same): a filter never loses what a
/// person wrote. The request counts from the email's original receipt.
/// </summary>
public sealed class SetAsideHandler(SetAsideStore store, InboundHandler inbound, DsrStorage storage, AuditLog audit, RequestRepository requests,
    IOptions<DsrOptions> options, TimeProvider time, ILogger<SetAsideHandler> logger)
{
    /// <summary>What staff may say when opening: the type, and the requester where the email names no one usable (a bounce).</summary>
    public sealed record OpenSetAside(string? Type, string? RequesterEmail, string? RequesterName);

    /// <summary>The outcome of opening: the request, or a problem for staff (status, title, detail, field).</summary>
    public sealed record OpenOutcome(string? Reference, string? Type, string? DueDate, bool AlreadyOpened, int Status, string? Problem, string? Field);

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reason = request.Query["reason"].ToString();
        if (reason.Length > 0 && !Enum.GetValues<SetAsideReason>().Any(r => r.ToWire() == reason))
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Unknown reason",
                "reason must be one of " + string.Join(", ", Enum.GetValues<SetAsideReason>().Select(r => r.ToWire())) + ".", "reason");
        }

        var list = await store.ListAsync(reason, ct);
        return Results.Json(new
        {
            count = list.Count,
            setAside = list.Select(r => new
            {
                id = r.RowKey,
                receivedAt = r.ReceivedAt,
                reason = r.Reason,
                explanation = r.Explanation,
                from = r.From,
                subject = r.Subject,
                quotedReferences = string.IsNullOrEmpty(r.QuotedReferences) ? [] : r.QuotedReferences.Split(','),
                openedAs = r.OpenedAs,
                openedBy = r.OpenedBy,
                openedAt = r.OpenedAt,
            }),
        });
    }

    public async Task<IResult> OpenAsync(HttpRequest request, string id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        OpenSetAside? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync<OpenSetAside>(request.Body, JsonOptions, ct);
            }
            catch (JsonException)
            {
                return Responses.Problem(StatusCodes.Status400BadRequest, "Bad JSON",
                    "The body, if any, must be JSON like {\"type\": \"access\", \"requesterEmail\": \"…\", \"requesterName\": \"…\"}.");
            }
        }

        var outcome = await OpenAsync(id, body, StaffConsole.StaffIdentity.ActorOf(request.HttpContext), ct);
        return outcome.Problem is not null
            ? Responses.Problem(outcome.Status, "Cannot open", outcome.Problem, outcome.Field)
            : Results.Json(new { reference = outcome.Reference, type = outcome.Type, dueDate = outcome.DueDate, alreadyOpened = outcome.AlreadyOpened },
                statusCode: outcome.AlreadyOpened ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }

    /// <summary>Opens the set-aside email <paramref name="id"/> as a request (once: opening it again gives the same request).</summary>
    public async Task<OpenOutcome> OpenAsync(string id, OpenSetAside? body, string actor, CancellationToken ct = default)
    {
        var record = id.Length is > 0 and <= 128 ? await store.GetAsync(id, ct) : null;
        if (record is null)
        {
            return new OpenOutcome(null, null, null, false, StatusCodes.Status404NotFound, $"There is no set-aside email {id}.", "id");
        }

        if (record.OpenedAs is { } existing && await requests.GetAsync(existing, ct) is { } done)
        {
            return new OpenOutcome(existing, done.Type, done.DueDate, true, StatusCodes.Status200OK, null, null);
        }

        RequestType? type = null;
        if (!string.IsNullOrWhiteSpace(body?.Type))
        {
            if (!RequestTypes.TryParseWire(body.Type, out var t) || t == RequestType.Unclassified)
            {
                return new OpenOutcome(null, null, null, false, StatusCodes.Status400BadRequest, "type must be access, rectification, restriction, erasure or complaint (or left out to classify the email).", "type");
            }

            type = t;
        }

        var blob = storage.Container(DsrStorage.InboundRawContainer).GetBlobClient(record.RawBlob);
        var download = await blob.DownloadContentAsync(ct);
        InboundEmail email;
        try
        {
            email = await InboundParser.ParseAsync(download.Value.Content.ToArray(), download.Value.Details.ContentType, ct);
        }
        catch (InboundFormatException e)
        {
            return new OpenOutcome(null, null, null, false, StatusCodes.Status422UnprocessableEntity, "The kept email cannot be read: " + e.Message, "id");
        }

        var o = options.Value;
        Requester? requester;
        if (!string.IsNullOrWhiteSpace(body?.RequesterEmail))
        {
            if (!RequesterExtractor.IsValidAddress(body.RequesterEmail.Trim()))
            {
                return new OpenOutcome(null, null, null, false, StatusCodes.Status400BadRequest, "requesterEmail must be an email address.", "requesterEmail");
            }

            requester = new Requester(RequesterExtractor.Normalise(body.RequesterEmail), string.IsNullOrWhiteSpace(body.RequesterName) ? null : body.RequesterName.Trim(), "staff")
            {
                Reason = $"named by {actor} when opening the set-aside email",
            };
        }
        else
        {
            requester = RequesterExtractor.Extract(email.Facts, o.InternalDomainList);
        }

        if (requester is null || !requester.IsPerson || !RequesterExtractor.IsValidAddress(requester.Email) || o.IsOurs(requester.Email))
        {
            return new OpenOutcome(null, null, null, false, StatusCodes.Status400BadRequest,
                "The email names no one outside JML to answer: give requesterEmail (and requesterName) of the person who made the request.", "requesterEmail");
        }

        var reference = await inbound.BindReferenceAsync(record.RowKey, record.ReceivedAt, ct);
        var auth = SenderAuthentication.Evaluate(email.Facts);
        var opened = await inbound.OpenRequestAsync(email, requester, auth, reference, record.RawBlob ?? string.Empty, record.ReceivedAt, type, actor, ct);
        await audit.AppendAsync(reference, time.GetUtcNow(), "opened-from-set-aside", actor,
            $"Opened from the set-aside list (set aside as {record.Reason}: {record.Explanation}); the time limit counts from the email's receipt on {record.ReceivedAt.ToString("d MMM yyyy HH:mm", CultureInfo.GetCultureInfo("en-GB"))}.", ct);
        await store.MarkOpenedAsync(record, reference, actor, time.GetUtcNow(), ct);
        Log.SetAsideOpened(logger, record.RowKey, reference);
        return new OpenOutcome(reference, opened.Type.ToWire(), opened.Due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), false, StatusCodes.Status201Created, null, null);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
