using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Verification;

/// <summary>
/// Hands the requester's answer to an identity ask to the workflow — from the link's page or an emailed reply — and to
/// every request opened from the same message that waits for the same answer (one message, one answer). What they gave
/// is kept in the Decisions table, never in history.
/// </summary>
public sealed class IdentityAnswers(RequestRepository requests, DecisionStore decisions, AuditLog audit)
{
    /// <summary>The link action that answers an identity step ("verify…", "identify…", "authority…").</summary>
    public static string ActionFor(string step) =>
        step.StartsWith("identify", StringComparison.Ordinal) ? LinkActions.GiveIdentifiers
        : step.StartsWith("authority", StringComparison.Ordinal) ? LinkActions.GiveAuthority
        : LinkActions.ConfirmIdentity;

    /// <summary>Saves <paramref name="details"/> (if any) and raises the answer on <paramref name="reference"/>'s linked requests waiting at <paramref name="step"/>.</summary>
    public async Task ToLinkedAsync(DurableTaskClient client, RequestRecord record, string step, DecisionDetails details, LinkDecision decision, string how, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(decision);
        foreach (var linked in await requests.LinkedAsync(record, ct))
        {
            var other = linked.RowKey;
            if (linked.Status == RequestStatus.AwaitingIdentity && linked.CurrentStep == step)
            {
                if (details != DecisionDetails.None)
                {
                    await decisions.SaveAsync(other, step, details, ct);
                }

                await client.RaiseEventAsync(other, DsrEvents.IdentityConfirmed, decision, ct);
                await audit.AppendAsync(other, decision.At, $"identity-answered-{step}", decision.Actor, $"Answered with {how} for {record.RowKey}, opened from the same message: {LinkActions.Label(decision.Action)}.", ct);
            }
        }
    }

    /// <summary>Saves and raises the answer on the request itself, then on the linked ones.</summary>
    public async Task AnswerAsync(DurableTaskClient client, RequestRecord record, string step, DecisionDetails details, LinkDecision decision, string how, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(decision);
        if (details != DecisionDetails.None)
        {
            await decisions.SaveAsync(record.RowKey, step, details, ct);
        }

        await client.RaiseEventAsync(record.RowKey, DsrEvents.IdentityConfirmed, decision, ct);
        await audit.AppendAsync(record.RowKey, decision.At, $"identity-answered-{step}", decision.Actor, $"Answered with {how}: {LinkActions.Label(decision.Action)}.", ct);
        await ToLinkedAsync(client, record, step, details, decision, how, ct);
    }
}
