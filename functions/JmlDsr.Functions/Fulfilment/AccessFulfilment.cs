using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Art 15: the copy and the supplementary information, with the third parties staff chose redacted (Art 15(4)).</summary>
internal static class AccessFulfilment
{
    internal static async Task RunAsync(DsrFlow flow, IReadOnlyList<GatherSummary> systems, string decisionStep)
    {
        await flow.ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Building the access response.");
        var export = await flow.Steps.CallAsync(DsrActivities.BuildAccessExport, new ExportInput(flow.Ref, systems, flow.Now, decisionStep));
        await flow.Steps.CallAsync(DsrActivities.SendAccessFulfilment, new FulfilmentEmailInput(flow.Ref, export, systems, flow.Now + flow.Settings.ExportLinkLifetime, flow.Now));
        await flow.CompleteAsync(RequestStatus.Completed, "Access response sent");
    }
}
