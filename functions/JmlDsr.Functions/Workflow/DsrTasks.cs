using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Complaints;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Retention;
using JmlDsr.Functions.Verification;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// The one list of orchestrators and activities. The local host registers exactly these on its
/// DurableTaskWorker; a test checks that every [Function] orchestrator and activity is here.
/// </summary>
public static class DsrTasks
{
    private static readonly (string Name, Type Type, Action<DurableTaskRegistry> Register)[] Activities =
    [
        Activity<RecordProgress, ProgressInput, bool>(nameof(RecordProgress)),
        Activity<SendAcknowledgement, AcknowledgeInput, bool>(nameof(SendAcknowledgement)),
        Activity<SendStaffTriage, StaffNoticeInput, bool>(nameof(SendStaffTriage)),
        Activity<SendVerificationEmail, VerificationEmailInput, bool>(nameof(SendVerificationEmail)),
        Activity<VerifyIdentity, VerifyIdentityInput, bool>(nameof(VerifyIdentity)),
        Activity<AssessIdentity, AssessIdentityInput, IdentityPlan>(nameof(AssessIdentity)),
        Activity<CheckIdentity, CheckIdentityInput, string>(nameof(CheckIdentity)),
        Activity<CheckLinked, LinkedInput, LinkedWait>(nameof(CheckLinked)),
        Activity<CloseUnverified, CloseUnverifiedInput, bool>(nameof(CloseUnverified)),
        Activity<GatherFromSystem, GatherInput, GatherSummary>(nameof(GatherFromSystem)),
        Activity<AlertGatheringFailed, GatheringFailedInput, bool>(nameof(AlertGatheringFailed)),
        Activity<CheckOwnerTask, OwnerTaskInput, OwnerTaskState>(nameof(CheckOwnerTask)),
        Activity<RecordSystemControl, SystemControlInput, bool>(nameof(RecordSystemControl)),
        Activity<FindPausedSystems, PausedInput, IReadOnlyList<string>>(nameof(FindPausedSystems)),
        Activity<SendApprovalRequest, ApprovalRequestInput, bool>(nameof(SendApprovalRequest)),
        Activity<SendCustomerNotice, CustomerNoticeInput, bool>(nameof(SendCustomerNotice)),
        Activity<BuildAccessExport, ExportInput, ExportResult>(nameof(BuildAccessExport)),
        Activity<SendAccessFulfilment, FulfilmentEmailInput, bool>(nameof(SendAccessFulfilment)),
        Activity<EscalateDeadline, EscalationInput, bool>(nameof(EscalateDeadline)),
        Activity<SendStaffReminder, ReminderInput, bool>(nameof(SendStaffReminder)),
        Activity<SendClarificationRequest, ClarificationInput, bool>(nameof(SendClarificationRequest)),
        Activity<ApplyRectification, RightsInput, RightsResult>(nameof(ApplyRectification)),
        Activity<ApplyRestriction, RightsInput, RightsResult>(nameof(ApplyRestriction)),
        Activity<LiftRestriction, RightsInput, RightsResult>(nameof(LiftRestriction)),
        Activity<DecideObjectionScope, ObjectionScopeInput, string>(nameof(DecideObjectionScope)),
        Activity<ApplyObjection, RightsInput, ObjectionResult>(nameof(ApplyObjection)),
        Activity<EraseFromSystem, EraseInput, EraseResult>(nameof(EraseFromSystem)),
        Activity<NotifyPartners, PartnerNoticeInput, IReadOnlyList<string>>(nameof(NotifyPartners)),
        Activity<SendRightsOutcome, OutcomeInput, bool>(nameof(SendRightsOutcome)),
        Activity<AlertStepFailed, StepFailedInput, bool>(nameof(AlertStepFailed)),
        Activity<ForgetAfterErasure, ForgetInput, CaseFileReport>(nameof(ForgetAfterErasure)),
        Activity<ScheduleErasure, ScheduleErasureInput, bool>(nameof(ScheduleErasure)),
        Activity<SendComplaintAcknowledgement, ComplaintAcknowledgementInput, bool>(nameof(SendComplaintAcknowledgement)),
        Activity<SendComplaintToStaff, ComplaintStaffInput, bool>(nameof(SendComplaintToStaff)),
        Activity<SendComplaintOutcome, ComplaintOutcomeInput, bool>(nameof(SendComplaintOutcome)),
    ];

    public static IReadOnlyList<string> OrchestratorNames { get; } =
        [nameof(DsrOrchestrator), nameof(ComplaintOrchestrator), nameof(RestrictionLiftOrchestrator), nameof(RetainedErasureOrchestrator)];

    public static IReadOnlyList<string> ActivityNames { get; } = Activities.Select(a => a.Name).ToList();

    /// <summary>Registers the orchestrators and activities on a worker's registry.</summary>
    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        RegisterOrchestrators(registry);
        foreach (var a in Activities)
        {
            a.Register(registry);
        }
    }

    /// <summary>Registers the orchestrators only (orchestration tests supply their own activities).</summary>
    public static void RegisterOrchestrators(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestratorFunc<DsrInput, DsrOutcome>(nameof(DsrOrchestrator), (ctx, input) => DsrOrchestrator.RunAsync(ctx, input ?? throw new ArgumentNullException(nameof(input))));
        registry.AddOrchestratorFunc<ComplaintInput, ComplaintResult>(nameof(ComplaintOrchestrator), (ctx, input) => ComplaintOrchestrator.RunAsync(ctx, input ?? throw new ArgumentNullException(nameof(input))));
        registry.AddOrchestratorFunc<RestrictionLiftInput, DsrOutcome>(nameof(RestrictionLiftOrchestrator), (ctx, input) => RestrictionLiftOrchestrator.RunAsync(ctx, input ?? throw new ArgumentNullException(nameof(input))));
        registry.AddOrchestratorFunc<RetainedErasureInput, DsrOutcome>(nameof(RetainedErasureOrchestrator), (ctx, input) => RetainedErasureOrchestrator.RunAsync(ctx, input ?? throw new ArgumentNullException(nameof(input))));
    }

    /// <summary>Adds the activity classes to DI, so both hosts construct them the same way.</summary>
    public static IServiceCollection AddDsrActivities(this IServiceCollection services)
    {
        foreach (var a in Activities)
        {
            services.AddTransient(a.Type);
        }

        return services;
    }

    private static (string, Type, Action<DurableTaskRegistry>) Activity<TActivity, TIn, TOut>(string name)
        where TActivity : class, IDsrActivity<TIn, TOut> =>
        (name, typeof(TActivity), r => r.AddActivity(name, sp => new Adapter<TActivity, TIn, TOut>(sp.GetRequiredService<TActivity>())));

    private sealed class Adapter<TActivity, TIn, TOut>(TActivity activity) : TaskActivity<TIn, TOut>
        where TActivity : IDsrActivity<TIn, TOut>
    {
        private static readonly System.Reflection.PropertyInfo? ReferenceProperty = typeof(TIn).GetProperty("Reference", typeof(string));

        // The local host's span per activity run, tagged with the request reference its input names (the Functions worker has its own).
        public override async Task<TOut> RunAsync(TaskActivityContext context, TIn input)
        {
            using var span = Telemetry.DsrTelemetry.Source.StartActivity("activity " + context.Name);
            Telemetry.DsrTelemetry.Reference(input is null ? null : ReferenceProperty?.GetValue(input) as string);
            return await activity.RunAsync(input);
        }
    }
}
