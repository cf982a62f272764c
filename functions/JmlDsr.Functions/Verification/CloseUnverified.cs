using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Verification;

/// <summary>Tells the requester we closed the request unverified: no confirmation in time, or an address we do not know.</summary>
public sealed class CloseUnverified(RequestRepository requests, Mailer mailer, AuditLog audit) : IDsrActivity<CloseUnverifiedInput, bool>
{
    [Function(nameof(CloseUnverified))]
    public Task<bool> Run([ActivityTrigger] CloseUnverifiedInput input) => RunAsync(input);

    public async Task<bool> RunAsync(CloseUnverifiedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var mail = EmailComposer.ClosedUnverified(r.RequesterEmail, r.RequesterName, r.RowKey, input.NoReply);
        await mailer.SendOnceAsync(input.Reference, "closed-unverified", mail);
        await audit.AppendAsync(input.Reference, input.At, "closed-unverified-email-sent", "system",
            input.NoReply ? "Requester told the request was closed: no confirmation within the window." : "Requester told the request was closed: address not in our records.");
        return true;
    }
}
