using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Pages;
using Microsoft.AspNetCore.Http;

namespace JmlDsr.Functions.Approval;

/// <summary>
/// The parts of a decision beyond its button, shared by the email-link page and the staff console so both
/// take the same decision the same way: on approving an access request, the other people's information to
/// redact (Art 15(4)); on approving a rectification, each field change to apply or refuse with a reason
/// (Art 16, Art 12(4)); the requester's answer to a request for clarification.
/// </summary>
public sealed class DecisionForms(RequestRepository requests, DsrStorage storage, DataMap map)
{
    /// <summary>The data map the forms are drawn from.</summary>
    public DataMap Map => map;

    public const int MaxChanges = 20;
    private const int MaxRecordsScanned = 2000;
    private const int MaxText = 2000;
    private const int MaxRedaction = 200;
    private const int MaxManualRedactions = 20;

    /// <summary>What <paramref name="action"/> asks on the request (read once by the caller) beyond its button, for the form to draw; null when nothing.</summary>
    public async Task<DecisionExtra?> ExtraAsync(RequestRecord? r, string action, CancellationToken ct = default)
    {
        if (action != LinkActions.Approve || r is null)
        {
            return null;
        }

        return RequestTypes.FromWire(r.Type) switch
        {
            RequestType.Access => await RedactionsAsync(r, ct),
            RequestType.Rectification => await ChangesAsync(r, ct),
            RequestType.Objection => new ObjectionOffer(RequesterWrote(r), r.ObjectionScope == ObjectionScope.Marketing, MaxText),
            _ => null,
        };
    }

    /// <summary>What the form says beyond action and reason; an error message when it does not make a decision.</summary>
    public async Task<(DecisionDetails Details, string? Error)> ParseAsync(string reference, string action, IFormCollection form, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (action is LinkActions.Answer or LinkActions.Respond)
        {
            // The requester's answer to a clarification, or a complaint's outcome (DPA 2018 s 164A): kept out of history.
            return (new DecisionDetails([], [], reason), null);
        }

        if (action != LinkActions.Approve || await requests.GetAsync(reference, ct) is not { } r)
        {
            return (DecisionDetails.None, null);
        }

        var type = RequestTypes.FromWire(r.Type);
        if (type == RequestType.Access)
        {
            var redact = form["redact"].Select(v => v?.Trim() ?? string.Empty).Where(v => v.Length > 0 && v.Length <= MaxRedaction).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var manual = form["redact_manual"].ToString().Split('\n').Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var why = form["redact_manual_reason"].ToString().Trim();
            if (manual.Count == 0)
            {
                return (new DecisionDetails(redact, [], null), null);
            }

            if (manual.Count > MaxManualRedactions || manual.Exists(m => m.Length > MaxRedaction))
            {
                return (DecisionDetails.None, $"Redact at most {MaxManualRedactions} texts by hand, each up to {MaxRedaction} characters.");
            }

            if (why.Length == 0 || why.Length > MaxText)
            {
                return (DecisionDetails.None, "Give the reason for the text you redact by hand: it is recorded with the decision.");
            }

            return (new DecisionDetails([.. redact.Union(manual, StringComparer.OrdinalIgnoreCase)], [], null) { ManualRedactions = manual, ManualRedactionReason = why }, null);
        }

        if (type == RequestType.Objection)
        {
            // Art 21(1): stop the processing, or show compelling legitimate grounds (told to the requester, Art 12(4)); or
            // it is an objection to direct marketing after all, which always succeeds (Art 21(3)).
            var outcome = form["objection_outcome"].ToString();
            var grounds = form["objection_grounds"].ToString().Trim();
            if (outcome is not (ObjectionChoices.Stop or ObjectionChoices.Grounds or ObjectionChoices.Marketing))
            {
                return (DecisionDetails.None, "Choose how the objection is decided: stop the processing, compelling legitimate grounds, or an objection to direct marketing.");
            }

            if (outcome == ObjectionChoices.Grounds && (grounds.Length == 0 || grounds.Length > MaxText))
            {
                return (DecisionDetails.None, "Write the compelling legitimate grounds that override the requester's interests, rights and freedoms: they are told them (Art 21(1), Art 12(4)).");
            }

            return (new DecisionDetails([], [], null) { Objection = new ObjectionDecision(outcome, outcome == ObjectionChoices.Grounds ? grounds : null) }, null);
        }

        if (type != RequestType.Rectification)
        {
            return (DecisionDetails.None, null);
        }

        var changes = new List<ChangeDecision>();
        for (var i = 0; i < MaxChanges; i++)
        {
            var field = form[$"field_{i}"].ToString().Trim();
            var choice = form[$"decision_{i}"].ToString();
            if (field.Length == 0 || choice is not ("apply" or "refuse"))
            {
                continue;
            }

            var value = form[$"value_{i}"].ToString().Trim();
            var why = form[$"refusal_{i}"].ToString().Trim();
            if (choice == "apply" && (value.Length == 0 || value.Length > MaxText))
            {
                return (DecisionDetails.None, $"Give the corrected value for {field}, or choose “no change”.");
            }

            if (choice == "refuse" && (why.Length == 0 || why.Length > MaxText))
            {
                return (DecisionDetails.None, $"Give the reason for refusing the change to {field}: the requester will be told it (Art 12(4)).");
            }

            changes.Add(new ChangeDecision(field, value, choice == "apply", choice == "refuse" ? why : null));
        }

        return changes.Count == 0
            ? (DecisionDetails.None, "Choose at least one field to correct or refuse: a rectification is approved change by change (Art 16).")
            : (new DecisionDetails([], changes, null), null);
    }

