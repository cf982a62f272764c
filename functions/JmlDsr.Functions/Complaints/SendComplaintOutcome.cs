using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Complaints;

/// <summary>
/// DPA 2018 s 164A(4)(b): tells the complainant the outcome staff wrote, and their right to complain to the ICO. The
/// outcome is read from the Decisions table (it is about the person), never carried in the orchestration's history.
/// </summary>
public sealed class SendComplaintOutcome(RequestRepository requests, DecisionStore decisions, Mailer mailer, AuditLog audit) : IDsrActivity<ComplaintOutcomeInput, bool>
{
    public const string Step = "complaint-outcome";

    [Function(nameof(SendComplaintOutcome))]
    public Task<bool> Run([ActivityTrigger] ComplaintOutcomeInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ComplaintOutcomeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var outcome = (await decisions.GetAsync(input.Reference, input.DecisionStep)).Answer?.Trim();
        if (string.IsNullOrEmpty(outcome))
        {
            // The links page and the console save the outcome before raising the event; without it there is nothing to send.
            throw new InvalidOperationException($"No outcome was recorded for complaint {input.Reference} at step {input.DecisionStep}.");
        }

        await mailer.SendOnceAsync(input.Reference, Step, EmailComposer.ComplaintOutcome(r.RequesterEmail, r.RequesterName, r.RowKey, outcome));
        await audit.AppendAsync(input.Reference, input.At, Step + "-sent", "system", "Outcome emailed to the complainant, with their right to complain to the ICO (s 164A(4)(b)).");
        return true;
    }
}
