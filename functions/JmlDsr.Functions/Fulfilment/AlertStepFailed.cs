using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Tells the privacy team that a fulfilment step failed after its retries, with a link (and a console action) to try it again.</summary>
public sealed class AlertStepFailed(StaffRetryAlert alert, IOptions<DsrOptions> options) : IDsrActivity<StepFailedInput, bool>
{
    [Function(nameof(AlertStepFailed))]
    public Task<bool> Run([ActivityTrigger] StepFailedInput input) => RunAsync(input);

    public async Task<bool> RunAsync(StepFailedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await alert.SendAsync(input.Reference, input.Step, input.LinkExpires, input.At, "Try the step again",
            link => EmailComposer.StaffStepFailed(options.Value.PrivacyTeamAddress, input.Reference, input.What, input.Error, link),
            input.Step, $"{input.What} failed after retries ({input.Error}). Staff alerted; the request waits.");
        return true;
    }
}
