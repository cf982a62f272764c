using System.Globalization;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Deadlines;

/// <summary>
/// Reminds the privacy team that a request is due soon (configurable days before, default 7 and 2). The workflow calls it as
/// an activity; the deadline watchdog calls <see cref="SendAsync"/> when the workflow did not. Either way the reminder goes
/// once (its Sends key) and is audited once.
/// </summary>
public sealed class SendStaffReminder(RequestRepository requests, Mailer mailer, AuditLog audit, IOptions<DsrOptions> options) : IDsrActivity<ReminderInput, bool>
{
    /// <summary>The actor of the workflow's own sends in the audit trail.</summary>
    public const string WorkflowActor = "system";

    [Function(nameof(SendStaffReminder))]
    public Task<bool> Run([ActivityTrigger] ReminderInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ReminderInput input)
    {
        await SendAsync(input, WorkflowActor);
        return true;
    }

    /// <summary>
    /// Sends the reminder unless its Sends record says it went; true when this call sent it. The audit entry is not written
    /// again for a reminder already sent and audited (by the workflow or the watchdog), but is for one an interrupted attempt
    /// sent without auditing it.
    /// </summary>
    public async Task<bool> SendAsync(ReminderInput input, string actor)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var daysLeft = StatutoryClock.DaysLeft(StatutoryClock.UkDate(input.At), input.DueDate);
        var mail = EmailComposer.StaffReminder(options.Value.PrivacyTeamAddress, input.Reference, RequestTypes.FromWire(r.Type), input.DueDate, daysLeft, input.Status);
        var due = input.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var sent = await mailer.SendOnceAsync(input.Reference, DeadlineWatch.ReminderSendKey(input.DueDate, input.DaysBefore), mail);
        var step = string.Create(CultureInfo.InvariantCulture, $"reminder-{input.DaysBefore}d");
        if (sent || !await audit.HasAsync(input.Reference, step, $"due {due},"))
        {
            await audit.AppendAsync(input.Reference, input.At, step, actor,
                $"Reminder sent to the privacy team: due {due}, {daysLeft} day(s) left, {EmailComposer.StatusText(input.Status)}.");
        }

        return sent;
    }
}
