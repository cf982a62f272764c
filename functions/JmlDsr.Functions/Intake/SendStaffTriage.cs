using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Intake;

/// <summary>A message we could not classify still counts as received: staff read it and set its type.</summary>
public sealed class SendStaffTriage(Mailer mailer, AuditLog audit, IOptions<DsrOptions> options) : IDsrActivity<StaffNoticeInput, bool>
{
    [Function(nameof(SendStaffTriage))]
    public Task<bool> Run([ActivityTrigger] StaffNoticeInput input) => RunAsync(input);

    public async Task<bool> RunAsync(StaffNoticeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await mailer.SendOnceAsync(input.Reference, input.Step, EmailComposer.StaffTriage(options.Value.PrivacyTeamAddress, input.Reference, input.DueDate));
        await audit.AppendAsync(input.Reference, input.At, "triage-requested", "system", "Type not recognised: staff asked to classify the message.");
        return true;
    }
}
