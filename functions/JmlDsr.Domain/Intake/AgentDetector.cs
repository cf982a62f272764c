using System.Text;
using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Intake;

/// <summary>Someone writing for another person: what they appear to be, and the words that show it.</summary>
/// <param name="Kind">"solicitor", "relative" or "representative".</param>
public sealed record AgentClaim(string Kind, string Reason);

/// <summary>
/// Recognises a request made on someone else's behalf — a solicitor for a client, a relative for a parent, a colleague for a
/// business contact. The ICO: a third party may make a request for someone, but JML must be satisfied they are entitled to act
/// (written authority, a power of attorney) before responding to them; the data subject's own identity still matters.
/// Bounded like the classifier: a prefix of the text, NonBacktracking patterns only.
/// </summary>
public static class AgentDetector
{
    public const string Solicitor = "solicitor";
    public const string Relative = "relative";
    public const string Representative = "representative";

    private const int MaxChars = 20_000;
    private const RegexOptions Opts = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private const string Family = @"(mother|father|mum|mom|dad|son|daughter|wife|husband|partner|brother|sister|grandmother|grandfather|gran|grandma|grandad|granddad|nan|aunt|uncle|child|children|parent|parents|stepmother|stepfather|mother-in-law|father-in-law|niece|nephew|cousin|late\s+(mother|father|mum|dad|husband|wife|son|daughter|brother|sister))";

    private static readonly (string Kind, Regex Pattern, string Label)[] Rules =
    [
        (Solicitor, new(@"\bmy\s+clients?\b|\b(on\s+behalf\s+of|for)\s+our\s+clients?\b|\b(we|i)\s+(act|are\s+acting|am\s+acting)\s+(for|on\s+behalf\s+of)\b|\b(we|i)\s+represent\s+(mr|mrs|ms|miss|mx|dr|our\s+client|my\s+client)\b|\b(letter|form)\s+of\s+authority\b|\bsigned\s+(client\s+)?authority\b|\binstructed\s+(by|to\s+act)\b", Opts), "writes for a client"),
        (Relative, new(@"\b(on\s+behalf\s+of|for)\s+my\s+" + Family + @"\b|\bmy\s+" + Family + @"s\s+(personal\s+)?(data|information|details|account|records?|file)\b|\b(lasting\s+|enduring\s+)?power\s+of\s+attorney\b|\b(her|his|their)\s+(attorney|deputy|executor|guardian)\b|\bi\s+am\s+(her|his|their)\s+(carer|attorney|deputy|executor|guardian)\b", Opts), "writes for a relative or someone they care for"),
        (Relative, new(@"\bcourt\s+of\s+protection\b|\bparental\s+responsibility\s+for\b|\b(i\s+am|im)\s+(his|her|their)\s+(mother|father|mum|dad|parent|guardian|next\s+of\s+kin)\b", Opts), "writes as a parent, guardian or court-appointed deputy"),
        (Representative, new(@"\bon\s+behalf\s+of\s+(my\s+|our\s+)?(colleague|employee|member\s+of\s+staff|staff\s+member|director|manager|boss|customer|tenant|member)\b|\bon\s+behalf\s+of\s+(mr|mrs|ms|miss|mx|dr)\s+\w+|\bauthority\s+to\s+(act|release\s+(the\s+)?information)\s+(for|on\s+behalf\s+of|to)\b", Opts), "writes for someone else"),
    ];

    /// <summary>"I am writing on behalf of Sarah Jones": someone named, not the sender themself or their company.</summary>
    private static readonly Regex OnBehalfOfSomeone = new(@"\b(writing|acting|making\s+this\s+request|requesting|request\s+this)\s+on\s+behalf\s+of\s+([a-z]+)\s+([a-z]+)", Opts);

    private static readonly HashSet<string> NotSomeoneElse = new(StringComparer.Ordinal)
    {
        "myself", "me", "my", "our", "the", "a", "an", "this", "jml", "your", "us", "all", "both", "company", "business", "organisation", "organization", "firm",
    };

    /// <summary>The agent claim the text makes, or null when the sender writes for themself.</summary>
    public static AgentClaim? Detect(string? subject, string? body)
    {
        var text = Normalise((subject ?? string.Empty) + "\n" + Prefix(body));
        foreach (var (kind, pattern, label) in Rules)
        {
            if (pattern.IsMatch(text))
            {
                return new AgentClaim(kind, label);
            }
        }

        foreach (Match m in OnBehalfOfSomeone.Matches(text))
        {
            if (!NotSomeoneElse.Contains(m.Groups[2].Value))
            {
                return new AgentClaim(Representative, "writes on behalf of someone they name");
            }
        }

        return null;
    }

    private static string Prefix(string? body) => string.IsNullOrEmpty(body) ? string.Empty : body.Length <= MaxChars ? body : body[..MaxChars];

    /// <summary>Lower case, apostrophes dropped ("mother's" -> "mothers"), quoted reply lines dropped, whitespace folded.</summary>
    private static string Normalise(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var line in value.Split('\n'))
        {
            if (line.TrimStart().StartsWith('>'))
            {
                continue;
            }

            var lastSpace = sb.Length > 0 && sb[^1] == ' ';
            foreach (var c in line)
            {
                if (c is '\'' or '\u2019' or '\u2018' or '`')
                {
                    continue;
                }

                var ch = char.IsWhiteSpace(c) || c is ',' or '.' or ';' or ':' or '(' or ')' or '"' ? ' ' : char.ToLowerInvariant(c);
                if (ch == ' ' && lastSpace)
                {
                    continue;
                }

                sb.Append(ch);
                lastSpace = ch == ' ';
            }

            if (!lastSpace)
            {
                sb.Append(' ');
            }
        }

        return sb.ToString();
    }
}
