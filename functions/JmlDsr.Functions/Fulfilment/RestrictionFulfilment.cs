using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Art 18: a restriction flag in every system (marketing and notices stop; storage continues), recipients told
/// (Art 19), and the request answered. The restriction lasts until staff lift it: that is its own short workflow,
/// <see cref="RestrictionLiftOrchestrator"/>, started by the lift action; the requester is told before it lifts (Art 18(3)).
/// </summary>
internal static class RestrictionFulfilment
{
    internal const string LiftStep = "lift-restriction";

    internal static async Task RunAsync(DsrFlow flow, string decisionStep)
    {
        await SystemsPhase.WhilePausedAsync(flow);
        await flow.ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Flagging the person as restricted in every system.");
        var result = await flow.Steps.CallAsync(DsrActivities.ApplyRestriction, new RightsInput(flow.Ref, decisionStep, flow.Now));
        var byHand = await SystemsPhase.OwnerTasksAsync(flow, OwnerTaskPurposes.Restriction, decisionStep);
        var partners = await flow.NotifyPartnersAsync(PartnerActions.Restriction, [.. result.SystemsChanged, .. byHand.Where(o => o.Done).Select(o => o.SystemId)]);
        await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.Restriction, partners, [], null, null, flow.Now));
        await flow.CompleteAsync(RequestStatus.Restricted, "Restriction applied in every system", current: (LiftStep, [LinkActions.LiftRestriction]));

        if (!flow.ShortWorkflow)
        {
            // Version 1 waited here for the lift, for as long as the restriction lasted: its instances still do.
            var lift = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.LiftRestriction, expires: null, LiftStep, clockStopped: true);
            await LiftAsync(flow, lift!);
        }
    }

    /// <summary>Tells the requester first (Art 18(3)), waits the notice period, lifts the flag everywhere and tells the recipients (Art 19).</summary>
    internal static async Task LiftAsync(DsrFlow flow, LinkDecision lift)
    {
        var liftAt = flow.Now + flow.Settings.RestrictionLiftNotice;
        var liftOn = StatutoryClock.UkDate(liftAt);
        await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.RestrictionLiftNotice, [], [], liftOn, lift.Reason, flow.Now));
        await flow.ProgressAsync(RequestStatus.LiftPending, "restriction-lift-notified",
            $"{lift.Actor} decided to lift the restriction. Reason: {lift.Reason?.TrimEnd('.')}. The requester was told first (Art 18(3)); it lifts on {liftOn:yyyy-MM-dd}.", actor: lift.Actor);
        await flow.TimerAt(liftAt.UtcDateTime, CancellationToken.None);
        var lifted = await flow.Steps.CallAsync(DsrActivities.LiftRestriction, new RightsInput(flow.Ref, LiftStep, flow.Now));
        var told = await flow.NotifyPartnersAsync(PartnerActions.RestrictionLifted, lifted.SystemsChanged);
        await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.RestrictionLifted, told, [], liftOn, null, flow.Now));
        await flow.ProgressAsync(RequestStatus.Completed, "restriction-lifted", $"Restriction lifted in {lifted.SystemsChanged.Count} system(s); recipients told: {DsrFlow.Names(told)}.", closed: true);
    }
}
