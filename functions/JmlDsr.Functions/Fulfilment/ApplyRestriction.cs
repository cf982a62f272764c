using System.Globalization;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Connectors;
using JmlDsr.Functions.Gathering;
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
    /// <summary>The field a record carries when its system has no restriction mark of its own.</summary>
    public const string DefaultMarkField = "Restricted";

    /// <summary>The fields a restriction writes on a record: the system's restriction mark, {since} and {reference} filled in.</summary>
    public static IReadOnlyDictionary<string, string?> Marks(SystemDescriptor system, string since, string reference)
    {
        ArgumentNullException.ThrowIfNull(system);
        var mark = system.RestrictionMark.Count > 0 ? system.RestrictionMark : new Dictionary<string, string> { [DefaultMarkField] = "Restricted since {since} (UK GDPR Art 18, {reference})" };
        return MarkTemplate.Fill(mark, since, reference);
    }

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
        foreach (var system in writer.Map.Systems)
        {
            var rows = await writer.RowsAsync(system.Id, email);
            if (rows.Count == 0)
            {
                continue;
            }

            systems.Add(system.Id);
            var flags = writer.HoldsFlags(system.Id);
            if (flags)
            {
                await writer.SetFlagAsync(system.Id, email, SystemWriter.RestrictionRow, new Dictionary<string, string?>
                {
                    ["Category"] = Domain.Gathering.Recipients.RestrictionFlagCategory,
                    ["Restricted"] = "yes",
                    ["Since"] = since,
                    ["Reference"] = input.Reference,
                    ["Allowed"] = "storage; legal claims; with consent; protecting another person; important public interest (Art 18(2))",
                });
            }

            foreach (var row in rows.Where(x => x.RowKey != SystemWriter.RestrictionRow))
            {
                // Each record is marked where the data map says so, and always where the system cannot hold a flag.
                var action = system.RightsFor(row.Record.Category).Restriction;
                if (action == RestrictionActions.Mark || (!flags && action != RestrictionActions.None))
                {
                    await writer.MarkAsync(row, MarkPurposes.Restriction, Marks(system, since, input.Reference));
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
        foreach (var system in writer.Map.Systems)
        {
            var rows = await writer.RowsAsync(system.Id, email);
            if (rows.Count == 0)
            {
                continue;
            }

            systems.Add(system.Id);
            if (writer.HoldsFlags(system.Id))
            {
                await writer.DeleteFlagAsync(system.Id, email, SystemWriter.RestrictionRow);
            }

            var marks = ApplyRestriction.Marks(system, string.Empty, string.Empty).Keys.ToList();
            foreach (var row in rows.Where(x => x.RowKey != SystemWriter.RestrictionRow && (system.Connector.Kind != TableConnector.KindName || marks.Any(x.Record.Fields.ContainsKey))))
            {
                await writer.UnmarkAsync(row, MarkPurposes.Restriction, marks);
            }
        }

        await writer.SetRestrictedAsync(email, input.Reference, restricted: false, input.At);
        await audit.AppendAsync(input.Reference, input.At, "restriction-lifted", "system", $"Restriction lifted in {systems.Count} system(s) after the requester was told (Art 18(3)).");
        return new RightsResult(systems, systems.Count, 0);
    }
}
