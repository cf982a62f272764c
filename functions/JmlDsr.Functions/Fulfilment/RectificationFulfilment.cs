using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Art 16: each approved change in every system holding the field; refused changes with reasons; recipients told (Art 19).</summary>
internal static class RectificationFulfilment
{
    internal static async Task RunAsync(DsrFlow flow, string decisionStep)
    {
        await SystemsPhase.WhilePausedAsync(flow);
        await flow.ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Applying the approved corrections in every system that holds the fields.");
        var result = await flow.Steps.CallAsync(DsrActivities.ApplyRectification, new RightsInput(flow.Ref, decisionStep, flow.Now));
        var byHand = await SystemsPhase.OwnerTasksAsync(flow, OwnerTaskPurposes.Rectification, decisionStep);
        var partners = await flow.NotifyPartnersAsync(PartnerActions.Rectification, [.. result.SystemsChanged, .. byHand.Where(o => o.Done).Select(o => o.SystemId)]);
        await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.Rectification, partners, [], null, null, flow.Now));
        await flow.CompleteAsync(RequestStatus.Completed, $"Rectification done: {result.Applied} change(s) applied, {result.Refused} refused with reasons");
    }
}
