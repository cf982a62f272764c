using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Approval;

/// <summary>
/// Emails the privacy team what was found, with signed single-use links: approve, reject (with a
/// reason), or extend (with a reason). All links of one step share it: using one spends them all.
/// </summary>
public sealed class SendApprovalRequest(RequestRepository requests, StaffStepRequest staff, IOptions<DsrOptions> options, Domain.Gathering.DataMap map)
    : IDsrActivity<ApprovalRequestInput, bool>
{
    [Function(nameof(SendApprovalRequest))]
    public Task<bool> Run([ActivityTrigger] ApprovalRequestInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ApprovalRequestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var type = RequestTypes.FromWire(r.Type);
        await staff.SendAsync(input.Reference, input.Step, LinkActions.StaffDecisions, input.LinkExpires, input.At,
            links => EmailComposer.StaffApprovalRequest(options.Value.PrivacyTeamAddress, input.Reference, type, EmailComposer.Mask(r.RequesterEmail),
                input.DueDate, Summaries.ToEmail(map, input.Systems), links, input.LinkExpires),
            input.Step + "-requested", $"Decision requested from the privacy team ({string.Join(", ", input.Systems.Select(s => $"{s.SystemId}: {s.RecordCount}"))}).");
        return true;
    }
}
