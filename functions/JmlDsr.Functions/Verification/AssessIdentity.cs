using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Verification;

/// <summary>
/// Decides, in proportion (Art 12(6)), what to ask the requester before acting — nothing, a confirmation from their mailbox,
/// another address or number, or an agent's authority — and records the reason on the request and in its audit trail.
/// </summary>
public sealed class AssessIdentity(RequestRepository requests, SystemConnector connector, AuditLog audit) : IDsrActivity<AssessIdentityInput, IdentityPlan>
{
    [Function(nameof(AssessIdentity))]
    public Task<IdentityPlan> Run([ActivityTrigger] AssessIdentityInput input) => RunAsync(input);

    public async Task<IdentityPlan> RunAsync(AssessIdentityInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var known = await connector.IsKnownAsync(r.PersonEmail());
        // Only mail that SendGrid authenticated, aligned with its From, and whose From is the requester counts: not a forward
        // from a colleague, a web form's Reply-To, or a request staff logged from a call or letter.
        var authenticated = r.Channel == "email" && r.RequesterAuthenticated == true;
        var assessment = IdentityCheck.Assess(authenticated, known, r.AgentKind is not null && r.AuthorityAcceptedBy is null, input.StaffReason);
        await requests.UpdateAsync(input.Reference, x =>
        {
            x.IdentityNeed = assessment.Wire;
            x.IdentityReason = assessment.Reason;
        });
        await audit.AppendAsync(input.Reference, input.At, input.StaffReason is null ? "identity-assessed" : "identity-asked-by-staff", "system", $"Identity ({assessment.Wire}): {assessment.Reason}");
        return new IdentityPlan(assessment.Wire, r.PrimaryReference is null, r.LinkedReferences());
    }
}