    private async Task<RedactionOffer> RedactionsAsync(RequestRecord r, CancellationToken ct)
    {
        // The requester's own identifying values are theirs (Art 15): only other people's data is proposed (Art 15(4)).
        var proposer = new RedactionProposer(r.PersonEmail(), r.SubjectName ?? r.RequesterName);
        foreach (var system in map.Systems)
        {
            await foreach (var record in RecordsAsync(r.RowKey, system.Id, ct))
            {
                proposer.Add(system, system.Id, record);
            }
        }

        var proposed = proposer.Proposals().Select(c => new RedactionChoice(c.Text, c.Kind, c.Reason)).ToList();
        return new RedactionOffer(proposed, ThirdPartyRedactor.Marker, MaxManualRedactions * (MaxRedaction + 1), MaxText);
    }

    private async Task<CorrectionOffer> ChangesAsync(RequestRecord r, CancellationToken ct)
    {
        // Every field held about the person, with the values each system holds: staff turn the request into changes.
        var fields = new SortedDictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var system in map.Systems)
        {
            await foreach (var record in RecordsAsync(r.RowKey, system.Id, ct))
            {
                foreach (var (k, v) in record.Fields)
                {
                    if (!fields.TryGetValue(k, out var list))
                    {
                        fields[k] = list = [];
                    }

                    var shown = $"{system.Name}: {v}";
                    if (list.Count < 4 && !list.Contains(shown))
                    {
                        list.Add(shown);
                    }
                }
            }
        }

        return new CorrectionOffer(RequesterWrote(r), [.. fields.Take(MaxChanges).Select(f => new HeldField(f.Key, f.Value))], MaxText);
    }

    private static string RequesterWrote(RequestRecord r) => string.IsNullOrWhiteSpace(r.Details) ? r.Subject ?? "—" : r.Details;

    /// <summary>What the system returned, up to <see cref="MaxRecordsScanned"/> records: enough to decide on, cheap to render.</summary>
    private IAsyncEnumerable<PersonalRecord> RecordsAsync(string reference, string systemId, CancellationToken ct) =>
        GatheredBlob.RecordsOfAsync(storage.Container(DsrStorage.GatheredContainer), reference, systemId, ct).Take(MaxRecordsScanned);
}
