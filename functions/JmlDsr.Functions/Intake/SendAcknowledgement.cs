using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Intake;

/// <summary>Tells the requester we have their request: reference, what we understood, due date.</summary>
public sealed class SendAcknowledgement(RequestRepository requests, Mailer mailer, AuditLog audit) : IDsrActivity<AcknowledgeInput, bool>
{
    [Function(nameof(SendAcknowledgement))]
    public Task<bool> Run([ActivityTrigger] AcknowledgeInput input) => RunAsync(input);

    public async Task<bool> RunAsync(AcknowledgeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var all = new List<AcknowledgedRequest> { new(r.RowKey, RequestTypes.FromWire(r.Type), input.DueDate) };
        // The requests opened from the same message are acknowledged together, each with its reference and due date.
        all.AddRange((await requests.LinkedAsync(r)).Select(l => new AcknowledgedRequest(l.RowKey, RequestTypes.FromWire(l.Type), DateOnly.ParseExact(l.DueDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))));

        var need = r.IdentityNeed is null ? IdentityNeed.ConfirmMailbox : IdentityCheck.FromWire(r.IdentityNeed);
        var mail = EmailComposer.Acknowledgement(r.RequesterEmail, r.RequesterName, all, StatutoryClock.UkDate(r.ReceivedAt), need);
        await mailer.SendOnceAsync(input.Reference, "acknowledgement", mail);
        await audit.AppendAsync(input.Reference, input.At, "acknowledgement-sent", "system", $"Acknowledgement emailed to the requester; due {input.DueDate:yyyy-MM-dd}" + (all.Count > 1 ? $"; it also acknowledges {string.Join(", ", all.Skip(1).Select(a => a.Reference))}, opened from the same message." : "."));
        return true;
    }
}
