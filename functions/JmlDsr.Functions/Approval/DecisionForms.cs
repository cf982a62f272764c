using System.Globalization;
using System.Text;
using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.Approval;

/// <summary>
/// The parts of a decision beyond its button, shared by the email-link page and the staff console so both
/// take the same decision the same way: on approving an access request, the other people's information to
/// redact (Art 15(4)); on approving a rectification, each field change to apply or refuse with a reason
/// (Art 16, Art 12(4)); the requester's answer to a request for clarification.
/// </summary>
public sealed class DecisionForms(RequestRepository requests, DsrStorage storage)
{
    public const int MaxChanges = 20;
    private const int MaxRecordsScanned = 2000;
    private const int MaxText = 2000;
    private const int MaxRedaction = 200;
    private const int MaxManualRedactions = 20;

    /// <summary>Extra inputs for <paramref name="action"/> on the request, as HTML to put inside that action's form.</summary>
    public async Task<string> ExtraFieldsAsync(string reference, string action, CancellationToken ct = default)
    {
        if (action != LinkActions.Approve || await requests.GetAsync(reference, ct) is not { } r)
        {
            return string.Empty;
        }

        return RequestTypes.FromWire(r.Type) switch
        {
            RequestType.Access => await RedactionsAsync(r, ct),
            RequestType.Rectification => await ChangesAsync(r, ct),
            RequestType.Objection => ObjectionFields(r),
            _ => string.Empty,
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

    private async Task<string> RedactionsAsync(RequestRecord r, CancellationToken ct)
    {
        // The requester's own identifying values are theirs (Art 15): only other people's data is proposed (Art 15(4)).
        var proposer = new RedactionProposer(r.PersonEmail(), r.SubjectName ?? r.RequesterName);
        foreach (var system in SystemCatalog.All)
        {
            await foreach (var record in RecordsAsync(r.RowKey, system.Id, ct))
            {
                proposer.Add(system.Id, record);
            }
        }

        var candidates = proposer.Proposals();
        var html = new StringBuilder("<fieldset class=\"redactions\"><legend>Other people's information to redact from the copy (Art 15(4))</legend>");
        if (candidates.Count == 0)
        {
            html.Append("<p>No other person's name, email address or phone number was found in the records.</p>");
        }
        else
        {
            html.Append("<p>Found in the requester's records. The requester's own name, email, phone and address are theirs and are not listed. Ticked items are replaced by “").Append(E(ThirdPartyRedactor.Marker)).Append("” in the copy they receive.</p>");
            for (var i = 0; i < candidates.Count; i++)
            {
                var c = candidates[i];
                html.Append(CultureInfo.InvariantCulture, $"<div><input type=\"checkbox\" id=\"redact-{i}\" name=\"redact\" value=\"{E(c.Text)}\" checked> ")
                    .Append(CultureInfo.InvariantCulture, $"<label for=\"redact-{i}\" style=\"display:inline;font-weight:normal\">{E(c.Text)} ({E(c.Kind)}: {E(c.Reason)})</label></div>");
            }
        }

        html.Append(CultureInfo.InvariantCulture, $"<p><label for=\"redact_manual\">Anything else to redact by hand (one text per line; every occurrence is replaced)</label><textarea id=\"redact_manual\" name=\"redact_manual\" rows=\"3\" maxlength=\"{MaxManualRedactions * (MaxRedaction + 1)}\"></textarea></p>")
            .Append(CultureInfo.InvariantCulture, $"<p><label for=\"redact_manual_reason\">Why (needed for redactions by hand; recorded with the decision)</label><input id=\"redact_manual_reason\" name=\"redact_manual_reason\" maxlength=\"{MaxText}\"></p>");
        return html.Append("</fieldset>").ToString();
    }

    private static string ObjectionFields(RequestRecord r)
    {
        var html = new StringBuilder("<fieldset class=\"objection\"><legend>Objection (Art 21): how it is decided</legend>");
        html.Append("<p><strong>What the requester wrote:</strong></p><blockquote style=\"white-space:pre-line;border-left:4px solid #c8c8c8;margin:0;padding:.2rem .8rem\">")
            .Append(E(string.IsNullOrWhiteSpace(r.Details) ? r.Subject ?? "—" : r.Details)).Append("</blockquote>")
            .Append("<p>Read as an objection to ").Append(r.ObjectionScope == Domain.Requests.ObjectionScope.Marketing ? "direct marketing" : "processing other than marketing")
            .Append(". Processing on legitimate interests stops unless you can show compelling legitimate grounds that override the requester's interests, rights and freedoms, or it is needed for legal claims (Art 21(1)).</p>");
        foreach (var (value, label) in new[]
        {
            (ObjectionChoices.Stop, "Stop the processing: no compelling grounds"),
            (ObjectionChoices.Grounds, "Compelling legitimate grounds: the processing continues (write them below)"),
            (ObjectionChoices.Marketing, "It is an objection to direct marketing: stop all marketing (Art 21(3))"),
        })
        {
            html.Append(CultureInfo.InvariantCulture, $"<div><input type=\"radio\" id=\"objection-{value}\" name=\"objection_outcome\" value=\"{value}\"{(value == ObjectionChoices.Stop ? " checked" : string.Empty)}> <label for=\"objection-{value}\" style=\"display:inline;font-weight:normal\">{E(label)}</label></div>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p><label for=\"objection_grounds\">The compelling legitimate grounds (the requester is told them)</label><textarea id=\"objection_grounds\" name=\"objection_grounds\" rows=\"4\" maxlength=\"{MaxText}\"></textarea></p>");
        return html.Append("</fieldset>").ToString();
    }

    private async Task<string> ChangesAsync(RequestRecord r, CancellationToken ct)
    {
        // Every field held about the person, with the values each system holds: staff turn the request into changes.
        var fields = new SortedDictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var system in SystemCatalog.All)
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

        var html = new StringBuilder("<fieldset class=\"changes\"><legend>Corrections (Art 16): decide each one</legend>");
        html.Append("<p><strong>What the requester wrote:</strong></p><blockquote style=\"white-space:pre-line;border-left:4px solid #c8c8c8;margin:0;padding:.2rem .8rem\">")
            .Append(E(string.IsNullOrWhiteSpace(r.Details) ? r.Subject ?? "—" : r.Details)).Append("</blockquote>");
        html.Append("<p>Each change you apply is made in every system that holds the field, and every partner who received it is told (Art 19). A refused change needs a reason the requester will see.</p>");
        html.Append("<table><thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Held now</th><th scope=\"col\">Decision</th><th scope=\"col\">Corrected value</th><th scope=\"col\">Reason if refused</th></tr></thead><tbody>");
        var i = 0;
        foreach (var (field, values) in fields.Take(MaxChanges))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{E(field)}<input type=\"hidden\" name=\"field_{i}\" value=\"{E(field)}\"></th>")
                .Append("<td>").Append(string.Join("<br>", values.Select(E))).Append("</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><label for=\"decision_{i}\" class=\"sr-only\" style=\"position:absolute;left:-9999px\">Decision for {E(field)}</label><select id=\"decision_{i}\" name=\"decision_{i}\"><option value=\"none\">No change</option><option value=\"apply\">Apply</option><option value=\"refuse\">Refuse</option></select></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><label for=\"value_{i}\" style=\"position:absolute;left:-9999px\">Corrected {E(field)}</label><input id=\"value_{i}\" name=\"value_{i}\" maxlength=\"{MaxText}\"></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><label for=\"refusal_{i}\" style=\"position:absolute;left:-9999px\">Why the change to {E(field)} is refused</label><input id=\"refusal_{i}\" name=\"refusal_{i}\" maxlength=\"{MaxText}\"></td></tr>");
            i++;
        }

        return html.Append("</tbody></table></fieldset>").ToString();
    }

    /// <summary>What the system returned, up to <see cref="MaxRecordsScanned"/> records: enough to decide on, cheap to render.</summary>
    private IAsyncEnumerable<PersonalRecord> RecordsAsync(string reference, string systemId, CancellationToken ct) =>
        GatheredBlob.RecordsOfAsync(storage.Container(DsrStorage.GatheredContainer), reference, systemId, ct).Take(MaxRecordsScanned);
}
