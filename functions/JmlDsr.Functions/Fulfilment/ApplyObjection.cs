using JmlDsr.Functions.Connectors;
using System.Globalization;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>What an objection did, for the case file: the outcome, the systems, and staff's compelling grounds if they showed any.</summary>
public sealed record ObjectionRecord(string Outcome, IReadOnlyList<string> Systems, DateTimeOffset At, string? Grounds = null);

/// <summary>
/// Which objection the request makes (Art 21): what staff set, else <see cref="ObjectionScope"/>'s reading of the wording,
/// recorded on the request so that the console shows it and a restart reads the same. Returns only the scope.
/// </summary>
public sealed class DecideObjectionScope(RequestRepository requests, AuditLog audit) : IDsrActivity<ObjectionScopeInput, string>
{
    [Function(nameof(DecideObjectionScope))]
    public Task<string> Run([ActivityTrigger] ObjectionScopeInput input) => RunAsync(input);

    public async Task<string> RunAsync(ObjectionScopeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        if (ObjectionScope.IsValid(r.ObjectionScope))
        {
            return r.ObjectionScope!;
        }

        var reading = ObjectionScope.Of(r.Subject, r.Details);
        await requests.UpdateAsync(input.Reference, x => x.ObjectionScope ??= reading.Scope);
        await audit.AppendAsync(input.Reference, input.At, "objection-scope", "system", $"Objection read as {(reading.Scope == ObjectionScope.Marketing ? "to direct marketing" : "to other processing")}: {reading.Reason}.");
        return reading.Scope;
    }
}

