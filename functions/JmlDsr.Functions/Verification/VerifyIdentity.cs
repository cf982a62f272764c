using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Verification;

/// <summary>After the requester proved they hold the mailbox: does the address belong to someone we know?</summary>
public sealed class VerifyIdentity(RequestRepository requests, SystemConnector connector, AuditLog audit) : IDsrActivity<VerifyIdentityInput, bool>
{
    [Function(nameof(VerifyIdentity))]
    public Task<bool> Run([ActivityTrigger] VerifyIdentityInput input) => RunAsync(input);

    public async Task<bool> RunAsync(VerifyIdentityInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var known = await connector.IsKnownAsync(r.PersonEmail());
        await audit.AppendAsync(input.Reference, input.At, known ? "identity-matched" : "identity-not-matched", "system",
            known
                ? "The confirmed address matches customer records (website account, CRM or contract)."
                : "The confirmed address matches no customer, supplier or contact record.");
        return known;
    }
}
