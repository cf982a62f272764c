using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Tells the privacy team that a fulfilment step failed after its retries, with a link (and a console action) to try it again.</summary>
public sealed class AlertStepFailed(StaffStepRequest staff, IOptions<DsrOptions> options) : IDsrActivity<StepFailedInput, bool>
{
    [Function(nameof(AlertStepFailed))]
    public Task<bool> Run([ActivityTrigger] StepFailedInput input) => RunAsync(input);

    public async Task<bool> RunAsync(StepFailedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await staff.SendAsync(input.Reference, input.Step, [LinkActions.RetryGathering], input.LinkExpires, input.At,
            links => EmailComposer.StaffStepFailed(options.Value.PrivacyTeamAddress, input.Reference, input.What, input.Error, links[0]),
            input.Step, $"{input.What} failed after retries ({input.Error}). Staff alerted; the request waits.", label: _ => "Try the step again");
        return true;
    }
}
