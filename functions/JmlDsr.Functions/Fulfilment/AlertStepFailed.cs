using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Tells the privacy team that a fulfilment step failed after its retries, with a link (and a console action) to try it again.</summary>
public sealed class AlertStepFailed(RequestRepository requests, LinkService links, Mailer mailer, AuditLog audit, IOptions<DsrOptions> options) : IDsrActivity<StepFailedInput, bool>
{
    [Function(nameof(AlertStepFailed))]
    public Task<bool> Run([ActivityTrigger] StepFailedInput input) => RunAsync(input);

    public async Task<bool> RunAsync(StepFailedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var url = links.ActionUrl(input.Reference, input.Step, [LinkActions.RetryGathering], input.LinkExpires);
        var mail = EmailComposer.StaffStepFailed(options.Value.PrivacyTeamAddress, input.Reference, input.What, input.Error, new EmailLink("Try the step again", url));
        await requests.UpdateAsync(input.Reference, row => row.ApplyInOrder(input.At, x =>
        {
            x.CurrentStep = input.Step;
            x.CurrentActions = LinkActions.RetryGathering;
            x.CurrentStepExpires = input.LinkExpires;
        }));
        await mailer.SendOnceAsync(input.Reference, input.Step, mail);
        await audit.AppendAsync(input.Reference, input.At, input.Step, "system", $"{input.What} failed after retries ({input.Error}). Staff alerted; the request waits.");
        return true;
    }
}
