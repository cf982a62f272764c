using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Gathering;

/// <summary>Tells the privacy team which systems could not be searched, with a link to search them again.</summary>
public sealed class AlertGatheringFailed(RequestRepository requests, LinkService links, Mailer mailer, AuditLog audit, IOptions<DsrOptions> options) : IDsrActivity<GatheringFailedInput, bool>
{
    [Function(nameof(AlertGatheringFailed))]
    public Task<bool> Run([ActivityTrigger] GatheringFailedInput input) => RunAsync(input);

    public async Task<bool> RunAsync(GatheringFailedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var url = links.ActionUrl(input.Reference, input.Step, [LinkActions.RetryGathering], input.LinkExpires);
        var mail = EmailComposer.StaffGatheringFailed(options.Value.PrivacyTeamAddress, input.Reference, Summaries.ToEmail(input.Failed), new EmailLink("Search the failed systems again", url));
        await requests.UpdateAsync(input.Reference, row => row.ApplyInOrder(input.At, x =>
        {
            x.CurrentStep = input.Step;
            x.CurrentActions = LinkActions.RetryGathering;
            x.CurrentStepExpires = input.LinkExpires;
        }));
        await mailer.SendOnceAsync(input.Reference, input.Step, mail);
        await audit.AppendAsync(input.Reference, input.At, "gathering-failed", "system",
            "Could not search: " + string.Join(", ", input.Failed.Select(f => f.SystemId)) + ". Staff alerted; the request waits.");
        return true;
    }
}
