using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Approval;

/// <summary>Tells the requester of a staff decision that is not the final answer's data: a refusal or an extension.</summary>
public sealed class SendCustomerNotice(RequestRepository requests, Mailer mailer, AuditLog audit, Domain.Gathering.DataMap map) : IDsrActivity<CustomerNoticeInput, bool>
{
    public const string Rejection = "rejection";
    public const string Extension = "extension";
    public const string Refusal = "refusal";
    public const string NoClarification = "closed-no-clarification";
    public const string Fee = "fee-request";
    public const string FeeUnpaid = "closed-fee-unpaid";

    /// <summary>No personal data about the person in any system: for access, the Art 15(1) confirmation that none is processed.</summary>
    public const string NoData = "no-data-held";

    [Function(nameof(SendCustomerNotice))]
    public Task<bool> Run([ActivityTrigger] CustomerNoticeInput input) => RunAsync(input);

    public async Task<bool> RunAsync(CustomerNoticeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var type = RequestTypes.FromWire(r.Type);
        var reason = string.IsNullOrWhiteSpace(input.Reason) ? "No reason was recorded." : input.Reason.Trim();
        var mail = input.Step switch
        {
            Rejection => EmailComposer.Rejected(r.RequesterEmail, r.RequesterName, r.RowKey, type, reason),
            Extension => EmailComposer.ExtensionNotice(r.RequesterEmail, r.RequesterName, r.RowKey, input.DueDate ?? throw new ArgumentException("An extension notice needs the new due date."), reason),
            Refusal => EmailComposer.RefusedUnfoundedOrExcessive(r.RequesterEmail, r.RequesterName, r.RowKey, reason),
            NoClarification => EmailComposer.ClosedNoClarification(r.RequesterEmail, r.RequesterName, r.RowKey),
            FeeUnpaid => EmailComposer.ClosedFeeUnpaid(r.RequesterEmail, r.RequesterName, r.RowKey),
            NoData => EmailComposer.NoDataHeld(r.RequesterEmail, r.RequesterName, r.RowKey, type, map.Systems.Select(x => x.Name).ToList()),
            _ when input.Step.StartsWith(Fee, StringComparison.Ordinal) => EmailComposer.FeeRequest(r.RequesterEmail, r.RequesterName, r.RowKey, reason, input.DueDate ?? throw new ArgumentException("A fee request needs the date to pay by.")),
            _ => throw new ArgumentException($"Unknown notice '{input.Step}'."),
        };
        await mailer.SendOnceAsync(input.Reference, input.Step, mail);
        await audit.AppendAsync(input.Reference, input.At, input.Step + "-sent", "system", $"Requester sent the {input.Step} notice.");
        return true;
    }
}
