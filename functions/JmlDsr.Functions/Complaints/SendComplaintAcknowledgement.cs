using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Complaints;

/// <summary>
/// DPA 2018 s 164A(3): tells the complainant we have their complaint, its reference and the request it is about; notes
/// the complaint on that request's own timeline, so whoever opens the request sees it.
/// </summary>
public sealed class SendComplaintAcknowledgement(RequestRepository requests, Mailer mailer, AuditLog audit) : IDsrActivity<ComplaintAcknowledgementInput, bool>
{
    public const string Step = "complaint-acknowledgement";

    [Function(nameof(SendComplaintAcknowledgement))]
    public Task<bool> Run([ActivityTrigger] ComplaintAcknowledgementInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ComplaintAcknowledgementInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var about = RequestReference.IsValid(r.AboutReference) ? r.AboutReference : null;
        await mailer.SendOnceAsync(input.Reference, Step, EmailComposer.ComplaintAcknowledged(r.RequesterEmail, r.RequesterName, r.RowKey, about));
        await audit.AppendAsync(input.Reference, input.At, Step + "-sent", "system",
            $"Acknowledgement emailed to the complainant{(about is null ? "" : $"; the complaint is about request {about}")} (s 164A(3): due by {input.AcknowledgementDue:yyyy-MM-dd}).");
        if (about is not null)
        {
            await audit.AppendAsync(about, input.At, "complaint-" + input.Reference, "system",
                $"Complaint {input.Reference} was made about this request (DPA 2018 s 164A).");
        }

        return true;
    }
}
