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
        var type = RequestTypes.FromWire(r.Type);
        var mail = EmailComposer.Acknowledgement(r.RequesterEmail, r.RequesterName, r.RowKey, type, StatutoryClock.UkDate(r.ReceivedAt), input.DueDate);
        await mailer.SendOnceAsync(input.Reference, "acknowledgement", mail);
        await audit.AppendAsync(input.Reference, input.At, "acknowledgement-sent", "system", $"Acknowledgement emailed to the requester; due {input.DueDate:yyyy-MM-dd}.");
        return true;
    }
}
