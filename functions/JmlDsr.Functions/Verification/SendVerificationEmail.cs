using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Verification;

/// <summary>
/// Asks the requester to confirm the request from their mailbox (Art 12(6): proportionate — email
/// possession, then a match to our records). The link opens a page; only its button confirms.
/// </summary>
public sealed class SendVerificationEmail(RequestRepository requests, LinkService links, Mailer mailer, AuditLog audit) : IDsrActivity<VerificationEmailInput, bool>
{
    [Function(nameof(SendVerificationEmail))]
    public Task<bool> Run([ActivityTrigger] VerificationEmailInput input) => RunAsync(input);

    public async Task<bool> RunAsync(VerificationEmailInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var url = links.ActionUrl(input.Reference, input.Step, [LinkActions.ConfirmIdentity], input.LinkExpires);
        var mail = EmailComposer.VerificationRequest(r.RequesterEmail, r.RequesterName, r.RowKey, url, StatutoryClock.UkDate(input.LinkExpires));
        await mailer.SendOnceAsync(input.Reference, input.Step, mail);
        await audit.AppendAsync(input.Reference, input.At, "verification-requested", "system",
            $"Identity confirmation requested by email; the clock is stopped until the requester confirms (Art 12A). Link valid until {input.LinkExpires:u}.");
        return true;
    }
}