/// <summary>
/// Carries out an objection (Art 21). To direct marketing (no decision, <see cref="ObjectionFulfilment.MarketingStep"/>, or
/// staff chose "marketing"): every marketing and product notice row in the communications system is suppressed, the consent
/// withdrawn, the CRM contact marked "never market", and the address goes on the suppression list (Art 21(3)). To other
/// processing, as staff decided: "stop" flags each system that processes on legitimate interests (Art 21(1)); "grounds"
/// changes nothing and records the compelling legitimate grounds. Idempotent: upserts and merges.
/// </summary>
public sealed class ApplyObjection(RequestRepository requests, DecisionStore decisions, SystemWriter writer, RightsEvidence evidence, AuditLog audit)
    : IDsrActivity<RightsInput, ObjectionResult>
{
    public const string Evidence = "objection";
    public const string ObjectionField = "Objection";

    [Function(nameof(ApplyObjection))]
    public Task<ObjectionResult> Run([ActivityTrigger] RightsInput input) => RunAsync(input);

    public async Task<ObjectionResult> RunAsync(RightsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var decision = input.DecisionStep == ObjectionFulfilment.MarketingStep ? null : (await decisions.GetAsync(input.Reference, input.DecisionStep)).Objection;
        var outcome = decision?.Outcome switch
        {
            ObjectionChoices.Marketing => ObjectionOutcomes.MarketingStopped,
            ObjectionChoices.Stop => ObjectionOutcomes.ProcessingStopped,
            ObjectionChoices.Grounds => ObjectionOutcomes.GroundsShown,
            _ => input.DecisionStep == ObjectionFulfilment.MarketingStep || r.ObjectionScope == ObjectionScope.Marketing
                ? ObjectionOutcomes.MarketingStopped
                : ObjectionOutcomes.ProcessingStopped,
        };

        var since = input.At.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var systems = outcome switch
        {
            ObjectionOutcomes.MarketingStopped => await StopMarketingAsync(r.PersonEmail(), input.Reference, since, input.At),
            ObjectionOutcomes.ProcessingStopped => await StopLegitimateInterestsAsync(r.PersonEmail(), input.Reference, since),
            _ => [],
        };

        await evidence.WriteOnceAsync(input.Reference, Evidence, new ObjectionRecord(outcome, systems, input.At, outcome == ObjectionOutcomes.GroundsShown ? decision?.Grounds : null));
        var detail = outcome switch
        {
            ObjectionOutcomes.MarketingStopped =>
                $"Objection to direct marketing (Art 21(2)-(3)) carried out{(decision is null ? " without a staff decision" : string.Empty)}: marketing and product notices stopped in {Names(systems)}; the address is on the suppression list (hash only).",
            ObjectionOutcomes.ProcessingStopped =>
                $"Objection upheld (Art 21(1)): no compelling legitimate grounds; processing on legitimate interests stopped in {Names(systems)}.",
            _ => $"Objection answered with compelling legitimate grounds (Art 21(1)); processing continues. Grounds: {decision?.Grounds}",
        };
        await audit.AppendAsync(input.Reference, input.At, $"objection-{outcome}", "system", detail);
        return new ObjectionResult(outcome, systems);
    }

    private async Task<IReadOnlyList<string>> StopMarketingAsync(string email, string reference, string since, DateTimeOffset at)
    {
        await writer.SuppressMarketingAsync(email, at);
        var changed = new List<string>();
        foreach (var system in writer.Map.Systems)
        {
            var marketing = system.Has(SystemRoles.Marketing);
            if (!marketing && system.ObjectionMark.Count == 0)
            {
                continue;
            }

            var rows = (await writer.RowsAsync(system.Id, email)).Where(x => x.RowKey is not (SystemWriter.RestrictionRow or SystemWriter.ObjectionRow)).ToList();
            foreach (var row in rows)
            {
                var fields = MarkTemplate.Fill(system.ObjectionMark, since, reference);
                if (marketing && row.Record.Fields.ContainsKey("Consent"))
                {
                    fields["Consent"] = "withdrawn";
                    fields["Withdrawn"] = since;
                }

                if (fields.Count > 0)
                {
                    await writer.MarkAsync(row, MarkPurposes.Objection, fields);
                }
            }

            if (marketing && writer.HoldsFlags(system.Id))
            {
                // The marketing system keeps the objection even when it holds nothing else about the person yet.
                await writer.SetFlagAsync(system.Id, email, SystemWriter.ObjectionRow, new Dictionary<string, string?>
                {
                    ["Category"] = "objection to direct marketing",
                    ["Marketing"] = "stopped",
                    ["Since"] = since,
                    ["Reference"] = reference,
                    ["Basis"] = "UK GDPR Art 21(2)-(3): never again, by any channel, including profiling for marketing",
                });
            }

            if (marketing || rows.Count > 0)
            {
                changed.Add(system.Id);
            }
        }

        return changed;
    }

    /// <summary>Art 21(1): each system that processes the person's data on legitimate interests (Art 6(1)(f)) is flagged.</summary>
    private async Task<IReadOnlyList<string>> StopLegitimateInterestsAsync(string email, string reference, string since)
    {
        var changed = new List<string>();
        foreach (var system in writer.Map.Systems.Where(s => s.LawfulBasis.Contains("6(1)(f)", StringComparison.Ordinal) && !s.Has(SystemRoles.Disclosures)))
        {
            var rows = await writer.RowsAsync(system.Id, email);
            if (rows.Count == 0)
            {
                continue;
            }

            changed.Add(system.Id);
            var flag = new Dictionary<string, string?>
            {
                ["Category"] = "objection to processing",
                [ObjectionField] = "upheld",
                ["Since"] = since,
                ["Reference"] = reference,
                ["Stopped"] = "processing based on legitimate interests (UK GDPR Art 6(1)(f), Art 21(1)); other lawful bases and legal claims unaffected",
            };
            if (writer.HoldsFlags(system.Id))
            {
                await writer.SetFlagAsync(system.Id, email, SystemWriter.ObjectionRow, flag);
            }
            else
            {
                foreach (var row in rows)
                {
                    await writer.MarkAsync(row, MarkPurposes.Objection, new Dictionary<string, string?> { [ObjectionField] = $"upheld on {since} ({reference}): {flag["Stopped"]}" });
                }
            }
        }

        return changed;
    }

    private static string Names(IReadOnlyList<string> systems) => systems.Count == 0 ? "no system" : string.Join(", ", systems);
}
