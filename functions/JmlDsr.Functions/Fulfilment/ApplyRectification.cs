using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Art 16: applies each change staff approved in every system that holds that field, and records each refused
/// change with its reason. The plan (with the old values) is written before anything changes, so a retry after
/// a crash applies the same plan and reports the same old values.
/// </summary>
public sealed class ApplyRectification(RequestRepository requests, DecisionStore decisions, SystemWriter writer, RightsEvidence evidence, AuditLog audit)
    : IDsrActivity<RightsInput, RightsResult>
{
    public const string Evidence = "rectification";

    [Function(nameof(ApplyRectification))]
    public Task<RightsResult> Run([ActivityTrigger] RightsInput input) => RunAsync(input);

    public async Task<RightsResult> RunAsync(RightsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var plan = await evidence.ReadAsync<RectificationRecord>(input.Reference, Evidence)
            ?? await evidence.WriteOnceAsync(input.Reference, Evidence, await PlanAsync(r.PersonEmail(), await decisions.GetAsync(input.Reference, input.DecisionStep)));

        foreach (var change in plan.Applied)
        {
            foreach (var row in await writer.RowsAsync(change.SystemId, r.PersonEmail()))
            {
                if (FieldName(row.Record, change.Field) is { } name && row.Record.Fields[name] != change.NewValue
                    && writer.Map.Describe(change.SystemId).RightsFor(row.Record.Category).Rectification == RectificationActions.Update)
                {
                    await writer.RectifyAsync(row, name, change.NewValue);
                }
            }
        }

        var systems = plan.Applied.Select(c => c.SystemId).Distinct().ToList();
        await audit.AppendAsync(input.Reference, input.At, "rectification-applied", "system",
            $"Rectification (Art 16): {plan.Applied.Count} field change(s) applied in {string.Join(", ", systems.DefaultIfEmpty("no system"))}; {plan.Refused.Count} refused with reasons.");
        return new RightsResult(systems, plan.Applied.Count, plan.Refused.Count);
    }

    /// <summary>Each approved change becomes one change per system that holds the field (with the value it holds now).</summary>
    private async Task<RectificationRecord> PlanAsync(string email, DecisionDetails details)
    {
        var applied = new List<FieldChange>();
        var refused = new List<RefusedChange>();
        foreach (var change in details.Changes)
        {
            if (!change.Apply)
            {
                refused.Add(new RefusedChange(new FieldChange(string.Empty, "—", change.Field, null, change.NewValue), change.RefusalReason ?? "No reason was recorded."));
                continue;
            }

            var found = false;
            var kept = new List<string>();
            var byHand = new List<string>();
            foreach (var system in writer.Map.Systems)
            {
                foreach (var row in await writer.RowsAsync(system.Id, email))
                {
                    if (FieldName(row.Record, change.Field) is { } name)
                    {
                        if (!writer.CanRectify(system.Id, name) && system.RightsFor(row.Record.Category).Rectification != RectificationActions.Refuse)
                        {
                            // The connector has no statement that corrects this field: staff correct it there, and the record says so.
                            if (!byHand.Contains(system.Name))
                            {
                                byHand.Add(system.Name);
                            }

                            continue;
                        }

                        if (system.RightsFor(row.Record.Category).Rectification == RectificationActions.Refuse)
                        {
                            // A record of what happened (a disclosure, an invoice): it stays as it was, and the person is told why.
                            if (!kept.Contains(system.Name))
                            {
                                kept.Add(system.Name);
                            }

                            continue;
                        }

                        found = true;
                        var old = row.Record.Fields[name];
                        if (!applied.Any(a => a.SystemId == system.Id && a.Field == name && a.OldValue == old))
                        {
                            applied.Add(new FieldChange(system.Id, system.Name, name, old, change.NewValue));
                        }
                    }
                }
            }

            if (kept.Count > 0)
            {
                refused.Add(new RefusedChange(new FieldChange(string.Empty, string.Join(", ", kept), change.Field, null, change.NewValue),
                    $"{string.Join(" and ", kept)} keep{(kept.Count == 1 ? "s" : string.Empty)} a record of what happened at the time, so this is left as it was recorded; where we hold this information elsewhere, it has been corrected."));
            }

            if (byHand.Count > 0)
            {
                refused.Add(new RefusedChange(new FieldChange(string.Empty, string.Join(", ", byHand), change.Field, null, change.NewValue),
                    $"{string.Join(" and ", byHand)} cannot be corrected by this service: the privacy team must correct it there by hand."));
            }

            if (!found && kept.Count == 0 && byHand.Count == 0)
            {
                refused.Add(new RefusedChange(new FieldChange(string.Empty, "—", change.Field, null, change.NewValue), "We do not hold this information about you in any system, so there was nothing to correct."));
            }
        }

        return new RectificationRecord(applied, refused);
    }

    private static string? FieldName(PersonalRecord record, string field) =>
        record.Fields.Keys.FirstOrDefault(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase));
}
