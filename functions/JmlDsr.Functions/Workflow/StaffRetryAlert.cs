using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// The one way a request that cannot go on asks staff to try again: a signed single-use "retry" link in an email,
/// the same action offered on the console page, and an audit entry. Used when systems cannot be searched and when a
/// fulfilment step fails after its retries.
/// </summary>
public sealed class StaffRetryAlert(RequestRepository requests, LinkService links, Mailer mailer, AuditLog audit)
{
    public async Task SendAsync(string reference, string step, DateTimeOffset linkExpires, DateTimeOffset at, string linkLabel, Func<EmailLink, EmailMessage> compose, string auditStep, string auditDetail)
    {
        ArgumentNullException.ThrowIfNull(compose);
        var url = links.ActionUrl(reference, step, [LinkActions.RetryGathering], linkExpires);
        await requests.UpdateAsync(reference, row => row.ApplyInOrder(at, x =>
        {
            x.CurrentStep = step;
            x.CurrentActions = LinkActions.RetryGathering;
            x.CurrentStepExpires = linkExpires;
        }));
        await mailer.SendOnceAsync(reference, step, compose(new EmailLink(linkLabel, url)));
        await audit.AppendAsync(reference, at, auditStep, "system", auditDetail);
    }
}
