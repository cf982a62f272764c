using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Verification;

/// <summary>
/// Receipt to identity: a message not recognised as a right waits for staff to classify it (the clock runs); the
/// request is acknowledged; the requester confirms it (Art 12(6); the clock is stopped until then, Art 12A) and is
/// matched to our records. False when the request was closed unverified.
/// </summary>
internal static class IdentityPhase
{
    internal static async Task<bool> RunAsync(DsrFlow flow)
    {
        if (flow.Type == RequestType.Unclassified)
        {
            await flow.ProgressAsync(RequestStatus.NeedsTriage, "triage", "Not recognised as one of the four rights on arrival; waiting for staff to classify it.");
            await flow.Steps.CallAsync(DsrActivities.SendStaffTriage, new StaffNoticeInput(flow.Ref, "triage", flow.Clock.Due, flow.Now));
            var classified = await flow.Wait.ForAsync<ClassifiedEvent>(DsrEvents.Classified, expires: null, step: null);
            flow.Type = classified!.Type;
            await flow.ProgressAsync(RequestStatus.Received, "classified", $"Classified by {classified.Actor} as {flow.Type.Title()}.", t: flow.Type);
        }

        await flow.Steps.CallAsync(DsrActivities.SendAcknowledgement, new AcknowledgeInput(flow.Ref, flow.Clock.Due, flow.Now));

        var confirmBy = flow.Now + flow.Settings.VerificationWindow;
        await flow.ProgressAsync(RequestStatus.AwaitingIdentity, "awaiting-identity", "Waiting for the requester to confirm the request; the statutory clock is stopped.");
        await flow.Steps.CallAsync(DsrActivities.SendVerificationEmail, new VerificationEmailInput(flow.Ref, DsrFlow.VerifyStep, confirmBy, flow.Now));
        var confirmed = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.IdentityConfirmed, confirmBy, DsrFlow.VerifyStep, clockStopped: true);
        if (confirmed is null)
        {
            await CloseUnverifiedAsync(flow, noReply: true);
            return false;
        }

        if (!await flow.Steps.CallAsync(DsrActivities.VerifyIdentity, new VerifyIdentityInput(flow.Ref, flow.Now)))
        {
            await CloseUnverifiedAsync(flow, noReply: false);
            return false;
        }

        // Art 12A: the month begins with the relevant time — here, receipt of the confirmation. A due date reached while
        // waiting for triage was escalated; the new due date is watched afresh.
        flow.Clock = flow.Clock.RelevantTimeOn(confirmed.At, flow.Now, flow.Calendar);
        flow.Phase = WorkflowPhases.Decide;
        var clock = flow.Clock;
        await flow.ProgressAsync(RequestStatus.Gathering, "identity-confirmed",
            $"Identity confirmed on {clock.Relevant:yyyy-MM-dd}; the clock runs from that day (Art 12A). Due {clock.Due:yyyy-MM-dd}.",
            relevant: clock.Relevant, due: clock.Due, paused: clock.PausedDays, overdue: clock.Escalated ? null : false);
        return true;
    }

    private static async Task CloseUnverifiedAsync(DsrFlow flow, bool noReply)
    {
        await flow.Steps.CallAsync(DsrActivities.CloseUnverified, new CloseUnverifiedInput(flow.Ref, noReply, flow.Now));
        flow.Phase = WorkflowPhases.Done;
        await flow.ProgressAsync(RequestStatus.ClosedUnverified, "closed",
            noReply ? "Closed: the requester did not confirm within the verification window." : "Closed: the confirmed address matches no record we hold.", closed: true);
    }
}
