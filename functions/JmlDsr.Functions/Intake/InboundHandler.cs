using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// POST /api/inbound/sendgrid: an email to the privacy mailbox, from SendGrid Inbound Parse, authenticated by basic auth
/// (the Inbound Parse URL <c>https://sendgrid:KEY@host/api/inbound/sendgrid</c> arrives as an Authorization header whose
/// password is the inbound key) or, for setups made before, by <c>?key=KEY</c>.
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
    SetAsideStore setAside,
    Mailer mailer,
    LinkService links,
    WorkflowStarter starter,
    PendingStarts intake,
    Verification.IdentityAnswers identityAnswers,
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
        if (!Authenticated(request))
        {
            Log.InboundBadKey(logger);
            return Responses.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "The inbound key is missing or wrong: give it as the basic-auth password of the Inbound Parse URL (https://sendgrid:KEY@host/api/inbound/sendgrid), or as ?key=.", "key");
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

        return await AcceptAsync(client, email, raw, blobName, receivedAt, ct);
    }

    /// <summary>
    /// After the raw body is kept and parsed: mail no one should answer is set aside; an emailed answer to a clarification
    /// goes to its request; anything else a person wrote becomes a request.
    /// </summary>
    private async Task<IResult> AcceptAsync(DurableTaskClient client, InboundEmail email, RawPost raw, string blobName, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var o = options.Value;
        var facts = email.Facts;
        var dedupeKey = InboundParser.DedupeKey(email, raw);
        var auth = SenderAuthentication.Evaluate(facts);
        var requester = RequesterExtractor.Extract(facts, o.InternalDomainList);
        var triage = Triage(facts, requester, auth);
        var inbound = storage.Table(DsrStorage.InboundTable);
        if (triage is not null)
        {
            var (kept, _) = await AddOrGetInboundAsync(inbound, dedupeKey, blobName, receivedAt, null, null, ct, triage.Reason.ToWire());
            if (kept.GetString("Reference") is { } openedAs && await requests.GetAsync(openedAs, ct) is { } openedRequest)
            {
                // Staff opened an earlier post of this email as a request: a SendGrid retry is a repeat of it.
                Log.InboundDuplicate(logger, blobName, openedAs);
                return Results.Json(new { reference = openedAs, type = openedRequest.Type, dueDate = openedRequest.DueDate, duplicate = true, requests = await OpenedAsync(openedRequest, ct) }, statusCode: StatusCodes.Status200OK);
            }

            if (kept.GetString("AnswerTo") is null)
            {
                return await SetAsideAsync(kept, facts, triage, ct);
            }
        }

        if (requester is null || !RequesterExtractor.IsValidAddress(requester.Email))
        {
            return Reject(blobName, StatusCodes.Status400BadRequest, "No sender",
                "The email has no usable sender address (From or Reply-To). The raw post has been kept.", "from");
        }

        // A reply quoting a request that waits for this requester's clarification is their answer, not a new request.
        // Otherwise the email gets a reference, written with its de-duplication row in one insert: the first post of a
        // Message-Id to arrive wins, its time is the time of receipt, and a repeat gets the same reference.
        var answerTo = await AnswerAwaitedAsync(email, requester.Email, ct);
        var fresh = answerTo is null ? await requests.AllocateReferenceAsync(StatutoryClock.UkDate(receivedAt).Year, ct) : null;
        var (row, added) = await AddOrGetInboundAsync(inbound, dedupeKey, blobName, receivedAt, fresh, answerTo, ct);
        if (!added && fresh is not null)
        {
            await requests.GiveBackAsync(fresh);
        }

        var firstReceivedAt = row.GetDateTimeOffset("ReceivedAt") ?? receivedAt;
        if ((row.GetString("AnswerTo") ?? (row.GetString("Reference") is null ? answerTo : null)) is { } answered)
        {
            return await TakeAsAnswerAsync(client, inbound, row, answered, email, requester.Email, auth, firstReceivedAt, blobName, duplicate: !added, ct);
        }

        var duplicate = !added && row.GetString("Reference") is not null;
        var reference = row.GetString("Reference") ?? await BindReferenceAsync(inbound, row, firstReceivedAt, ct);
        var opened = await OpenRequestAsync(email, requester, auth, reference, row.GetString("RawBlob") ?? blobName, firstReceivedAt, null, "system", ct);
        if (duplicate)
        {
            Log.InboundDuplicate(logger, blobName, reference);
        }
        else
        {
            Log.InboundAccepted(logger, blobName, reference, opened.Type.ToWire());
        }

        return Results.Json(new
        {
            reference,
            type = opened.Type.ToWire(),
            dueDate = opened.Due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            duplicate,
            requests = opened.All.Select(r => r.ToJson()),
        }, statusCode: StatusCodes.Status200OK);
    }

    /// <summary>What a request opened from an email became: its type and first due date.</summary>
    public sealed record Opened(RequestType Type, DateOnly Due)
    {
        /// <summary>Every request the email opened, this one first (one per right it exercises).</summary>
        public IReadOnlyList<OpenedRequest> All { get; init; } = [];
    }

    /// <summary>One request opened from an email, as the webhook's <c>requests</c> array lists it.</summary>
    public sealed record OpenedRequest(string Reference, RequestType Type, DateOnly Due)
    {
        public object ToJson() => new { reference = Reference, type = Type.ToWire(), dueDate = Due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
    }

    /// <summary>
    /// Writes the request row for an email (idempotent: a repeat finds the row there) and queues its workflow. Used by
    /// intake and by staff opening a set-aside email (<paramref name="type"/> then may be given, and the time of receipt
    /// is the email's first arrival, so the due date counts from then). A message that exercises several rights opens a
    /// request for each, linked to each other (ICO: deal with each right mentioned); their references are kept on the first
    /// request's row, so a repeat post opens the same ones.
    /// </summary>
    public async Task<Opened> OpenRequestAsync(InboundEmail email, Requester requester, AuthVerdict auth, string reference, string rawBlob, DateTimeOffset receivedAt, RequestType? type, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(requester);
        ArgumentNullException.ThrowIfNull(auth);
        var o = options.Value;
        var body = string.IsNullOrWhiteSpace(email.Facts.AttachmentText) ? email.Text : $"{email.Text}\n\n{email.Facts.AttachmentText}";
        var classification = type is { } given
            ? new Classification(given, [], $"opened by {actor} as {given.ToWire()}")
            : RequestClassifier.Classify(email.Subject, body);

        // More new requests from one sender in 24 hours than a person makes: staff look first, and the sender gets no email
        // (a robot or a loop would otherwise be answered every time).
        var recent = await CountRecentFromSenderAsync(requester.Email, reference, receivedAt, ct);
        if (type is null && recent >= o.MaxNewRequestsPerSenderPerDay)
        {
            classification = new Classification(RequestType.Unclassified, [], string.Create(CultureInfo.InvariantCulture,
                $"more than {o.MaxNewRequestsPerSenderPerDay} new requests from this sender in 24 hours: staff to triage, no email sent to the sender"));
        }

        var agent = classification.Type == RequestType.Complaint ? null : AgentDetector.Detect(email.Subject, body);
        var others = classification.AlsoRequested.Take(MaxRightsPerMessage - 1).ToList();
        IReadOnlyList<string> linked = others.Count == 0 ? [] : await LinkedReferencesAsync(reference, receivedAt, others.Count, ct);
        var about = classification.Type == RequestType.Complaint ? await AboutAsync(email, reference, ct) : null;
        RequestRecord Record(string r, RequestType t, string? primary) => new()
        {
            RowKey = r,
            Type = t.ToWire(),
            Status = RequestStatus.Received,
            Channel = "email",
            RequesterEmail = requester.Email,
            RequesterName = requester.Name,
            ReceivedAt = receivedAt,
            RelevantDate = StatutoryClock.UkDate(receivedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DueDate = starter.InitialDueDate(t, receivedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            RawBlob = rawBlob,
            Subject = email.Subject,
            Details = Truncate(body, 16_000),
            ClassificationReason = primary is null ? classification.Reason : $"{t.Title()} asked for in the same message as {primary}",
            AboutReference = about,
            SenderAuthenticated = auth.Authenticated,
            SenderAuthentication = auth.Summary,
            RequesterAuthenticated = IdentityCheck.MailProvesSender(auth.Authenticated, requester.Source),
            AgentKind = agent?.Kind,
            Linked = linked.Count == 0 ? null : string.Join(',', new[] { reference }.Concat(linked).Where(x => x != r)),
            PrimaryReference = primary,
        };

        // The workflow starts from the queue: SendGrid gets its 2xx once the email, the request and its start are stored,
        // not after the engine has been asked (a repeat post queues again; the start is idempotent, and a start that finds
        // no request row yet is tried again). The linked requests are written after the first, whose row names them.
        var all = new List<OpenedRequest> { new(reference, classification.Type, starter.InitialDueDate(classification.Type, receivedAt)) };
        await requests.CreateIfMissingAsync(Record(reference, classification.Type, null), ct);
        if (linked.Count > 0 && (await requests.GetRequiredAsync(reference, ct)).LinkedReferences() is var stored && !stored.SequenceEqual(linked))
        {
            // A concurrent post of the same email wrote the first row: its linked references are the ones.
            foreach (var unused in linked.Except(stored))
            {
                await requests.GiveBackAsync(unused);
            }

            linked = stored;
        }

        linked = linked.Take(others.Count).ToList();

        for (var i = 0; i < linked.Count; i++)
        {
            await requests.CreateIfMissingAsync(Record(linked[i], others[i], reference), ct);
            all.Add(new(linked[i], others[i], starter.InitialDueDate(others[i], receivedAt)));
        }

        var agentNote = agent is null ? string.Empty : $" Made on someone else's behalf ({agent.Kind}: {agent.Reason}).";
        var linkedNote = linked.Count == 0 ? string.Empty : $" The message also exercises {string.Join(", ", others.Select(t => t.Title()))}: opened as {string.Join(", ", linked)}, linked to this request.";
        await Task.WhenAll(
            audit.AppendAsync(reference, receivedAt, "intake-requester", actor, $"Requester {requester.Email}: {requester.Reason}. Sender authentication: {auth.Summary}.{agentNote}{linkedNote}", ct),
            intake.EnqueueAsync(reference, ct));
        foreach (var r in linked)
        {
            await Task.WhenAll(
                audit.AppendAsync(r, receivedAt, "intake-requester", actor, $"Requester {requester.Email}: {requester.Reason}. Sender authentication: {auth.Summary}.{agentNote} Opened from the same message as {reference}, which asks for {classification.Type.Title()}.", ct),
                intake.EnqueueAsync(r, ct));
        }

        intake.Announce();
        return new Opened(classification.Type, all[0].Due) { All = all };
    }

    /// <summary>The requests an email opened, as the webhook lists them: the stored request and those linked to it.</summary>
    private async Task<IReadOnlyList<object>> OpenedAsync(RequestRecord first, CancellationToken ct)
    {
        return new[] { first }.Concat(await requests.LinkedAsync(first, ct)).Select(r => (object)new { reference = r.RowKey, type = r.Type, dueDate = r.DueDate }).ToList();
    }

    /// <summary>How many rights one message can open requests for (the four rights and an objection).</summary>
    public const int MaxRightsPerMessage = 5;

    /// <summary>
    /// The references of the requests opened beside <paramref name="reference"/>: those its row already names (a repeat
    /// post), else new ones, written on its row before any linked row exists.
    /// </summary>
    private async Task<IReadOnlyList<string>> LinkedReferencesAsync(string reference, DateTimeOffset receivedAt, int count, CancellationToken ct)
    {
        if (await requests.GetAsync(reference, ct) is { } existing)
        {
            return existing.LinkedReferences();
        }

        var fresh = new List<string>();
        for (var i = 0; i < count; i++)
        {
            fresh.Add(await requests.AllocateReferenceAsync(StatutoryClock.UkDate(receivedAt).Year, ct));
        }

        return fresh;
    }

    /// <summary>
    /// Mail no one should answer (<see cref="MailTriage"/>), and two cases only intake can see: no one outside JML to
    /// answer, and a forward from a JML address whose own mail did not authenticate (its forwarded block could be forged).
    /// </summary>
    private TriageVerdict? Triage(MailFacts facts, Requester? requester, AuthVerdict auth)
    {
        var o = options.Value;
        var verdict = MailTriage.Classify(facts, new OwnMailIdentity(o.OwnAddressList, o.InternalDomainList));
        if (verdict is { Reason: SetAsideReason.OwnMail } && !o.LoopGuard)
        {
            verdict = null;
        }

        if (verdict is not null || requester is null)
        {
            return verdict;
        }

        if (o.IsOurs(requester.Email))
        {
            return new TriageVerdict(SetAsideReason.Internal, $"Only JML addresses: no one outside JML to answer ({requester.Reason}).");
        }

        if (!requester.IsPerson)
        {
            return new TriageVerdict(SetAsideReason.NoPerson, $"No person to answer: {requester.Reason}.");
        }

        if (requester.Source is "forwarded" or "attached" && !auth.Authenticated)
        {
            return new TriageVerdict(SetAsideReason.UnauthenticatedForward,
                $"A forward from a JML address whose own mail did not authenticate ({auth.Summary}): the forwarded sender cannot be trusted without a look.");
        }

        return null;
    }

    /// <summary>
    /// Keeps a set-aside email for staff (no request, no due date, no email to anyone), puts it on the timeline of each
    /// of our requests it quotes, and alerts the privacy team when it reports that mail to a requester bounced.
    /// </summary>
    private async Task<IResult> SetAsideAsync(TableEntity row, MailFacts facts, TriageVerdict triage, CancellationToken ct)
    {
        var id = row.RowKey;
        var reason = triage.Reason.ToWire();
        var receivedAt = row.GetDateTimeOffset("ReceivedAt") ?? time.GetUtcNow();
        var quoted = new List<string>();
        if (triage.Reason is not SetAsideReason.OwnMail)
        {
            foreach (var candidate in RequestReference.FindAllIn(QuotableText(facts.Subject, facts.Text)))
            {
                if (await requests.GetAsync(candidate, ct) is { } r)
                {
                    quoted.Add(candidate);
                    await NoteOnRequestAsync(r, id, receivedAt, facts, triage, ct);
                }
            }
        }

        await setAside.AddAsync(new SetAsideRecord
        {
            RowKey = id,
            ReceivedAt = receivedAt,
            Reason = reason,
            Explanation = triage.Explanation,
            RawBlob = row.GetString("RawBlob"),
            From = Truncate(facts.From, 320),
            Subject = Truncate(facts.Subject, 300),
            QuotedReferences = quoted.Count == 0 ? null : string.Join(',', quoted),
        }, ct);
        Log.InboundSetAside(logger, row.GetString("RawBlob") ?? id, reason);
        return Results.Json(new { reference = (string?)null, type = "none", setAside = reason, id, quoted, requests = Array.Empty<object>() }, statusCode: StatusCodes.Status200OK);
    }

    private async Task NoteOnRequestAsync(RequestRecord r, string id, DateTimeOffset receivedAt, MailFacts facts, TriageVerdict triage, CancellationToken ct)
    {
        var what = triage.Reason switch
        {
            SetAsideReason.Bounce => "A delivery failure report",
            SetAsideReason.AutoReply => "An automatic reply",
            SetAsideReason.AutoAcknowledgement => "An automatic acknowledgement",
            _ => "An email no one should answer",
        };
        var step = "inbound-" + triage.Reason.ToWire() + "-" + id[..12];
        await audit.AppendAsync(r.RowKey, receivedAt, step, "privacy mailbox",
            $"{what} quoting this request arrived (\"{Truncate(facts.Subject, 200)}\"); set aside, not answered ({triage.Explanation}).", ct);

        // A bounce of our mail to the requester: they may not have had our answer (as the Event Webhook reports it).
        var failed = triage.FailedRecipients;
        if (triage.Reason == SetAsideReason.Bounce && (failed.Count == 0 || failed.Contains(r.RequesterEmail, StringComparer.OrdinalIgnoreCase)))
        {
            var recipient = failed.Count == 0 ? "not named in the report" : EmailComposer.Mask(r.RequesterEmail) + " (the requester)";
            await mailer.SendOnceAsync(r.RowKey, MailEventsHandler.UndeliverableStepPrefix + "inbound-" + id[..12],
                EmailComposer.StaffBounceReceived(options.Value.PrivacyTeamAddress, r.RowKey, Truncate(facts.Subject, 200) ?? "(no subject)", recipient), ct);
        }
    }

    /// <summary>
    /// How many other requests this sender opened in the 24 hours before <paramref name="at"/>, counted up to the limit,
    /// and records this one. One row per sender (keyed by a hash of the address) keeps the latest few as
    /// "reference@ticks": a point read and a conditional write, whatever the sender has sent before (a repeat post of the
    /// same request finds itself and counts the same).
    /// </summary>
    private async Task<int> CountRecentFromSenderAsync(string sender, string reference, DateTimeOffset at, CancellationToken ct)
    {
        var limit = options.Value.MaxNewRequestsPerSenderPerDay;
        var table = storage.Table(DsrStorage.SenderRequestsTable);
        var key = MailGuard.AddressKey(sender);
        var since = at.AddHours(-24).UtcTicks;
        while (true)
        {
            var row = (await table.GetEntityIfExistsAsync<TableEntity>(key, "recent", cancellationToken: ct)) is { HasValue: true } r ? r.Value! : null;
            var others = (row?.GetString("Recent") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(e => e.Split('@'))
                .Where(e => e.Length == 2 && long.TryParse(e[1], System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out _))
                .Select(e => (Reference: e[0], Ticks: long.Parse(e[1], CultureInfo.InvariantCulture)))
                .Where(e => e.Reference != reference && e.Ticks > since && e.Ticks <= at.UtcTicks)
                .ToList();
            var kept = others.Append((Reference: reference, Ticks: at.UtcTicks)).OrderByDescending(e => e.Ticks).Take(limit + 1)
                .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Reference}@{e.Ticks}"));
            var update = new TableEntity(key, "recent") { ["Recent"] = string.Join(',', kept) };
            try
            {
                if (row is null)
                {
                    await table.AddEntityAsync(update, ct);
                }
                else
                {
                    await table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Replace, ct);
                }

                return Math.Min(others.Count, limit);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // A concurrent post from the same sender wrote first: read again.
            }
        }
    }

    /// <summary>The request a complaint is about (DPA 2018 s 164A): the first reference it quotes that is one of ours.</summary>
    private async Task<string?> AboutAsync(InboundEmail email, string reference, CancellationToken ct)
    {
        foreach (var quoted in RequestReference.FindAllIn(QuotableText(email.Subject, email.Text)))
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
    /// <summary>
    /// The request a reply answers: one it quotes that waits for this requester's clarification, or for what they were asked
    /// to confirm their identity (another address or number, an agent's authority, a confirmation from the mailbox).
    /// </summary>
    private async Task<string?> AnswerAwaitedAsync(InboundEmail email, string from, CancellationToken ct)
    {
        foreach (var quoted in RequestReference.FindAllIn(QuotableText(email.Subject, email.Text)))
        {
            if (await requests.GetAsync(quoted, ct) is { } r && r.CurrentStep is not null
                && (r.Status == RequestStatus.AwaitingClarification || (r.Status == RequestStatus.AwaitingIdentity && r.IdentityNeed is not null))
                && (string.Equals(r.RequesterEmail, from, StringComparison.OrdinalIgnoreCase) || string.Equals(r.PersonEmail(), from, StringComparison.OrdinalIgnoreCase)))
            {
                return quoted;
            }
        }

        return null;
    }

    private async Task<IResult> TakeAsAnswerAsync(DurableTaskClient client, TableClient inbound, TableEntity row, string reference, InboundEmail email, string from, AuthVerdict auth, DateTimeOffset receivedAt, string blobName, bool duplicate, CancellationToken ct)
    {
        var r = await requests.GetRequiredAsync(reference, ct);
        if (row.GetString("AnswerTo") is null)
        {
            row["AnswerTo"] = reference;
            row["Step"] = r.CurrentStep;
            await inbound.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, ct);
        }

        var step = row.GetString("Step") ?? r.CurrentStep ?? string.Empty;
        if (r.Status == RequestStatus.AwaitingIdentity && r.CurrentStep == step)
        {
            return await TakeAsIdentityAnswerAsync(client, r, step, email, from, auth, receivedAt, blobName, duplicate, ct);
        }

        if (r.Status == RequestStatus.AwaitingClarification && r.CurrentStep == step && !auth.Authenticated)
        {
            // Art 12A: the answer restarts the clock, so it must come from the requester. An email whose From is not
            // authenticated (SPF and DKIM did not pass for its domain) could be anyone's: ask for the answer by the signed link.
            var expires = r.CurrentStepExpires ?? receivedAt + options.Value.ClarificationWindow;
            var url = links.ActionUrl(reference, step, [LinkActions.Answer], expires);
            await mailer.SendOnceAsync(reference, "answer-link-" + step,
                EmailComposer.ClarificationAnswerByLink(r.RequesterEmail, r.RequesterName, reference, url, StatutoryClock.UkDate(expires)), ct);
            await audit.AppendAsync(reference, receivedAt, $"answer-by-email-unauthenticated-{step}", "privacy mailbox",
                $"An emailed answer to the request for clarification arrived (kept as {blobName}) but its sender was not authenticated ({auth.Summary}); not taken as the answer. The requester was sent the answer link.", ct);
            Log.InboundAnswerUnauthenticated(logger, blobName, reference);
            return Results.Json(new { reference, type = r.Type, dueDate = r.DueDate, duplicate, answer = false, answerLinkSent = true, requests = Array.Empty<object>() }, statusCode: StatusCodes.Status200OK);
        }

        if (r.Status == RequestStatus.AwaitingClarification && r.CurrentStep == step)
        {
            await decisions.SaveAsync(reference, step, new DecisionDetails([], [], Truncate(email.Text, 16_000)), ct);
            await client.RaiseEventAsync(reference, DsrEvents.ClarificationAnswered, new LinkDecision(step, LinkActions.Answer, null, "requester (email reply)", receivedAt), ct);
            await audit.AppendAsync(reference, receivedAt, $"answer-by-email-{step}", "requester (email reply)", $"The requester answered the request for clarification by email (kept as {blobName}).", ct);
        }

        Log.InboundAnswer(logger, blobName, reference);
        return Results.Json(new { reference, type = r.Type, dueDate = r.DueDate, duplicate, answer = true, requests = Array.Empty<object>() }, statusCode: StatusCodes.Status200OK);
    }

    /// <summary>
    /// An emailed reply to an identity ask. It counts only from mail that authenticates (SPF or DKIM aligned with From) — and a
    /// confirmation only from the mailbox being confirmed; otherwise the requester is sent the link again. Another address or
    /// number is read from the reply's own lines; an agent's reply (the signed authority attached, kept in the raw mail) must
    /// name the person's address. Linked requests waiting for the same answer get it too.
    /// </summary>
    private async Task<IResult> TakeAsIdentityAnswerAsync(DurableTaskClient client, RequestRecord r, string step, InboundEmail email, string from, AuthVerdict auth, DateTimeOffset receivedAt, string blobName, bool duplicate, CancellationToken ct)
    {
        var action = Verification.IdentityAnswers.ActionFor(step);
        var given = IdentifierExtractor.Extract(email.Text, from, options.Value.InternalDomainList);
        var details = action switch
        {
            LinkActions.GiveIdentifiers => new DecisionDetails([], [], new Verification.IdentityAnswer(given.OtherEmail, given.Number, null, null, null).ToJson()),
            LinkActions.GiveAuthority when given.OtherEmail is not null => new DecisionDetails([], [], new Verification.IdentityAnswer(null, null, null, given.OtherEmail, null).ToJson()),
            _ => DecisionDetails.None,
        };
        var proof = auth.Authenticated
            && (action != LinkActions.ConfirmIdentity || string.Equals(from, r.PersonEmail(), StringComparison.OrdinalIgnoreCase))
            && (action != LinkActions.GiveAuthority || given.OtherEmail is not null);
        if (!proof)
        {
            var expires = receivedAt + options.Value.VerificationWindow;
            var url = links.ActionUrl(r.RowKey, step, [action], expires);
            await mailer.SendOnceAsync(r.RowKey, "identity-link-" + step,
                EmailComposer.IdentityAnswerByLink(r.RequesterEmail, r.RequesterName, r.RowKey, url, StatutoryClock.UkDate(expires), action == LinkActions.GiveAuthority && auth.Authenticated), ct);
            await audit.AppendAsync(r.RowKey, receivedAt, $"identity-reply-not-taken-{step}", "privacy mailbox",
                $"A reply to the identity request arrived (kept as {blobName}) but was not taken as the answer ({(auth.Authenticated ? "it does not say what was asked" : "its sender was not authenticated: " + auth.Summary)}); the requester was sent the link again.", ct);
            Log.InboundAnswerUnauthenticated(logger, blobName, r.RowKey);
            return Results.Json(new { reference = r.RowKey, type = r.Type, dueDate = r.DueDate, duplicate, answer = false, answerLinkSent = true, requests = Array.Empty<object>() }, statusCode: StatusCodes.Status200OK);
        }

        await identityAnswers.AnswerAsync(client, r, step, details, new LinkDecision(step, action, null, "requester (email reply)", receivedAt), $"an emailed reply (kept as {blobName})", ct);
        Log.InboundAnswer(logger, blobName, r.RowKey);
        return Results.Json(new { reference = r.RowKey, type = r.Type, dueDate = r.DueDate, duplicate, answer = true, requests = Array.Empty<object>() }, statusCode: StatusCodes.Status200OK);
    }

    /// <summary>Where references are looked for: the subject and the start of the body (never a copy of a whole hostile body).</summary>
    private static string QuotableText(string? subject, string? text) =>
        $"{subject}\n{(text is { Length: > RequestReference.MaxSearchedChars } ? text[..RequestReference.MaxSearchedChars] : text)}";

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max] + "…";

    private IResult Reject(string blobName, int status, string title, string detail, string? field = null)
    {
        Log.InboundRejected(logger, blobName, title);
        return Responses.Problem(status, title, detail, field, new Dictionary<string, object?> { ["rawBlob"] = blobName });
    }

    /// <summary>
    /// Basic auth (any user name, the inbound key as password), else the older <c>?key=</c>. Either is compared in
    /// constant time; a wrong Authorization header still lets a right <c>?key=</c> through (and the other way round).
    /// </summary>
    private bool Authenticated(HttpRequest request) =>
        KeyMatches(BasicPassword(request.Headers.Authorization.ToString())) | KeyMatches(request.Query["key"].ToString());

    /// <summary>The password of an <c>Authorization: Basic base64(user:password)</c> header, or null.</summary>
    internal static string? BasicPassword(string? authorization)
    {
        const string scheme = "Basic ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length > 4096)
        {
            return null;
        }

        Span<byte> decoded = stackalloc byte[authorization.Length];
        if (!Convert.TryFromBase64String(authorization[scheme.Length..].Trim(), decoded, out var written))
        {
            return null;
        }

        var pair = Encoding.UTF8.GetString(decoded[..written]);
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : pair[(colon + 1)..];
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
    private static async Task<(TableEntity Row, bool Added)> AddOrGetInboundAsync(TableClient inbound, string key, string blobName, DateTimeOffset receivedAt, string? reference, string? answerTo, CancellationToken ct, string? setAside = null)
    {
        var row = new TableEntity("msg", key) { ["RawBlob"] = blobName, ["ReceivedAt"] = receivedAt };
        if (setAside is not null)
        {
            row["SetAside"] = setAside;
        }

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

    /// <summary>
    /// Gives a reference to an inbound row stored without one: a set-aside email staff open as a request, or a row from a
    /// post that stopped half way. A later SendGrid retry of the same email then finds the reference.
    /// </summary>
    public async Task<string> BindReferenceAsync(string dedupeKey, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var inbound = storage.Table(DsrStorage.InboundTable);
        var row = (await inbound.GetEntityAsync<TableEntity>("msg", dedupeKey, cancellationToken: ct)).Value;
        return row.GetString("Reference") ?? await BindReferenceAsync(inbound, row, receivedAt, ct);
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
