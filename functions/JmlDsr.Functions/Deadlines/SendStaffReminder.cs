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

/// <summary>Reminds the privacy team that a request is due soon (configurable days before, default 7 and 2).</summary>
public sealed class SendStaffReminder(RequestRepository requests, Mailer mailer, AuditLog audit, IOptions<DsrOptions> options) : IDsrActivity<ReminderInput, bool>
{
    [Function(nameof(SendStaffReminder))]
    public Task<bool> Run([ActivityTrigger] ReminderInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ReminderInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var daysLeft = StatutoryClock.DaysLeft(StatutoryClock.UkDate(input.At), input.DueDate);
        var mail = EmailComposer.StaffReminder(options.Value.PrivacyTeamAddress, input.Reference, RequestTypes.FromWire(r.Type), input.DueDate, daysLeft, input.Status);
        var due = input.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await mailer.SendOnceAsync(input.Reference, string.Create(CultureInfo.InvariantCulture, $"reminder-{due}-{input.DaysBefore}"), mail);
        await audit.AppendAsync(input.Reference, input.At, string.Create(CultureInfo.InvariantCulture, $"reminder-{input.DaysBefore}d"), "system",
            $"Reminder sent to the privacy team: due {due}, {daysLeft} day(s) left, {EmailComposer.StatusText(input.Status)}.");
        return true;
    }
}
