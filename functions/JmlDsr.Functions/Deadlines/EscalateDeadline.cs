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

/// <summary>The statutory due date passed with the request still open: tell the privacy team and the DPO.</summary>
public sealed class EscalateDeadline(RequestRepository requests, Mailer mailer, AuditLog audit, IOptions<DsrOptions> options, ILogger<EscalateDeadline> logger)
    : IDsrActivity<EscalationInput, bool>
{
    [Function(nameof(EscalateDeadline))]
    public Task<bool> Run([ActivityTrigger] EscalationInput input) => RunAsync(input);

    public async Task<bool> RunAsync(EscalationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var type = RequestTypes.FromWire(r.Type);
        var due = input.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (to, who) in new[] { (options.Value.PrivacyTeamAddress, "team"), (options.Value.DpoAddress, "dpo") })
        {
            var mail = EmailComposer.DeadlineEscalation(to, input.Reference, type, input.DueDate, input.Status);
            await mailer.SendOnceAsync(input.Reference, $"overdue-{due}-{who}", mail);
        }

        await requests.UpdateAsync(input.Reference, row => row.ApplyInOrder(input.At, x => x.Overdue = true));
        await audit.AppendAsync(input.Reference, input.At, "deadline-reached", "system", $"Due date {due} reached while {EmailComposer.StatusText(input.Status)}: privacy team and DPO alerted.");
        Log.DeadlineReached(logger, input.Reference, due, input.Status);
        return true;
    }
}
