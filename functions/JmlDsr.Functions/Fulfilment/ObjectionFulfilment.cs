using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Art 21. To direct marketing: absolute (Art 21(2)-(3)), so once identity is settled it takes effect without a staff
/// decision — marketing and notices stop, the person goes on the suppression list, partners that market are told, and the
/// customer gets a confirmation. To other processing (Art 21(1)): after the staff decision, which stops the processing or
/// records the compelling legitimate grounds (told to the person with their rights, Art 12(4)).
/// </summary>
internal static class ObjectionFulfilment
{
    /// <summary>The "decision step" of an objection to marketing, which has no staff decision.</summary>
    internal const string MarketingStep = "objection-marketing";

    /// <summary>True when the objection is to direct marketing (the wording, or what staff set).</summary>
    internal static async Task<bool> IsMarketingAsync(DsrFlow flow) =>
        await flow.Steps.CallAsync(DsrActivities.DecideObjectionScope, new ObjectionScopeInput(flow.Ref, flow.Now)) == ObjectionScope.Marketing;

    internal static async Task RunAsync(DsrFlow flow, string decisionStep)
    {
        await flow.ProgressAsync(RequestStatus.Fulfilling, "fulfilling", decisionStep == MarketingStep
            ? "Objection to direct marketing: it takes effect without a decision (Art 21(3)); stopping marketing in every system."
            : "Carrying out the staff decision on the objection (Art 21(1)).");
        await SystemsPhase.WhilePausedAsync(flow);
        var result = await flow.Steps.CallAsync(DsrActivities.ApplyObjection, new RightsInput(flow.Ref, decisionStep, flow.Now));
        var byHand = result.Outcome is ObjectionOutcomes.MarketingStopped or ObjectionOutcomes.ProcessingStopped
            ? await SystemsPhase.OwnerTasksAsync(flow, OwnerTaskPurposes.Objection, decisionStep)
            : [];
        switch (result.Outcome)
        {
            case ObjectionOutcomes.MarketingStopped:
                var partners = await flow.NotifyPartnersAsync(PartnerActions.ObjectionMarketing, [.. result.SystemsChanged, .. byHand.Where(o => o.Done).Select(o => o.SystemId)]);
                await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.ObjectionMarketing, partners, [], null, null, flow.Now));
                await flow.CompleteAsync(RequestStatus.Completed, "Objection to direct marketing carried out: marketing stopped, on the suppression list, partners that market told");
                break;
            case ObjectionOutcomes.ProcessingStopped:
                await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.ObjectionStopped, [], [], null, null, flow.Now));
                await flow.CompleteAsync(RequestStatus.Completed, $"Objection upheld: processing on legitimate interests stopped in {result.SystemsChanged.Count} system(s)");
                break;
            default:
                await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.ObjectionGrounds, [], [], null, null, flow.Now));
                await flow.CompleteAsync(RequestStatus.Completed, "Objection answered: compelling legitimate grounds recorded and given to the requester");
                break;
        }
    }
}
