using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Verification;

/// <summary>
/// After the requester answered what we asked: matches it to our records. Another address or a number that leads to
/// records makes that record's mailbox confirm next (knowing an address or a number alone never discloses anyone's data);
/// an agent's person must be on our records. What was given is kept in the Decisions table, never in history.
/// </summary>
public sealed class CheckIdentity(RequestRepository requests, SystemConnector connector, DecisionStore decisions, AuditLog audit) : IDsrActivity<CheckIdentityInput, string>
{
    [Function(nameof(CheckIdentity))]
    public Task<string> Run([ActivityTrigger] CheckIdentityInput input) => RunAsync(input);

    public async Task<string> RunAsync(CheckIdentityInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var need = IdentityCheck.FromWire(input.Need);
        var given = IdentityAnswer.From(await decisions.GetAsync(input.Reference, input.Step));
        string outcome;
        string detail;
        switch (need)
        {
            case IdentityNeed.OtherIdentifiers:
            {
                var address = await FindAsync(given);
                if (address is not null)
                {
                    await requests.UpdateAsync(input.Reference, x => x.SubjectEmail = address);
                    (outcome, detail) = (IdentityOutcomes.ConfirmOther, "The requester gave another address or a number that leads to our records: that record's mailbox is asked to confirm.");
                }
                else
                {
                    (outcome, detail) = (IdentityOutcomes.NotFound, given.IsEmpty
                        ? "The requester gave nothing further; no record holds their address."
                        : "Nothing the requester gave (another address, a customer, contract or licence number) matches our records.");
                }

                break;
            }

            case IdentityNeed.Authority:
            {
                if (!string.IsNullOrEmpty(given.SubjectEmail))
                {
                    var subject = given.SubjectEmail;
                    await requests.UpdateAsync(input.Reference, x =>
                    {
                        x.SubjectEmail = subject;
                        x.SubjectName = given.SubjectName;
                        x.AuthorityBlob = given.AuthorityBlob ?? x.AuthorityBlob;
                        x.AuthorityReceivedAt ??= input.At;
                    });
                }

                var known = !string.IsNullOrEmpty(given.SubjectEmail) && await connector.IsKnownAsync(given.SubjectEmail);
                (outcome, detail) = known
                    ? (IdentityOutcomes.Matched, $"The agent gave the person's details and {(given.AuthorityBlob is null ? "said the signed authority follows by email" : "uploaded a signed authority")}; the person is on our records. Staff check the authority before anything is sent to the agent.")
                    : (IdentityOutcomes.NotFound, "The person the agent acts for is on none of our records.");
                break;
            }

            default:
            {
                var known = await connector.IsKnownAsync(r.PersonEmail());
                (outcome, detail) = known
                    ? (IdentityOutcomes.Matched, "The requester confirmed from the mailbox on our records.")
                    : (IdentityOutcomes.NotFound, "The confirmed address matches no customer, supplier or contact record.");
                break;
            }
        }

        await audit.AppendAsync(input.Reference, input.At, $"identity-{outcome}-{input.Step}", "system", detail);
        return outcome;
    }

    private async Task<string?> FindAsync(IdentityAnswer given)
    {
        if (!string.IsNullOrEmpty(given.OtherEmail) && await connector.IsKnownAsync(given.OtherEmail))
        {
            return given.OtherEmail.Trim().ToLowerInvariant();
        }

        return string.IsNullOrEmpty(given.Number) ? null : await connector.AddressForNumberAsync(given.Number);
    }
}
