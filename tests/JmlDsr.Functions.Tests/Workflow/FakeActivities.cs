using System.Collections.Concurrent;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Verification;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>Stand-ins for every activity, by name, recording each call; behaviour is settable per test.</summary>
public sealed class FakeActivities
{
    public ConcurrentQueue<(string Name, object Input)> Calls { get; } = new();

    public bool IdentityKnown { get; set; } = true;

    /// <summary>System ids that fail in the given gathering round.</summary>
    public Func<GatherInput, bool> GatherFails { get; set; } = _ => false;

    public IReadOnlyList<T> Inputs<T>(string name) => Calls.Where(c => c.Name == name).Select(c => (T)c.Input).ToList();

    public int Count(string name) => Calls.Count(c => c.Name == name);

    public void Register(DurableTaskRegistry r)
    {
        Add<ProgressInput, bool>(r, nameof(RecordProgress), _ => true);
        Add<AcknowledgeInput, bool>(r, nameof(SendAcknowledgement), _ => true);
        Add<StaffNoticeInput, bool>(r, nameof(SendStaffTriage), _ => true);
        Add<VerificationEmailInput, bool>(r, nameof(SendVerificationEmail), _ => true);
        Add<VerifyIdentityInput, bool>(r, nameof(VerifyIdentity), _ => IdentityKnown);
        Add<CloseUnverifiedInput, bool>(r, nameof(CloseUnverified), _ => true);
        Add<GatherInput, GatherSummary>(r, nameof(GatherFromSystem), i => GatherFails(i)
            ? throw new SystemUnavailableException(i.SystemId, $"{i.SystemId} is not answering.")
            : new GatherSummary(i.SystemId, 2, $"{i.Reference}/{i.SystemId}.json", true, null));
        Add<GatheringFailedInput, bool>(r, nameof(AlertGatheringFailed), _ => true);
        Add<ApprovalRequestInput, bool>(r, nameof(SendApprovalRequest), _ => true);
        Add<CustomerNoticeInput, bool>(r, nameof(SendCustomerNotice), _ => true);
        Add<ExportInput, ExportResult>(r, nameof(BuildAccessExport), i => new ExportResult($"{i.Reference}/personal-data.json", $"{i.Reference}/personal-data.html", 10, 20));
        Add<FulfilmentEmailInput, bool>(r, nameof(SendAccessFulfilment), _ => true);
        Add<EscalationInput, bool>(r, nameof(EscalateDeadline), _ => true);
    }

    private void Add<TIn, TOut>(DurableTaskRegistry r, string name, Func<TIn, TOut> behave) =>
        r.AddActivityFunc<TIn, TOut>(name, (_, input) =>
        {
            Calls.Enqueue((name, input!));
            return behave(input!);
        });

    public static IReadOnlyList<string> AllSystems => SystemCatalog.All.Select(s => s.Id).ToList();
}
