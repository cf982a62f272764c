using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Retention;
using JmlDsr.Functions.Verification;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// An activity as the workflows call it: its name, its input and output types, and what it does in words (for the
/// staff alert when it fails). Calls through one of these are type-checked; the names are the registered ones.
/// </summary>
public sealed record ActivityCall<TInput, TOutput>(string Name, string What);

/// <summary>The activities of the request workflows, typed (the SDK's generated typed calls are not available here).</summary>
public static class DsrActivities
{
    public static ActivityCall<ProgressInput, bool> RecordProgress { get; } = new(nameof(Workflow.RecordProgress), "Recording the request's progress");

    public static ActivityCall<AcknowledgeInput, bool> SendAcknowledgement { get; } = new(nameof(Intake.SendAcknowledgement), "Acknowledging the request");

    public static ActivityCall<StaffNoticeInput, bool> SendStaffTriage { get; } = new(nameof(Intake.SendStaffTriage), "Asking staff to classify the message");

    public static ActivityCall<VerificationEmailInput, bool> SendVerificationEmail { get; } = new(nameof(Verification.SendVerificationEmail), "Asking the requester to confirm");

    public static ActivityCall<VerifyIdentityInput, bool> VerifyIdentity { get; } = new(nameof(Verification.VerifyIdentity), "Matching the requester to our records");

    public static ActivityCall<AssessIdentityInput, IdentityPlan> AssessIdentity { get; } = new(nameof(Verification.AssessIdentity), "Deciding what is needed to confirm identity");

    public static ActivityCall<CheckIdentityInput, string> CheckIdentity { get; } = new(nameof(Verification.CheckIdentity), "Matching what the requester gave to our records");

    public static ActivityCall<LinkedInput, LinkedWait> CheckLinked { get; } = new(nameof(Fulfilment.CheckLinked), "Checking the requests opened from the same message");

    public static ActivityCall<CloseUnverifiedInput, bool> CloseUnverified { get; } = new(nameof(Verification.CloseUnverified), "Closing the unverified request");

    public static ActivityCall<GatherInput, GatherSummary> GatherFromSystem { get; } = new(nameof(Gathering.GatherFromSystem), "Searching a system");

    public static ActivityCall<OwnerTaskInput, OwnerTaskState> CheckOwnerTask { get; } = new(nameof(Gathering.CheckOwnerTask), "Asking a system's owner to confirm a right done by hand");

    public static ActivityCall<SystemControlInput, bool> RecordSystemControl { get; } = new(nameof(Gathering.RecordSystemControl), "Recording what staff did with a system");

    public static ActivityCall<PausedInput, IReadOnlyList<string>> FindPausedSystems { get; } = new(nameof(Gathering.FindPausedSystems), "Checking which systems are paused");

    public static ActivityCall<GatheringFailedInput, bool> AlertGatheringFailed { get; } = new(nameof(Gathering.AlertGatheringFailed), "Telling staff a system could not be searched");

    public static ActivityCall<ApprovalRequestInput, bool> SendApprovalRequest { get; } = new(nameof(Approval.SendApprovalRequest), "Asking staff for a decision");

    public static ActivityCall<CustomerNoticeInput, bool> SendCustomerNotice { get; } = new(nameof(Approval.SendCustomerNotice), "Sending a notice to the requester");

    public static ActivityCall<ClarificationInput, bool> SendClarificationRequest { get; } = new(nameof(Approval.SendClarificationRequest), "Asking the requester to clarify");

    public static ActivityCall<ExportInput, ExportResult> BuildAccessExport { get; } = new(nameof(Fulfilment.BuildAccessExport), "Building the copy of the data");

    public static ActivityCall<FulfilmentEmailInput, bool> SendAccessFulfilment { get; } = new(nameof(Fulfilment.SendAccessFulfilment), "Sending the response to the requester");

    public static ActivityCall<RightsInput, RightsResult> ApplyRectification { get; } = new(nameof(Fulfilment.ApplyRectification), "Applying the corrections");

    public static ActivityCall<RightsInput, RightsResult> ApplyRestriction { get; } = new(nameof(Fulfilment.ApplyRestriction), "Flagging the restriction");

    public static ActivityCall<RightsInput, RightsResult> LiftRestriction { get; } = new(nameof(Fulfilment.LiftRestriction), "Lifting the restriction");

    public static ActivityCall<ObjectionScopeInput, string> DecideObjectionScope { get; } = new(nameof(Fulfilment.DecideObjectionScope), "Reading what the objection is to");

    public static ActivityCall<RightsInput, ObjectionResult> ApplyObjection { get; } = new(nameof(Fulfilment.ApplyObjection), "Carrying out the objection");

    public static ActivityCall<EraseInput, EraseResult> EraseFromSystem { get; } = new(nameof(Fulfilment.EraseFromSystem), "Erasing in a system");

    public static ActivityCall<PartnerNoticeInput, IReadOnlyList<string>> NotifyPartners { get; } = new(nameof(Fulfilment.NotifyPartners), "Telling the partners (Art 19)");

    public static ActivityCall<OutcomeInput, bool> SendRightsOutcome { get; } = new(nameof(Fulfilment.SendRightsOutcome), "Sending the outcome to the requester");

    public static ActivityCall<StepFailedInput, bool> AlertStepFailed { get; } = new(nameof(Fulfilment.AlertStepFailed), "Telling staff a step failed");

    public static ActivityCall<ForgetInput, CaseFileReport> ForgetAfterErasure { get; } = new(nameof(Retention.ForgetAfterErasure), "Erasing the person's data from JML's own records of the request");

    public static ActivityCall<ScheduleErasureInput, bool> ScheduleErasure { get; } = new(nameof(Fulfilment.ScheduleErasure), "Scheduling the erasure of retained records");

    public static ActivityCall<ReminderInput, bool> SendStaffReminder { get; } = new(nameof(Deadlines.SendStaffReminder), "Reminding the privacy team of the due date");

    public static ActivityCall<EscalationInput, bool> EscalateDeadline { get; } = new(nameof(Deadlines.EscalateDeadline), "Telling the privacy team and the DPO the due date passed");
}
