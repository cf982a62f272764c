using System.Text.Json;
using Azure.Data.Tables;

namespace JmlDsr.Functions.Storage;

/// <summary>One field change a staff member decided on a rectification request: apply it, or refuse it with a reason.</summary>
public sealed record ChangeDecision(string Field, string NewValue, bool Apply, string? RefusalReason);

/// <summary>
/// Staff's decision on an objection to processing other than marketing (Art 21(1)): stop it, show compelling legitimate
/// grounds (recorded, and told to the person), or treat it as an objection to direct marketing after all.
/// </summary>
/// <param name="Outcome">"stop", "grounds" or "marketing".</param>
/// <param name="Grounds">The compelling legitimate grounds, for "grounds".</param>
public sealed record ObjectionDecision(string Outcome, string? Grounds);

/// <summary>
/// What a decision carries beyond its action: the third-party terms to redact (access), the field changes
/// (rectification), the requester's answer (clarification). Personal data, so it is kept in the Decisions
/// table and the orchestration only sees the step it belongs to.
/// </summary>
public sealed record DecisionDetails(IReadOnlyList<string> Redactions, IReadOnlyList<ChangeDecision> Changes, string? Answer)
{
    public static DecisionDetails None { get; } = new([], [], null);

    /// <summary>
    /// Texts staff chose to redact by hand (also in <see cref="Redactions"/>, which the copy applies), and why: the reason
    /// is recorded in the audit with who decided (Art 5(2)).
    /// </summary>
    public IReadOnlyList<string> ManualRedactions { get; init; } = [];

    /// <summary>Why staff redacted <see cref="ManualRedactions"/> by hand.</summary>
    public string? ManualRedactionReason { get; init; }

    /// <summary>On an objection to other processing (Art 21(1)): what staff decided.</summary>
    public ObjectionDecision? Objection { get; init; }
}

/// <summary>The Decisions table: PartitionKey = reference, RowKey = step. Written before the event is raised.</summary>
public sealed class DecisionStore(DsrStorage storage)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TableClient Table => storage.Table(DsrStorage.DecisionsTable);

    public async Task SaveAsync(string reference, string step, DecisionDetails details, CancellationToken ct = default) =>
        await Table.UpsertEntityAsync(new TableEntity(reference, step) { ["Json"] = JsonSerializer.Serialize(details, Json) }, TableUpdateMode.Replace, ct);

    public async Task<DecisionDetails> GetAsync(string reference, string step, CancellationToken ct = default)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(reference, step, cancellationToken: ct);
        return row.HasValue && row.Value!.GetString("Json") is { } json
            ? JsonSerializer.Deserialize<DecisionDetails>(json, Json) ?? DecisionDetails.None
            : DecisionDetails.None;
    }
}
