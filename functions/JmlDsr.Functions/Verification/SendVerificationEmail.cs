using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
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
        var need = IdentityCheck.FromWire(input.Need);
        var action = need switch
        {
            IdentityNeed.OtherIdentifiers => LinkActions.GiveIdentifiers,
            IdentityNeed.Authority => LinkActions.GiveAuthority,
            _ => LinkActions.ConfirmIdentity,
        };
        var url = links.ActionUrl(input.Reference, input.Step, [action], input.LinkExpires);
        var replyBy = StatutoryClock.UkDate(input.LinkExpires);
        var mail = need switch
        {
            IdentityNeed.OtherIdentifiers => EmailComposer.IdentifiersRequest(r.RequesterEmail, r.RequesterName, r.RowKey, url, replyBy),
            IdentityNeed.Authority => EmailComposer.AuthorityRequest(r.RequesterEmail, r.RequesterName, r.RowKey, url, replyBy),
            // A confirmation goes to the mailbox on our records: another address the requester gave, when they gave one.
            _ => EmailComposer.VerificationRequest(r.AgentKind is null ? r.PersonEmail() : r.RequesterEmail, r.RequesterName, r.RowKey, url, replyBy, input.Reason),
        };
        await mailer.SendOnceAsync(input.Reference, input.Step, mail);
        await audit.AppendAsync(input.Reference, input.At, "verification-requested", "system",
            need switch
            {
                IdentityNeed.OtherIdentifiers => $"Another address or a customer, contract or licence number asked for by email; the clock is stopped until the answer (Art 12A). Link valid until {input.LinkExpires:u}.",
                IdentityNeed.Authority => $"The person's details and the agent's signed authority asked for by email; the clock is stopped until they arrive (Art 12A). Link valid until {input.LinkExpires:u}.",
                _ => $"Identity confirmation requested by email{(string.IsNullOrEmpty(r.SubjectEmail) || r.AgentKind is not null ? string.Empty : " to the address on our records the requester gave")}; the clock is stopped until the requester confirms (Art 12A). Link valid until {input.LinkExpires:u}.",
            });
        return true;
    }
}
