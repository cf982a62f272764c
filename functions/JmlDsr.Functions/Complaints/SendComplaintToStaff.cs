using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Complaints;

/// <summary>
/// Asks the privacy team to look into a complaint (s 164A(4)) and send the outcome, with a signed single-use link to
/// the respond page; the console offers the same step until the link expires.
/// </summary>
public sealed class SendComplaintToStaff(RequestRepository requests, StaffStepRequest staff, IOptions<DsrOptions> options)
    : IDsrActivity<ComplaintStaffInput, bool>
{
    [Function(nameof(SendComplaintToStaff))]
    public Task<bool> Run([ActivityTrigger] ComplaintStaffInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ComplaintStaffInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var about = RequestReference.IsValid(r.AboutReference) ? r.AboutReference : null;
        await staff.SendAsync(input.Reference, input.Step, [LinkActions.Respond], input.LinkExpires, input.At,
            links => EmailComposer.StaffComplaint(options.Value.PrivacyTeamAddress, input.Reference, EmailComposer.Mask(r.RequesterEmail), about,
                StatutoryClock.UkDate(r.ReceivedAt), input.AcknowledgementDue, links[0], input.LinkExpires),
            input.Step + "-requested", $"The privacy team was asked to look into the complaint and send the outcome (link valid until {input.LinkExpires:yyyy-MM-dd HH:mm} UTC).");
        return true;
    }
}
