using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Retention;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Proof of one system's erasure: hashes, categories and outcomes, never the erased values.</summary>
public sealed record ErasureProof(string SystemId, int Round, DateTimeOffset At, DateOnly? ContractClaimsUntil, bool LegalHold, IReadOnlyList<ErasureProofRecord> Records, IReadOnlyList<ErasureLineResult> Lines);

public sealed record ErasureProofRecord(string Sha256, string Category, string Outcome, string Rule, DateOnly? RetainUntil);

/// <summary>
/// Art 17: erases or anonymises what one system holds about the person, unless a retention rule keeps it
/// (Art 17(3)(b) legal obligation, (e) legal claims, or a legal hold); kept data is flagged restricted
/// (Art 18(1)) with the date its retention ends. The result per category, and a SHA-256 of each record, go to
/// evidence/{ref}/erasure-{round}-{system}.json. Idempotent: a retry returns the stored result, and a second
/// erasure finds only retained data, which it keeps.
/// </summary>
public sealed class EraseFromSystem(RequestRepository requests, SystemWriter writer, RightsEvidence evidence, AuditLog audit) : IDsrActivity<EraseInput, EraseResult>
{
    [Function(nameof(EraseFromSystem))]
    public Task<EraseResult> Run([ActivityTrigger] EraseInput input) => RunAsync(input);

    public static string EvidenceName(int round, string systemId) => string.Create(CultureInfo.InvariantCulture, $"erasure-{round}-{systemId}");

    public async Task<EraseResult> RunAsync(EraseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = EvidenceName(input.Round, input.SystemId);
        if (await evidence.ReadAsync<ErasureProof>(input.Reference, name) is { } done)
        {
            return new EraseResult(input.SystemId, input.Round, done.Lines);
        }

        var r = await requests.GetRequiredAsync(input.Reference);
        var email = r.RequesterEmail;
        var today = StatutoryClock.UkDate(input.At);
        var contracts = await writer.RowsAsync(SystemCatalog.Contracts, email);
        var (held, holdReason) = await writer.LegalHoldAsync(email);
        var facts = new RetentionFacts(today, RetentionRules.ContractClaimsUntil(contracts.Select(c => c.Record), today), held, holdReason);

        var proof = new List<ErasureProofRecord>();
        var lines = new Dictionary<(string Category, string Outcome, string Reason, DateOnly? Until), int>();
        foreach (var row in await writer.RowsAsync(input.SystemId, email))
        {
            var decision = RetentionRules.Decide(input.SystemId, row.Record, facts);
            var outcome = decision.Outcome switch
            {
                ErasureOutcome.Erased => ErasureOutcomes.Erased,
                ErasureOutcome.Anonymised => ErasureOutcomes.Anonymised,
                _ => ErasureOutcomes.Retained,
            };
            proof.Add(new ErasureProofRecord(RecordFingerprint.Hash(input.SystemId, row.Record), row.Record.Category, outcome, decision.Rule, decision.RetainUntil));
            var key = (row.Record.Category, outcome, decision.Reason, decision.RetainUntil);
            lines[key] = lines.GetValueOrDefault(key) + 1;

            switch (decision.Outcome)
            {
                case ErasureOutcome.Erased:
                    await writer.DeleteAsync(input.SystemId, email, row.RowKey);
                    break;
                case ErasureOutcome.Anonymised:
                    await writer.AnonymiseAsync(input.SystemId, email, row.RowKey, row.Record.Category, RetentionRules.Anonymise(input.SystemId, row.Record, email), AnonymousKey(input.Reference, input.SystemId, row.RowKey));
                    break;
                default:
                    // Kept only for the rule's purpose: restricted until it is erased on schedule (Art 18(1)(c), Art 17(3)).
                    await writer.SetFieldsAsync(input.SystemId, email, row.RowKey, new Dictionary<string, string?>
                    {
                        ["Restricted"] = "yes",
                        ["RetentionRule"] = decision.Rule,
                        ["RetainUntil"] = decision.RetainUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "until the legal hold is lifted",
                    });
                    break;
            }
        }

        var result = lines.Select(l => new ErasureLineResult(input.SystemId, l.Key.Category, l.Value, l.Key.Outcome, l.Key.Reason, l.Key.Until)).ToList();
        var stored = await evidence.WriteOnceAsync(input.Reference, name, new ErasureProof(input.SystemId, input.Round, input.At, facts.ContractClaimsUntil, held, proof, result));
        await audit.AppendAsync(input.Reference, input.At, $"erasure-{input.Round}-{input.SystemId}", "system",
            $"{SystemCatalog.Get(input.SystemId).Name}: {Sum(stored.Lines, ErasureOutcomes.Erased)} erased, {Sum(stored.Lines, ErasureOutcomes.Anonymised)} anonymised, {Sum(stored.Lines, ErasureOutcomes.Retained)} retained (record hashes in evidence/{RightsEvidence.Name(input.Reference, name)}).");
        return new EraseResult(input.SystemId, input.Round, stored.Lines);
    }

    private static int Sum(IEnumerable<ErasureLineResult> lines, string outcome) => lines.Where(l => l.Outcome == outcome).Sum(l => l.Count);

    /// <summary>A key for the anonymised row that cannot be traced back to the person without the request's own records.</summary>
    private static string AnonymousKey(string reference, string systemId, string rowKey) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{reference}|{systemId}|{rowKey}")))[..32].ToLowerInvariant();
}
