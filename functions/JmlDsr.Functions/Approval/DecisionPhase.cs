using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Approval;

/// <summary>
/// Asks staff to decide: approve, reject, refuse as manifestly unfounded or excessive, extend, charge a fee, or ask the
/// requester to clarify. Returns the approving decision, or null when the request was closed. Every change to the
/// deadline is a transition of the request's <see cref="RequestClock"/>.
/// </summary>
internal static class DecisionPhase
{
    internal static async Task<LinkDecision?> RunAsync(DsrFlow flow, IReadOnlyList<GatherSummary> systems, int firstRound)
    {
        for (var round = firstRound; ; round++)
        {
            flow.DecisionRound = round;
            var step = $"approval-{round}";
            var expires = flow.Now + flow.Settings.ApprovalLinkLifetime;
            await flow.ProgressAsync(RequestStatus.AwaitingApproval, $"awaiting-approval-{round}", "Waiting for a staff decision.");
            await flow.Steps.CallAsync(DsrActivities.SendApprovalRequest, new ApprovalRequestInput(flow.Ref, step, flow.Clock.Due, systems, expires, flow.Now));
            var decision = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.StaffDecision, expires, step);
            if (decision is null)
            {
                await flow.AuditAsync("approval-links-expired", "The decision links expired unused; new links sent.");
                continue;
            }

            switch (decision.Action)
            {
                case LinkActions.Approve:
                    await flow.AuditAsync("approved", "Approved.", decision.Actor);
                    return decision;

                case LinkActions.Reject:
                    // Art 12(4): reasons, the right to complain to the ICO and to a judicial remedy.
                    await flow.AuditAsync("rejected", $"Rejected. Reason: {decision.Reason}", decision.Actor);
                    await flow.Steps.CallAsync(DsrActivities.SendCustomerNotice, new CustomerNoticeInput(flow.Ref, SendCustomerNotice.Rejection, decision.Reason, null, flow.Now));
                    await CloseAsync(flow, RequestStatus.Rejected, "Rejected with reasons; the requester was told how to complain.");
                    return null;

                case LinkActions.Refuse:
                    // Art 12(5): manifestly unfounded or excessive; Art 12(4): reasons, ICO, judicial remedy.
                    await flow.AuditAsync("refused", $"Refused as manifestly unfounded or excessive (Art 12(5)). Reason: {decision.Reason}", decision.Actor);
                    await flow.Steps.CallAsync(DsrActivities.SendCustomerNotice, new CustomerNoticeInput(flow.Ref, SendCustomerNotice.Refusal, decision.Reason, null, flow.Now));
                    await CloseAsync(flow, RequestStatus.Refused, "Refused as manifestly unfounded or excessive; the requester was given the reasons, the right to complain to the ICO and to a judicial remedy.");
                    return null;

                case LinkActions.Extend:
                    await ExtendAsync(flow, decision);
                    break;

                case LinkActions.ChargeFee:
                    if (!await ChargeFeeAsync(flow, decision, round))
                    {
                        return null;
                    }

                    break;

                case LinkActions.AskIdentity:
                    if (!await AskIdentityAsync(flow, decision, round))
                    {
                        return null;
                    }

                    break;

                case LinkActions.Clarify:
                    if (!await ClarifyAsync(flow, decision, round))
                    {
                        return null;
                    }

                    break;

                default:
                    await flow.AuditAsync("decision-ignored", $"Unknown action '{decision.Action}' ignored.", decision.Actor);
                    break;
            }
        }
    }

    /// <summary>
    /// Art 12(5)(a): a reasonable fee for a manifestly unfounded or excessive request (or further copies). Nothing is
    /// done until it is paid; Art 12A: the relevant time becomes the day of payment, so the month runs from then.
    /// Staff record the payment (it arrives outside this system); unpaid within the window closes the request.
    /// </summary>
    private static async Task<bool> ChargeFeeAsync(DsrFlow flow, LinkDecision decision, int round)
    {
        var step = $"fee-{round}";
        var expires = flow.Now + flow.Settings.ClarificationWindow;
        await flow.ProgressAsync(RequestStatus.AwaitingFee, step,
            $"{decision.Actor} asked for a fee (Art 12(5)(a)): {decision.Reason?.TrimEnd('.')}. The clock is stopped until it is paid (Art 12A).",
            actor: decision.Actor, currentStep: step, currentActions: LinkActions.FeePaid);
        await flow.Steps.CallAsync(DsrActivities.SendCustomerNotice, new CustomerNoticeInput(flow.Ref, $"{SendCustomerNotice.Fee}-{round}", decision.Reason, StatutoryClock.UkDate(expires), flow.Now));
        var paid = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.FeePaid, expires, step, clockStopped: true);
        if (paid is null)
        {
            await flow.Steps.CallAsync(DsrActivities.SendCustomerNotice, new CustomerNoticeInput(flow.Ref, SendCustomerNotice.FeeUnpaid, null, null, flow.Now));
            await CloseAsync(flow, RequestStatus.ClosedFeeUnpaid, "Closed: the fee asked for was not paid in time; the requester was told.");
            return false;
        }

        flow.Clock = flow.Clock.RelevantTimeOn(paid.At, flow.Now, flow.Calendar);
        var clock = flow.Clock;
        await flow.ProgressAsync(RequestStatus.AwaitingApproval, step + "-paid",
            $"{paid.Actor} recorded the fee as paid on {StatutoryClock.UkDate(paid.At):yyyy-MM-dd}; the month runs from that day (Art 12A). Due {clock.Due:yyyy-MM-dd}.",
            actor: paid.Actor, relevant: clock.Relevant, due: clock.Due, paused: clock.DaysNotCounted, overdue: clock.Escalated ? null : false);
        return true;
    }

    /// <summary>
    /// Art 12A: staff ask what the request is about; from the day we ask to the day the answer arrives (both
    /// included) does not count. No answer within the window closes the request with a letter.
    /// </summary>
    private static async Task<bool> ClarifyAsync(DsrFlow flow, LinkDecision decision, int round)
    {
        var step = $"clarification-{round}";
        var askedOn = StatutoryClock.UkDate(flow.Now);
        var expires = flow.Now + flow.Settings.ClarificationWindow;
        await flow.ProgressAsync(RequestStatus.AwaitingClarification, step,
            $"{decision.Actor} asked the requester to clarify the request; the clock is stopped from {askedOn:yyyy-MM-dd} until the answer arrives (Art 12A).", actor: decision.Actor,
            currentStep: step, currentActions: LinkActions.Answer);
        await flow.Steps.CallAsync(DsrActivities.SendClarificationRequest, new ClarificationInput(flow.Ref, step, decision.Reason ?? string.Empty, expires, flow.Now));
        var answer = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.ClarificationAnswered, expires, step, clockStopped: true);
        if (answer is null)
        {
            await flow.Steps.CallAsync(DsrActivities.SendCustomerNotice, new CustomerNoticeInput(flow.Ref, SendCustomerNotice.NoClarification, null, null, flow.Now));
            await CloseAsync(flow, RequestStatus.ClosedNoClarification, "Closed: the requester did not answer the request for clarification in time; they were told by letter.");
            return false;
        }

        var answeredOn = StatutoryClock.UkDate(answer.At);
        var before = flow.Clock.ClarificationDays;
        flow.Clock = flow.Clock.Clarified(askedOn, answeredOn, flow.Now, flow.Calendar);
        var clock = flow.Clock;
        await flow.ProgressAsync(RequestStatus.AwaitingApproval, step + "-answered",
            $"The requester answered on {answeredOn:yyyy-MM-dd}; {clock.ClarificationDays - before} day(s) from {askedOn:yyyy-MM-dd} did not count (Art 12A). Due {clock.Due:yyyy-MM-dd}.",
            actor: answer.Actor, due: clock.Due, paused: clock.DaysNotCounted, overdue: clock.Escalated ? null : false);
        return true;
    }

    /// <summary>
    /// Art 12(6): staff have reasonable doubts about who the requester is and ask, with the reason (recorded, and shown to the
    /// requester). The clock stops; Art 12A: the month runs again from the day the answer arrives. The decision is then asked again.
    /// </summary>
    private static async Task<bool> AskIdentityAsync(DsrFlow flow, LinkDecision decision, int round)
    {
        var reason = string.IsNullOrWhiteSpace(decision.Reason) ? "no reason was given" : decision.Reason.Trim();
        await flow.AuditAsync($"identity-asked-{round}", $"{decision.Actor} asked the requester for ID (Art 12(6)). Reason: {reason}", decision.Actor);
        var plan = await flow.Steps.CallAsync(DsrActivities.AssessIdentity, new AssessIdentityInput(flow.Ref, flow.Now, reason));
        var need = IdentityCheck.FromWire(plan.Need);
        return await Verification.IdentityPhase.AskAsync(flow, need == IdentityNeed.Authority ? need : IdentityNeed.ConfirmMailbox, sends: true, round, reason);
    }

    /// <summary>Art 12(3): two further months for complex or numerous requests, by notice within the first month.</summary>
    private static async Task ExtendAsync(DsrFlow flow, LinkDecision decision)
    {
        switch (flow.Clock.CanExtend(flow.Now))
        {
            case ExtensionCheck.AlreadyExtended:
                await flow.AuditAsync("extension-refused", "Extension refused: the request was already extended.", decision.Actor);
                return;
            case ExtensionCheck.TooLate:
                await flow.AuditAsync("extension-refused", $"Extension refused: notice must be given before the end of the first month (due {flow.Clock.Due:yyyy-MM-dd}).", decision.Actor);
                return;
        }

        flow.Clock = flow.Clock.Extend(flow.Calendar);
        var due = flow.Clock.Due;
        await flow.ProgressAsync(flow.Status, "extended", $"Extended by two months by {decision.Actor}. Reason: {decision.Reason?.TrimEnd('.')}. New due date {due:yyyy-MM-dd}.",
            actor: decision.Actor, due: due, extended: true, overdue: false);
        await flow.Steps.CallAsync(DsrActivities.SendCustomerNotice, new CustomerNoticeInput(flow.Ref, SendCustomerNotice.Extension, decision.Reason, due, flow.Now));
    }

    private static Task<bool> CloseAsync(DsrFlow flow, string status, string detail)
    {
        flow.Phase = WorkflowPhases.Done;
        return flow.ProgressAsync(status, "closed", detail, closed: true);
    }
}
