using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Export;

/// <summary>Something in the person's free text that may be another person's personal data.</summary>
/// <param name="Text">The text as it appears.</param>
/// <param name="Kind">"name", "email" or "phone".</param>
/// <param name="Reason">Why it is proposed for redaction, citing the law.</param>
public sealed record RedactionCandidate(string Text, string Kind, string Reason);

/// <summary>
/// Finds and removes other people's personal data from the copy given to the person. Art 15(4): the right to
/// a copy must not adversely affect the rights and freedoms of others; DPA 2018 Sch 2 para 16: JML need not
/// disclose information identifying another individual unless they consent or it is reasonable to disclose
/// without consent. The candidates are proposals for staff to confirm, not a final decision: the ICO expects
/// the balance to be struck case by case.
/// </summary>
public static partial class ThirdPartyRedactor
{
    public const string Marker = "[redacted: another person's information]";

    public const string NameKind = "name";
    public const string EmailKind = "email";
    public const string PhoneKind = "phone";

    private const string Law = "UK GDPR Art 15(4); DPA 2018 Sch 2 para 16";

    private static readonly FrozenSet<string> Titles =
        new[] { "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Capitalised words that follow a given name but make it a place, an organisation, a product or a date
    /// rather than a person ("Victoria Road", "Jordan Hosting Ltd", "Grace Support Team").
    /// </summary>
    private static readonly FrozenSet<string> NotNameWords = new[]
    {
        "Street", "Road", "Lane", "Avenue", "Close", "Way", "Drive", "Court", "Crescent", "Place", "Square", "Gardens",
        "Grove", "Park", "Hill", "Terrace", "Walk", "Row", "Mews", "Green", "Parade", "Yard", "Wharf", "Quay", "Bridge",
        "Station", "House", "Hall", "Centre", "Center", "Building", "Tower", "Estate", "Hotel", "Church", "Airport",
        "Cathedral", "Museum", "Library", "Theatre", "Hospital", "School", "College", "University", "Council",
        "Ltd", "Limited", "Plc", "Llp", "Inc", "Co", "Company", "Group", "Holdings", "Services", "Service", "Solutions",
        "Software", "Systems", "Analytics", "Hosting", "Partners", "Partnership", "Consulting", "Associates", "Trust",
        "Foundation", "Bank", "International", "Global", "Digital", "Technologies", "Technology", "Media", "Studio",
        "Studios", "Shop", "Store", "Market", "Pro", "Professional", "Plus", "Premium", "Enterprise", "Edition", "Cloud",
        "Ledger", "Payroll", "Trial", "Support", "Team", "Desk", "Helpdesk", "Department", "Sales", "Accounts",
        "Marketing", "Feedback", "Implementation", "Day",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Shared mailboxes are not a person's data: support@, privacy@ and the like are left in.</summary>
    private static readonly FrozenSet<string> RoleMailboxes = new[]
    {
        "info", "enquiries", "enquiry", "support", "sales", "privacy", "dpo", "admin", "accounts", "billing", "help",
        "helpdesk", "hello", "contact", "noreply", "no-reply", "office", "service", "customerservice", "marketing",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>About 300 common UK given names, shipped as data in the assembly.</summary>
    internal static FrozenSet<string> GivenNames { get; } = LoadGivenNames();

    /// <summary>
    /// Other people's personal data in the person's free text: email addresses other than theirs (shared
    /// role mailboxes aside), UK phone numbers, and names — two or three capitalised words starting with a
    /// common given name, or one to three after Mr, Mrs, Ms, Miss, Mx or Dr. The person's own name and email
    /// are not flagged. Deduplicated (case-insensitive), in order of first appearance.
    /// </summary>
    public static IReadOnlyList<RedactionCandidate> Find(string? text, string subjectEmail, string? subjectName)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var subjectWords = string.IsNullOrWhiteSpace(subjectName)
            ? FrozenSet<string>.Empty
            : Word().Matches(subjectName).Select(m => m.Value).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

        // Emails first, then phones, then names: a later kind never overlaps an earlier one.
        var found = new List<(int Start, int Length, RedactionCandidate Candidate)>();

        foreach (Match m in Email().Matches(text))
        {
            var local = m.Value[..m.Value.IndexOf('@', StringComparison.Ordinal)];
            if (!string.Equals(m.Value, subjectEmail?.Trim(), StringComparison.OrdinalIgnoreCase) && !RoleMailboxes.Contains(local))
            {
                found.Add((m.Index, m.Length, new RedactionCandidate(m.Value, EmailKind, $"Another person's email address ({Law}).")));
            }
        }

        foreach (Match m in Phone().Matches(text))
        {
            var value = m.Value.TrimEnd(' ', '\t', '-');
            var start = m.Index;
            if (value.StartsWith('(') && !value.Contains(')', StringComparison.Ordinal))
            {
                // "(07700 900123, ..." : the bracket opens the aside, not an area code.
                value = value[1..];
                start++;
            }

            if (IsUkNumber(value) && !Overlaps(found, start, value.Length))
            {
                found.Add((start, value.Length, new RedactionCandidate(value, PhoneKind, $"A telephone number that may be another person's ({Law}).")));
            }
        }

        foreach (var (start, length) in Names(text, subjectWords))
        {
            if (!Overlaps(found, start, length))
            {
                found.Add((start, length, new RedactionCandidate(text.Substring(start, length), NameKind, $"The name of another person ({Law}).")));
            }
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return [.. found.OrderBy(f => f.Start).Select(f => f.Candidate).Where(c => seen.Add(c.Text))];
    }

    /// <summary>
    /// Replaces every occurrence (ordinal, case-insensitive) of each term with <see cref="Marker"/>. Where
    /// terms overlap the longer, earlier one wins; text inside a marker is never matched again. Null or empty
    /// text is returned as it is.
    /// </summary>
    public static string? Redact(string? text, IEnumerable<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var hits = new List<(int Start, int Length)>();
        foreach (var term in terms)
        {
            if (string.IsNullOrEmpty(term))
            {
                continue;
            }

            for (var at = text.IndexOf(term, StringComparison.OrdinalIgnoreCase); at >= 0;
                 at = at + term.Length < text.Length ? text.IndexOf(term, at + term.Length, StringComparison.OrdinalIgnoreCase) : -1)
            {
                hits.Add((at, term.Length));
            }
        }

        if (hits.Count == 0)
        {
            return text;
        }

        hits.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var (start, length) in hits)
        {
            if (start < position)
            {
                continue; // inside a span already replaced
            }

            result.Append(text, position, start - position).Append(Marker);
            position = start + length;
        }

        return result.Append(text, position, text.Length - position).ToString();
    }

    private static IEnumerable<(int Start, int Length)> Names(string text, FrozenSet<string> subjectWords)
    {
        var words = Word().Matches(text);
        var i = 0;
        while (i < words.Count)
        {
            var first = words[i];
            var isTitle = Titles.Contains(first.Value);
            if (!isTitle && !GivenNames.Contains(first.Value))
            {
                i++;
                continue;
            }

            // The capitalised words that follow, on the same line, until one that is not part of a name.
            var last = i;
            while (last + 1 < words.Count && last - i < 3
                   && Adjacent(text, words[last], words[last + 1], allowDot: last == i && isTitle)
                   && !NotNameWords.Contains(words[last + 1].Value) && !Titles.Contains(words[last + 1].Value))
            {
                last++;
            }

            // A title with a name (Mr Smith), or a given name with one or two more (Tom Baker, Mary Jane Smith).
            var maxWords = isTitle ? 4 : 3;
            last = Math.Min(last, i + maxWords - 1);
            if (last == i)
            {
                i++;
                continue;
            }

            var nameWords = Enumerable.Range(isTitle ? i + 1 : i, last - (isTitle ? i : i - 1)).Select(k => words[k].Value);
            if (!nameWords.All(subjectWords.Contains))
            {
                yield return (first.Index, words[last].Index + words[last].Length - first.Index);
            }

            i = last + 1;
        }
    }

    /// <summary>Two words are part of one name when only spaces (or a title's full stop) separate them.</summary>
    private static bool Adjacent(string text, Match left, Match right, bool allowDot)
    {
        var gap = text.AsSpan(left.Index + left.Length, right.Index - left.Index - left.Length);
        if (allowDot && gap.Length > 0 && gap[0] == '.')
        {
            gap = gap[1..];
        }

        if (gap.Length == 0)
        {
            return false;
        }

        foreach (var c in gap)
        {
            if (c is not (' ' or '\t' or '\u00A0'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>UK numbers: 10 or 11 digits nationally, starting 01, 02, 03, 05, 07 or 08 (Ofcom's numbering plan).</summary>
    private static bool IsUkNumber(string value)
    {
        var digits = NationalDigits(value);
        return digits.Length is 10 or 11 && digits[0] == '0' && digits[1] is '1' or '2' or '3' or '5' or '7' or '8';
    }

    /// <summary>A phone number's digits in national form: "+44 (0)113 496 0555" and "0113-496-0555" are both "01134960555".</summary>
    internal static string NationalDigits(string value)
    {
        var digits = new string([.. value.Where(char.IsAsciiDigit)]);
        if (value.TrimStart().StartsWith('+') && digits.Length > 2)
        {
            digits = "0" + digits[2..]; // +44 (0)20 ... -> 020 ...
            if (value.Contains("(0)", StringComparison.Ordinal) && digits.Length > 2)
            {
                digits = "0" + digits[2..];
            }
        }

        return digits;
    }

    /// <summary>The words of a name, without titles ("Mrs. Smith" -> Smith).</summary>
    internal static IEnumerable<string> NameWords(string text) =>
        Word().Matches(text).Select(m => m.Value).Where(w => !Titles.Contains(w));

    private static bool Overlaps(List<(int Start, int Length, RedactionCandidate Candidate)> found, int start, int length) =>
        found.Exists(f => start < f.Start + f.Length && f.Start < start + length);

    private static FrozenSet<string> LoadGivenNames()
    {
        using var stream = typeof(ThirdPartyRedactor).Assembly.GetManifestResourceStream("JmlDsr.Domain.UkGivenNames.txt")
            ?? throw new InvalidOperationException("The shipped list of given names is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var names = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var name = line.Trim();
            if (name.Length > 0 && name[0] != '#')
            {
                names.Add(name);
            }
        }

        return names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>A capitalised word: Baker, McDonald, O'Brien, Smith-Jones (not JML, not an all-capitals code).</summary>
    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?:\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?|\p{Lu}['’]\p{Lu}\p{Ll}+)(?:-\p{Lu}\p{Ll}+)*(?![\p{L}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<![\w.%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![\d+])(?:\+44[ \t-]?(?:\(0\)[ \t-]?)?|\(?0)(?:\d\)?[ \t-]?){8,9}\d(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
