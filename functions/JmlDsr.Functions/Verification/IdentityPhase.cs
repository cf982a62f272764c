using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Verification;

/// <summary>
/// Receipt to identity: a message not recognised as a right waits for staff to classify it (the clock runs); the
/// request is acknowledged, with the others opened from the same message; identity is checked in proportion (Art 12(6)):
/// nothing is asked where it is not in doubt, and otherwise only what is needed, with the clock stopped until it
/// arrives (Art 12A). False when the request was closed, or answered that JML holds no data about the person.
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

        if (!DsrVersions.AtLeast(flow.Context, DsrVersions.ProportionateIdentity))
        {
            return await LegacyAsync(flow);
        }

        // Art 12(6): ask only where identity is in reasonable doubt, and only what is needed; the reason is recorded.
        var plan = await flow.Steps.CallAsync(DsrActivities.AssessIdentity, new AssessIdentityInput(flow.Ref, flow.Now));
        flow.Linked = plan.Linked;
        if (plan.Primary)
        {
            await flow.Steps.CallAsync(DsrActivities.SendAcknowledgement, new AcknowledgeInput(flow.Ref, flow.Clock.Due, flow.Now));
        }

        var need = IdentityCheck.FromWire(plan.Need);
        if (need == IdentityNeed.NotInDoubt)
        {
            flow.Phase = WorkflowPhases.Decide;
            var clock = flow.Clock;
            await flow.ProgressAsync(RequestStatus.Gathering, "identity-not-in-doubt",
                $"Identity not in doubt: nothing was asked, and the month runs from receipt on {clock.Relevant:yyyy-MM-dd} (Art 12(6), Art 12A). Due {clock.Due:yyyy-MM-dd}.",
                relevant: clock.Relevant, due: clock.Due, paused: clock.PausedDays);
            return true;
        }

        return await AskAsync(flow, need, plan.Primary, round: 0);
    }

    /// <summary>
    /// Asks the requester for what is needed and waits (the clock is stopped, Art 12A): a confirmation from the mailbox on our
    /// records, another address or number (which, if it leads to records, that mailbox then confirms), or an agent's
    /// authority. True when identity is settled and work goes on; false when the request was closed or answered that JML
    /// holds no data. <paramref name="round"/> is 0 on arrival, the decision round when staff asked for ID.
    /// </summary>
    internal static async Task<bool> AskAsync(DsrFlow flow, IdentityNeed need, bool sends, int round, string? reason = null)
    {
        for (var ask = 0; ; ask++)
        {
            var step = StepFor(need, round, ask);
            var confirmBy = flow.Now + flow.Settings.VerificationWindow;
            await flow.ProgressAsync(RequestStatus.AwaitingIdentity, "awaiting-identity" + (round == 0 && ask == 0 ? string.Empty : "-" + step), need switch
            {
                IdentityNeed.OtherIdentifiers => "Waiting for the requester to give another address or a customer, contract or licence number; the statutory clock is stopped.",
                IdentityNeed.Authority => "Waiting for the agent to give the person's details and their authority; the statutory clock is stopped.",
                _ => "Waiting for the requester to confirm the request from the mailbox on our records; the statutory clock is stopped.",
            }, currentStep: step);
            if (sends)
            {
                await flow.Steps.CallAsync(DsrActivities.SendVerificationEmail, new VerificationEmailInput(flow.Ref, step, confirmBy, flow.Now) { Need = IdentityCheck.ToWire(need), Reason = reason });
            }

            var answer = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.IdentityConfirmed, confirmBy, step, clockStopped: true);
            if (answer is null)
            {
                await CloseUnverifiedAsync(flow, noReply: true);
                return false;
            }

            var outcome = await flow.Steps.CallAsync(DsrActivities.CheckIdentity, new CheckIdentityInput(flow.Ref, IdentityCheck.ToWire(need), step, flow.Now));
            switch (outcome)
            {
                case IdentityOutcomes.ConfirmOther:
                    // Records under another address: that mailbox confirms (an address or number alone discloses nothing).
                    // A request opened beside another waits for the confirmation the first one sends.
                    need = IdentityNeed.ConfirmMailbox;
                    continue;

                case IdentityOutcomes.NotFound:
                    // Art 15(1): confirmation that no personal data is processed is itself the answer, not "unverified".
                    await flow.Steps.CallAsync(DsrActivities.SendCustomerNotice, new CustomerNoticeInput(flow.Ref, SendCustomerNotice.NoData, null, null, flow.Now));
                    await flow.CompleteAsync(RequestStatus.Completed, "Answered: no personal data about the person is held in any system searched (Art 15(1))");
                    return false;
            }

            // Art 12A: the month begins with the relevant time — receipt of what we asked for. A due date reached while
            // waiting for triage was escalated; the new due date is watched afresh.
            flow.Clock = flow.Clock.RelevantTimeOn(answer.At, flow.Now, flow.Calendar);
            flow.Phase = WorkflowPhases.Decide;
            var clock = flow.Clock;
            await flow.ProgressAsync(RequestStatus.Gathering, round == 0 ? "identity-confirmed" : "identity-confirmed-" + step,
                $"{(need == IdentityNeed.Authority ? "The person's details and the agent's authority received" : "Identity confirmed")} on {clock.Relevant:yyyy-MM-dd}; the clock runs from that day (Art 12A). Due {clock.Due:yyyy-MM-dd}.",
                relevant: clock.Relevant, due: clock.Due, paused: clock.PausedDays, overdue: clock.Escalated ? null : false);
            return true;
        }
    }

    /// <summary>The step (and link) name of an ask: "verify" is the confirmation on arrival, as before.</summary>
    private static string StepFor(IdentityNeed need, int round, int ask)
    {
        var name = need switch
        {
            IdentityNeed.OtherIdentifiers => "identify",
            IdentityNeed.Authority => "authority",
            _ => DsrFlow.VerifyStep,
        };
        return name + (round == 0 ? string.Empty : $"-{round}") + (ask == 0 ? string.Empty : $"-{ask}");
    }

    /// <summary>Version 1 and 2: every requester confirms by link; an address on no record closes the request unverified.</summary>
    private static async Task<bool> LegacyAsync(DsrFlow flow)
    {
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
