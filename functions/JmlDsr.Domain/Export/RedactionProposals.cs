using JmlDsr.Domain.Gathering;

namespace JmlDsr.Domain.Export;

/// <summary>One item the approval page proposes to redact from the copy, with where it was found and why.</summary>
/// <param name="Text">The text as it appears.</param>
/// <param name="Kind">"name", "email" or "phone".</param>
/// <param name="Reason">Why it is proposed (the law, and that it was found in free text where it was).</param>
/// <param name="SystemId">The system whose record holds it.</param>
/// <param name="Field">The record's field.</param>
public sealed record RedactionProposal(string Text, string Kind, string Reason, string SystemId, string Field);

/// <summary>
/// Builds the approval page's redaction proposals (Art 15(4)) from the records gathered about the requester, so that
/// their own data is never proposed: the right of access is to their own data (Art 15(1), (3)), and Art 15(4) protects
/// only <em>others</em>. The values that identify the requester are collected from their own rows — the fields each
/// system declares as <see cref="SystemDescriptor.IdentifyingFields"/> (their name, email, phone, address in their own
/// account or contact) — and those fields are not scanned. Every other field is scanned, free text (feedback answers,
/// notes, <see cref="SystemDescriptor.FreeTextFields"/>) above all; what is found there is proposed unless it is one of
/// the requester's own values (their own phone number in their feedback stays). Feed it records in any order with
/// <see cref="Add"/>, then read <see cref="Proposals"/>: the own values are known only once every record was seen.
/// </summary>
public sealed class RedactionProposer
{
    private readonly string _email;
    private readonly string? _name;
    private readonly HashSet<string> _ownEmails = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _ownPhones = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ownNameWords = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _ownValues = [];
    private readonly List<RedactionProposal> _found = [];

    public RedactionProposer(string requesterEmail, string? requesterName)
    {
        _email = requesterEmail?.Trim() ?? string.Empty;
        _name = requesterName;
        if (_email.Length > 0)
        {
            _ownEmails.Add(_email);
        }

        if (!string.IsNullOrWhiteSpace(requesterName))
        {
            _ownNameWords.UnionWith(ThirdPartyRedactor.NameWords(requesterName));
        }
    }

    /// <summary>One record of one system about the requester.</summary>
    public void Add(SystemDescriptor? system, string systemId, PersonalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        foreach (var (field, value) in record.Fields)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (system is not null && system.IdentifyingFields.Contains(field, StringComparer.OrdinalIgnoreCase))
            {
                Own(field, value);
                continue;
            }

            var freeText = system is not null && system.FreeTextFields.Contains(field, StringComparer.OrdinalIgnoreCase);
            foreach (var c in ThirdPartyRedactor.Find(value, _email, _name))
            {
                var where = freeText ? $"Found in free text ({system!.Name}, {field})" : $"Found in {system?.Name ?? systemId}, {field}";
                _found.Add(new RedactionProposal(c.Text, c.Kind, $"{where}. {c.Reason}", systemId, field));
            }
        }
    }

    /// <summary>What to propose: other people's data only, deduplicated (case-insensitive), in the order found.</summary>
    public IReadOnlyList<RedactionProposal> Proposals()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return [.. _found.Where(p => !IsOwn(p) && seen.Add(p.Text))];
    }

    /// <summary>True when the text is one of the requester's own identifying values (as the redactor would read it).</summary>
    public bool IsOwn(RedactionProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var text = proposal.Text.Trim();
        if (_ownValues.Exists(v => v.Contains(text, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return proposal.Kind switch
        {
            ThirdPartyRedactor.EmailKind => _ownEmails.Contains(text),
            ThirdPartyRedactor.PhoneKind => _ownPhones.Contains(ThirdPartyRedactor.NationalDigits(text)),
            ThirdPartyRedactor.NameKind => ThirdPartyRedactor.NameWords(text).ToList() is { Count: > 0 } words && words.TrueForAll(_ownNameWords.Contains),
            _ => false,
        };
    }

    private void Own(string field, string value)
    {
        _ownValues.Add(value.Trim());
        if (field.EndsWith("Name", StringComparison.OrdinalIgnoreCase))
        {
            _ownNameWords.UnionWith(ThirdPartyRedactor.NameWords(value));
        }

        // Whatever the redactor would flag in the person's own identifying fields is the person's: their emails, phones, names.
        foreach (var c in ThirdPartyRedactor.Find(value, string.Empty, null))
        {
            switch (c.Kind)
            {
                case ThirdPartyRedactor.EmailKind:
                    _ownEmails.Add(c.Text);
                    break;
                case ThirdPartyRedactor.PhoneKind:
                    _ownPhones.Add(ThirdPartyRedactor.NationalDigits(c.Text));
                    break;
                case ThirdPartyRedactor.NameKind:
                    _ownNameWords.UnionWith(ThirdPartyRedactor.NameWords(c.Text));
                    break;
            }
        }

        if (ThirdPartyRedactor.NationalDigits(value) is { Length: >= 10 } digits && value.All(ch => char.IsAsciiDigit(ch) || ch is ' ' or '-' or '+' or '(' or ')'))
        {
            _ownPhones.Add(digits);
        }
    }
}
