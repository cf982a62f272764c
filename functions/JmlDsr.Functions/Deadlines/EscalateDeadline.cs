using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Deadlines;

/// <summary>
/// The statutory due date passed with the request still open: tell the privacy team and the DPO. The workflow calls it as an
/// activity; the deadline watchdog calls <see cref="SendAsync"/> when the workflow did not. Each email goes once (its Sends
/// key) and the escalation is audited once.
/// </summary>
public sealed class EscalateDeadline(RequestRepository requests, Mailer mailer, AuditLog audit, IOptions<DsrOptions> options, ILogger<EscalateDeadline> logger)
    : IDsrActivity<EscalationInput, bool>
{
    [Function(nameof(EscalateDeadline))]
    public Task<bool> Run([ActivityTrigger] EscalationInput input) => RunAsync(input);

    public async Task<bool> RunAsync(EscalationInput input)
    {
        await SendAsync(input, SendStaffReminder.WorkflowActor);
        return true;
    }

    /// <summary>
    /// Sends the escalation emails not yet recorded; true when this call sent one. The audit entry is not written again for an
    /// escalation already sent and audited, but is for one an interrupted attempt sent without auditing it.
    /// </summary>
    public async Task<bool> SendAsync(EscalationInput input, string actor)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var type = RequestTypes.FromWire(r.Type);
        var due = input.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var sent = false;
        foreach (var who in DeadlineWatch.EscalationRecipients)
        {
            var to = who == "dpo" ? options.Value.DpoAddress : options.Value.PrivacyTeamAddress;
            var mail = EmailComposer.DeadlineEscalation(to, input.Reference, type, input.DueDate, input.Status);
            sent |= await mailer.SendOnceAsync(input.Reference, DeadlineWatch.EscalationSendKey(input.DueDate, who), mail);
        }

        if (actor == SendStaffReminder.WorkflowActor)
        {
            await requests.UpdateAsync(input.Reference, row => row.ApplyInOrder(input.At, x => x.Overdue = true));
        }
        else
        {
            // Not the workflow's write: it must not move ProgressAt (the workflow's own later writes would then be dropped as
            // older), and it marks only the due date it escalated.
            await requests.UpdateAsync(input.Reference, row =>
            {
                if (row.ClosedAt is null && row.DueDate == due)
                {
                    row.Overdue = true;
                }
            });
        }

        if (sent || !await audit.HasAsync(input.Reference, "deadline-reached", $"Due date {due} reached"))
        {
            await audit.AppendAsync(input.Reference, input.At, "deadline-reached", actor, $"Due date {due} reached while {EmailComposer.StatusText(input.Status)}: privacy team and DPO alerted.");
        }

        Log.DeadlineReached(logger, input.Reference, due, input.Status);
        return sent;
    }
}
