using System.Globalization;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Art 18: the person goes on the restriction register (marketing and product notices check it and stop),
/// every system that holds their data gets a restriction flag, and the CRM contact shows the restriction.
/// Storage continues (Art 18(2)). Idempotent: flags are upserts.
/// </summary>
public sealed class ApplyRestriction(RequestRepository requests, SystemWriter writer, RightsEvidence evidence, AuditLog audit)
    : IDsrActivity<RightsInput, RightsResult>
{
    public const string Evidence = "restriction";
    public const string CrmField = "Restriction";
    public const string SuppressionField = "MarketingSuppressed";

    [Function(nameof(ApplyRestriction))]
    public Task<RightsResult> Run([ActivityTrigger] RightsInput input) => RunAsync(input);

    public async Task<RightsResult> RunAsync(RightsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var email = r.PersonEmail();
        await writer.SetRestrictedAsync(email, input.Reference, restricted: true, input.At);
        var since = input.At.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var systems = new List<string>();
        foreach (var system in SystemCatalog.All)
        {
            var rows = await writer.RowsAsync(system.Id, email);
            if (rows.Count == 0)
            {
                continue;
            }

            systems.Add(system.Id);
            await writer.SetFieldsAsync(system.Id, email, SystemWriter.RestrictionRow, new Dictionary<string, string?>
            {
                ["Category"] = "restriction of processing",
                ["Restricted"] = "yes",
                ["Since"] = since,
                ["Reference"] = input.Reference,
                ["Allowed"] = "storage; legal claims; with consent; protecting another person; important public interest (Art 18(2))",
            });
            foreach (var row in rows.Where(x => x.RowKey != SystemWriter.RestrictionRow))
            {
                if (system.Id == SystemCatalog.Crm)
                {
                    await writer.SetFieldsAsync(system.Id, email, row.RowKey, new Dictionary<string, string?> { [CrmField] = $"Restricted since {since} (UK GDPR Art 18, {input.Reference}): do not use except to store" });
                }
                else if (system.Id == SystemCatalog.Communications)
                {
                    await writer.SetFieldsAsync(system.Id, email, row.RowKey, new Dictionary<string, string?> { [SuppressionField] = "yes" });
                }
            }
        }

        await evidence.WriteOnceAsync(input.Reference, Evidence, new RestrictionRecord(systems, input.At));
        await audit.AppendAsync(input.Reference, input.At, "restriction-applied", "system",
            $"Restriction (Art 18) flagged in {systems.Count} system(s): {string.Join(", ", systems.DefaultIfEmpty("none"))}; on the restriction register, so marketing and product notices stop.");
        return new RightsResult(systems, systems.Count, 0);
    }
}

/// <summary>Lifts a restriction after the requester was told (Art 18(3)): flags removed, register cleared, CRM updated.</summary>
public sealed class LiftRestriction(RequestRepository requests, SystemWriter writer, AuditLog audit) : IDsrActivity<RightsInput, RightsResult>
{
    [Function(nameof(LiftRestriction))]
    public Task<RightsResult> Run([ActivityTrigger] RightsInput input) => RunAsync(input);

    public async Task<RightsResult> RunAsync(RightsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var email = r.PersonEmail();
        var systems = new List<string>();
        foreach (var system in SystemCatalog.All)
        {
            var rows = await writer.RowsAsync(system.Id, email);
            if (rows.Count == 0)
            {
                continue;
            }

            systems.Add(system.Id);
            await writer.DeleteAsync(system.Id, email, SystemWriter.RestrictionRow);
            foreach (var row in rows.Where(x => x.RowKey != SystemWriter.RestrictionRow))
            {
                await writer.RemoveFieldsAsync(system.Id, email, row.RowKey, [ApplyRestriction.CrmField, ApplyRestriction.SuppressionField]);
            }
        }

        await writer.SetRestrictedAsync(email, input.Reference, restricted: false, input.At);
        await audit.AppendAsync(input.Reference, input.At, "restriction-lifted", "system", $"Restriction lifted in {systems.Count} system(s) after the requester was told (Art 18(3)).");
        return new RightsResult(systems, systems.Count, 0);
    }
}
