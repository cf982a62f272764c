using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Approval;

/// <summary>Art 12A: asks the requester what the request is about, with a link to a page to answer; the clock is stopped meanwhile.</summary>
public sealed class SendClarificationRequest(RequestRepository requests, LinkService links, Mailer mailer, AuditLog audit) : IDsrActivity<ClarificationInput, bool>
{
    [Function(nameof(SendClarificationRequest))]
    public Task<bool> Run([ActivityTrigger] ClarificationInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ClarificationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var url = links.ActionUrl(input.Reference, input.Step, [LinkActions.Answer], input.LinkExpires);
        var mail = EmailComposer.ClarificationRequest(r.RequesterEmail, r.RequesterName, r.RowKey, input.Question, url, StatutoryClock.UkDate(input.LinkExpires));
        await mailer.SendOnceAsync(input.Reference, input.Step, mail);
        await audit.AppendAsync(input.Reference, input.At, input.Step + "-sent", "system", $"Clarification asked: {input.Question}");
        return true;
    }
}
