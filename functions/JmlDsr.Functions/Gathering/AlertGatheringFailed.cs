using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Gathering;

/// <summary>Tells the privacy team which systems could not be searched, with a link to search them again.</summary>
public sealed class AlertGatheringFailed(StaffStepRequest staff, IOptions<DsrOptions> options, Domain.Gathering.DataMap map) : IDsrActivity<GatheringFailedInput, bool>
{
    [Function(nameof(AlertGatheringFailed))]
    public Task<bool> Run([ActivityTrigger] GatheringFailedInput input) => RunAsync(input);

    public async Task<bool> RunAsync(GatheringFailedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await staff.SendAsync(input.Reference, input.Step, [LinkActions.RetryGathering], input.LinkExpires, input.At,
            links => EmailComposer.StaffGatheringFailed(options.Value.PrivacyTeamAddress, input.Reference, Summaries.ToEmail(map, input.Failed), links[0]),
            "gathering-failed", "Could not search: " + string.Join(", ", input.Failed.Select(f => f.SystemId)) + ". Staff alerted; the request waits.", label: _ => "Search the failed systems again");
        return true;
    }
}
