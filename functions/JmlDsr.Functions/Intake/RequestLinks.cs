using System.Globalization;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// Staff correct how a message was read (from the console): <b>split</b> opens a request for another right the message
/// exercises, linked to it (ICO: deal with each right mentioned); <b>merge</b> closes a request as part of another (the same
/// request made twice, or read as two when it is one); <b>agent</b> marks a request as made on someone else's behalf.
/// Every change is audited with the staff member's name.
/// </summary>
public sealed class RequestLinks(RequestRepository requests, PendingStarts intake, WorkflowStarter starter, Mailer mailer, AuditLog audit, TimeProvider time)
{
    /// <summary>Opens a request of <paramref name="type"/> from the same message, linked to <paramref name="reference"/>. Returns its reference, or the problem.</summary>
    public async Task<(string? Reference, string? Problem)> SplitAsync(string reference, RequestType type, string staff, CancellationToken ct = default)
    {
        var r = await requests.GetAsync(reference, ct);
        if (r is null)
        {
            return (null, $"There is no request {reference}.");
        }

        if (!type.IsRight())
        {
            return (null, "A request can be split only into one of the rights (access, rectification, restriction, erasure, objection).");
        }

        var group = new[] { r }.Concat(await requests.LinkedAsync(r, ct)).ToList();
        if (group.Any(g => g.Type == type.ToWire() && !RequestStatus.IsClosed(g.Status)))
        {
            return (null, $"The message already has an open {type.Title().ToLowerInvariant()} request.");
        }

        var now = time.GetUtcNow();
        var fresh = await requests.AllocateReferenceAsync(StatutoryClock.UkDate(now).Year, ct);
        var record = new RequestRecord
        {
            RowKey = fresh,
            Type = type.ToWire(),
            Status = RequestStatus.Received,
            Channel = r.Channel,
            RequesterEmail = r.RequesterEmail,
            RequesterName = r.RequesterName,
            // The request was received when the message was: its month counts from then (Art 12(3)).
            ReceivedAt = r.ReceivedAt,
            RelevantDate = StatutoryClock.UkDate(r.ReceivedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DueDate = starter.InitialDueDate(type, r.ReceivedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            RawBlob = r.RawBlob,
            Subject = r.Subject,
            Details = r.Details,
            ClassificationReason = $"split by {staff} from {reference}: the message also asks for {type.Title().ToLowerInvariant()}",
            SenderAuthenticated = r.SenderAuthenticated,
            SenderAuthentication = r.SenderAuthentication,
            RequesterAuthenticated = r.RequesterAuthenticated,
            AgentKind = r.AgentKind,
            SubjectEmail = r.SubjectEmail,
            SubjectName = r.SubjectName,
            Linked = string.Join(',', group.Select(g => g.RowKey)),
        };
        await requests.CreateIfMissingAsync(record, ct);
        foreach (var g in group)
        {
            await requests.UpdateAsync(g.RowKey, x => x.LinkTo(fresh), ct);
        }

        await audit.AppendAsync(reference, now, $"split-{fresh}", staff, $"Split: the message also asks for {type.Title()} ({type.Article()}); opened as {fresh}, linked to this request.", ct);
        await audit.AppendAsync(fresh, now, "intake-split", staff, $"Opened by {staff} from {reference}, whose message also asks for {type.Title()}. The month counts from the message's receipt.", ct);
        await intake.EnqueueAsync(fresh, ct);
        intake.Announce();
        return (fresh, null);
    }

    /// <summary>
    /// Closes <paramref name="reference"/> as part of <paramref name="into"/>: its workflow ends, the requester is told which
    /// reference carries on, and both are linked. The request it joins keeps its own clock.
    /// </summary>
    public async Task<string?> MergeAsync(DurableTaskClient client, string reference, string into, string staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var r = await requests.GetAsync(reference, ct);
        var target = await requests.GetAsync(into, ct);
        if (r is null || target is null || reference == into)
        {
            return "Give another open request to merge this one into.";
        }

        if (RequestStatus.IsClosed(r.Status) || RequestStatus.IsClosed(target.Status))
        {
            return "Both requests must be open to merge them.";
        }

        if (!string.Equals(r.PersonEmail(), target.PersonEmail(), StringComparison.OrdinalIgnoreCase) || r.Type != target.Type)
        {
            return "Only requests of the same type about the same person can be merged; split or reclassify instead.";
        }

        var now = time.GetUtcNow();
        await requests.UpdateAsync(reference, x =>
        {
            x.Status = RequestStatus.Merged;
            x.ClosedAt ??= now;
            x.Outcome = $"merged into {into}";
            x.CurrentStep = null;
            x.CurrentActions = null;
            x.Attention = null;
            x.LinkTo(into);
        }, ct);

        // Closed first, then the workflow ended: a workflow still waiting to start sees the closed request and does not start
        // (IntakeStarter), and one that started before this looks is found here.
        if (await client.GetInstanceAsync(reference, getInputsAndOutputs: false, ct) is { IsCompleted: false })
        {
            await client.TerminateInstanceAsync(reference, new TerminateInstanceOptions(Output: $"Merged into {into}"), ct);
        }
        await requests.UpdateAsync(into, x => x.LinkTo(reference), ct);
        await mailer.SendOnceAsync(reference, "merged", EmailComposer.Merged(r.RequesterEmail, r.RequesterName, reference, into), ct);
        await audit.AppendAsync(reference, now, $"merged-into-{into}", staff, $"Merged into {into} (the same request): this one is closed and {into} carries on with its own due date; the requester was told.", ct);
        await audit.AppendAsync(into, now, $"merged-{reference}", staff, $"{reference} was merged into this request.", ct);
        return null;
    }

    /// <summary>
    /// Sets an open request aside as not one to answer (one of a campaign sent without the person's knowledge, a test, spam):
    /// closed with the reason, its workflow ended, nothing sent; the request, its raw email and its trail stay as they
    /// were. Null when done, else why not.
    /// </summary>
    public async Task<string?> SetAsideAsync(DurableTaskClient client, string reference, string reason, string staff, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await requests.GetAsync(reference, ct) is not { } r || RequestStatus.IsClosed(r.Status))
        {
            return "Only an open request can be set aside.";
        }

        var now = time.GetUtcNow();
        await requests.UpdateAsync(reference, x =>
        {
            x.Status = RequestStatus.SetAside;
            x.ClosedAt ??= now;
            x.Outcome = "set aside: not a request to answer";
            x.CurrentStep = null;
            x.CurrentActions = null;
            x.Attention = null;
        }, ct);

        // Closed first, then the workflow ended, as for a merge.
        if (await client.GetInstanceAsync(reference, getInputsAndOutputs: false, ct) is { IsCompleted: false })
        {
            await client.TerminateInstanceAsync(reference, new TerminateInstanceOptions(Output: "Set aside"), ct);
        }

        await audit.AppendAsync(reference, now, "set-aside", staff, $"Set aside as not a request to answer; nothing was sent. Reason: {reason}", ct);
        return null;
    }

    /// <summary>Marks a request as made on someone else's behalf: the agent's authority is then asked for (at the decision step, "ask for ID").</summary>
    public async Task<string?> MarkAgentAsync(string reference, string kind, string staff, CancellationToken ct = default)
    {
        if (kind is not (AgentDetector.Solicitor or AgentDetector.Relative or AgentDetector.Representative))
        {
            return "Choose what the agent is: solicitor, relative or representative.";
        }

        if (await requests.GetAsync(reference, ct) is not { } r || RequestStatus.IsClosed(r.Status))
        {
            return "Only an open request can be marked as made on someone else's behalf.";
        }

        await requests.UpdateAsync(reference, x =>
        {
            x.AgentKind = kind;
            x.AuthorityAcceptedBy = null;
        }, ct);
        await audit.AppendAsync(reference, time.GetUtcNow(), "marked-agent", staff,
            $"Marked by {staff} as made on someone else's behalf ({kind}). The response goes to the agent only once their authority is checked; ask for it with \"Ask the requester for ID\" at the decision step.", ct);
        return null;
    }
}
