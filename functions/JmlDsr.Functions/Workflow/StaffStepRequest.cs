using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Workflow;

/// <summary>
/// The one way the workflows put a step to the privacy team: a signed single-use link per action in an email, the
/// same actions offered on the console page until the links expire, and an audit entry. Used for decisions,
/// complaints, systems that could not be searched and fulfilment steps that failed.
/// </summary>
public sealed class StaffStepRequest(RequestRepository requests, LinkService links, Mailer mailer, AuditLog audit)
{
    public async Task SendAsync(string reference, string step, IReadOnlyList<string> actions, DateTimeOffset linkExpires, DateTimeOffset at,
        Func<IReadOnlyList<EmailLink>, EmailMessage> compose, string auditStep, string auditDetail, Func<string, string>? label = null)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(compose);
        var emailLinks = actions.Select(a => new EmailLink((label ?? LinkActions.Label)(a), links.ActionUrl(reference, step, [a], linkExpires))).ToList();
        await requests.UpdateAsync(reference, row => row.ApplyInOrder(at, x =>
        {
            x.CurrentStep = step;
            x.CurrentActions = string.Join(',', actions);
            x.CurrentStepExpires = linkExpires;
        }));
        await mailer.SendOnceAsync(reference, step, compose(emailLinks));
        await audit.AppendAsync(reference, at, auditStep, "system", auditDetail);
    }
}
