using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Retention;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Proof of one system's erasure: hashes, categories and outcomes, never the erased values.</summary>
public sealed record ErasureProof(string SystemId, int Round, DateTimeOffset At, DateOnly? ContractClaimsUntil, bool LegalHold, IReadOnlyList<ErasureProofRecord> Records, IReadOnlyList<ErasureLineResult> Lines);

public sealed record ErasureProofRecord(string Sha256, string Category, string Outcome, string Rule, DateOnly? RetainUntil);

/// <summary>
/// What one system's erasure will do, decided and written before the first row is touched: each record by a hash of its
/// key and of its content, with its outcome. A retry after a crash carries out the same plan, so the proof always
/// accounts for every record that was there, even those a first attempt already erased.
/// </summary>
public sealed record ErasurePlan(string SystemId, int Round, DateTimeOffset At, DateOnly? ContractClaimsUntil, bool LegalHold, IReadOnlyList<PlannedErasure> Records);

public sealed record PlannedErasure(string RowKeySha256, string Sha256, string Category, string Outcome, string Rule, string Reason, DateOnly? RetainUntil);

/// <summary>
/// Art 17: erases or anonymises what one system holds about the person, unless a retention rule keeps it
/// (Art 17(3)(b) legal obligation, (e) legal claims, or a legal hold); kept data is flagged restricted
/// (Art 18(1)) with the date its retention ends. The plan (every record's hash and outcome) goes to
/// evidence/{ref}/erasure-plan-{round}-{system}.json before the first delete; the result per category, and a SHA-256 of
/// each record, to evidence/{ref}/erasure-{round}-{system}.json. Idempotent: a retry carries out the stored plan (rows it
/// already erased are simply gone) and returns the result the plan gives; a second erasure finds only retained data,
/// which it keeps.
/// </summary>
public sealed class EraseFromSystem(RequestRepository requests, SystemWriter writer, RightsEvidence evidence, AuditLog audit) : IDsrActivity<EraseInput, EraseResult>
{
    [Function(nameof(EraseFromSystem))]
    public Task<EraseResult> Run([ActivityTrigger] EraseInput input) => RunAsync(input);

    public static string EvidenceName(int round, string systemId) => string.Create(CultureInfo.InvariantCulture, $"erasure-{round}-{systemId}");

    public static string PlanName(int round, string systemId) => string.Create(CultureInfo.InvariantCulture, $"erasure-plan-{round}-{systemId}");

    public async Task<EraseResult> RunAsync(EraseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = EvidenceName(input.Round, input.SystemId);
        if (await evidence.ReadAsync<ErasureProof>(input.Reference, name) is { } done)
        {
            return new EraseResult(input.SystemId, input.Round, done.Lines);
        }

        var email = (await requests.GetRequiredAsync(input.Reference)).PersonEmail();
        var planName = PlanName(input.Round, input.SystemId);
        var plan = await evidence.ReadAsync<ErasurePlan>(input.Reference, planName)
            ?? await evidence.WriteOnceAsync(input.Reference, planName, await PlanAsync(input, email));

        var system = writer.Map.Describe(input.SystemId);
        var planned = plan.Records.ToDictionary(p => p.RowKeySha256, StringComparer.Ordinal);
        foreach (var row in await writer.RowsAsync(input.SystemId, email))
        {
            // A row the plan does not name arrived after it was made: the next erasure decides it.
            if (!planned.TryGetValue(RecordFingerprint.Value(row.Id), out var p))
            {
                continue;
            }

            switch (p.Outcome)
            {
                case ErasureOutcomes.Erased:
                    await writer.DeleteAsync(row);
                    break;
                case ErasureOutcomes.Anonymised:
                    await writer.AnonymiseAsync(row, RetentionRules.Anonymise(system, row.Record, email), AnonymousKey(input.Reference, input.SystemId, row.Id));
                    break;
                default:
                    // Kept only for the rule's purpose: restricted until it is erased on schedule (Art 18(1)(c), Art 17(3)).
                    await writer.RetainAsync(row, p.Rule, p.RetainUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "until the legal hold is lifted");
                    break;
            }
        }

        var result = plan.Records.GroupBy(p => (p.Category, p.Outcome, p.Reason, p.RetainUntil))
            .Select(g => new ErasureLineResult(input.SystemId, g.Key.Category, g.Count(), g.Key.Outcome, g.Key.Reason, g.Key.RetainUntil)).ToList();
        var proof = new ErasureProof(input.SystemId, input.Round, plan.At, plan.ContractClaimsUntil, plan.LegalHold,
            plan.Records.Select(p => new ErasureProofRecord(p.Sha256, p.Category, p.Outcome, p.Rule, p.RetainUntil)).ToList(), result);
        var stored = await evidence.WriteOnceAsync(input.Reference, name, proof);
        await audit.AppendAsync(input.Reference, input.At, $"erasure-{input.Round}-{input.SystemId}", "system",
            $"{system.Name}: {Sum(stored.Lines, ErasureOutcomes.Erased)} erased, {Sum(stored.Lines, ErasureOutcomes.Anonymised)} anonymised, {Sum(stored.Lines, ErasureOutcomes.Retained)} retained (record hashes in evidence/{RightsEvidence.Name(input.Reference, name)}).");
        return new EraseResult(input.SystemId, input.Round, stored.Lines);
    }

    /// <summary>Decides every record the system holds for the person now, by the retention rules, before anything is changed.</summary>
    private async Task<ErasurePlan> PlanAsync(EraseInput input, string email)
    {
        var today = StatutoryClock.UkDate(input.At);
        // The claims period runs from the person's contracts, in every system the data map says holds contracts.
        var contracts = new List<PersonRow>();
        foreach (var holder in writer.Map.WithRole(SystemRoles.Contracts))
        {
            contracts.AddRange(await writer.RowsAsync(holder.Id, email));
        }

        var system = writer.Map.Describe(input.SystemId);
        var (held, holdReason) = await writer.LegalHoldAsync(email);
        var facts = new RetentionFacts(today, RetentionRules.ContractClaimsUntil(contracts.Select(c => c.Record), today), held, holdReason);
        var records = new List<PlannedErasure>();
        foreach (var row in await writer.RowsAsync(input.SystemId, email))
        {
            var decision = RetentionRules.Decide(system, row.Record, facts);
            var outcome = decision.Outcome switch
            {
                ErasureOutcome.Erased => ErasureOutcomes.Erased,
                ErasureOutcome.Anonymised => ErasureOutcomes.Anonymised,
                _ => ErasureOutcomes.Retained,
            };
            records.Add(new PlannedErasure(RecordFingerprint.Value(row.Id), RecordFingerprint.Hash(input.SystemId, row.Record), row.Record.Category, outcome, decision.Rule, decision.Reason, decision.RetainUntil));
        }

        return new ErasurePlan(input.SystemId, input.Round, input.At, facts.ContractClaimsUntil, held, records);
    }

    private static int Sum(IEnumerable<ErasureLineResult> lines, string outcome) => lines.Where(l => l.Outcome == outcome).Sum(l => l.Count);

    /// <summary>A key for the anonymised row that cannot be traced back to the person without the request's own records.</summary>
    private static string AnonymousKey(string reference, string systemId, string rowKey) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{reference}|{systemId}|{rowKey}")))[..32].ToLowerInvariant();
}
