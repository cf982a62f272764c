using System.Globalization;
using System.Text;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Domain.Export;

/// <summary>
/// What each field a system returns is called in the copy a person reads (Art 12(1): concise, intelligible, clear and
/// plain language): <c>IpAddress</c> is "IP address", <c>LoginEmail</c> "Login email". The one table of labels; the HTML
/// and PDF copies show them, the JSON copy keeps the field names as keys and describes each with its label. A field with
/// no label here is shown as its name split into words (<see cref="Split"/>).
/// </summary>
public static class FieldLabels
{
    /// <summary>Labels by field name, for every system; a system's own labels (the data map's fields.labels) come first.</summary>
    private static readonly Dictionary<string, string> Common = new(StringComparer.Ordinal)
    {
        ["LoginEmail"] = "Login email",
        ["Email"] = "Email address",
        ["Name"] = "Name",
        ["Created"] = "Created on",
        ["At"] = "When",
        ["IpAddress"] = "IP address",
        ["OperatingSystem"] = "Operating system",
        ["Browser"] = "Browser",
        ["Company"] = "Company",
        ["Phone"] = "Phone number",
        ["Address"] = "Postal address",
        ["Role"] = "Role",
        ["Contract"] = "Contract number",
        ["Service"] = "Service",
        ["Product"] = "Product",
        ["Start"] = "Start date",
        ["End"] = "End date",
        ["LicenceKey"] = "Licence key",
        ["Expires"] = "Expiry date",
        ["ContactGiven"] = "Contact details given",
        ["Sent"] = "Sent on",
        ["About"] = "About",
        ["Consent"] = "Marketing consent",
        ["Given"] = "Consent given on",
        ["Asked"] = "Asked on",
        ["Rating"] = "Rating",
        ["Answer"] = "Your answer",
        ["Partner"] = "Partner",
        ["Shared"] = "What was shared",
        ["When"] = "When it was shared",
        ["Terms"] = "Terms of sharing",
    };

    /// <summary>The label of <paramref name="field"/> as <paramref name="system"/> returns it.</summary>
    public static string For(SystemDescriptor? system, string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return system is not null && system.FieldLabels.TryGetValue(field, out var own) ? own
            : Common.TryGetValue(field, out var label) ? label
            : Split(field);
    }

    /// <summary>
    /// A field name as words, for a field the table has no label for: PascalCase, camelCase, snake_case and kebab-case
    /// are split, the first word keeps its capital and the rest are lower case, except acronyms and numbers, which stay
    /// whole: <c>LastLoginAt</c> "Last login at", <c>HTTPReferrer</c> "HTTP referrer", <c>Address2</c> "Address 2".
    /// </summary>
    public static string Split(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var words = new List<string>();
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            if (word.Length > 0)
            {
                var prev = name[i - 1];
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var startsWord =
                    (char.IsUpper(c) && char.IsLower(prev)) // loginEmail: E
                    || (char.IsUpper(c) && char.IsUpper(prev) && char.IsLower(next)) // HTTPReferrer: R
                    || (char.IsDigit(c) != char.IsDigit(prev)); // Address2, 2Factor
                if (startsWord)
                {
                    Flush();
                }
            }

            word.Append(c);
        }

        Flush();
        if (words.Count == 0)
        {
            return name;
        }

        static bool IsAcronym(string w) => w.Length > 1 && w.All(ch => char.IsUpper(ch) || char.IsDigit(ch));
        var shown = words.Select((w, i) => IsAcronym(w) ? w
            : i == 0 ? char.ToUpper(w[0], CultureInfo.InvariantCulture) + w[1..].ToLowerInvariant()
            : w.ToLowerInvariant());
        return string.Join(' ', shown);
    }
}
