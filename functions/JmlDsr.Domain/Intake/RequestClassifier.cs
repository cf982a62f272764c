using System.Text.RegularExpressions;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Intake;

/// <summary>The classifier's answer: the main right asked for, the others also mentioned, and why.</summary>
public sealed record Classification(RequestType Type, IReadOnlyList<RequestType> AlsoMentioned, string Reason);

/// <summary>
/// Recognises which right a free-text message exercises, or that it is a complaint (DPA 2018 s 164A). A request need not use legal words or name
/// an article (ICO: a request is valid in any wording, to anyone in the organisation), so the rules
/// look for what people actually write; anything unrecognised goes to staff rather than being dropped.
/// </summary>
public static partial class RequestClassifier
{
    private sealed record Rule(RequestType Type, int Weight, Regex Pattern, string Label);

    private const RegexOptions Opts = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled;

    private static readonly Rule[] Rules =
    [
        // Access (Art 15)
        new(RequestType.Access, 10, new(@"\b(data\s+)?subject\s+access\s+request\b|\bD?SAR\b", Opts), "names a subject access request"),
        new(RequestType.Access, 10, new(@"\bart(icle|\.)?\s*15\b|\bright\s+(of|to)\s+access\b", Opts), "cites the right of access"),
        new(RequestType.Access, 6, new(@"\b(a\s+)?cop(y|ies)\s+of\s+(all\s+)?(the\s+|my\s+|any\s+)?(personal\s+)?(data|information|info|details|records|file)", Opts), "asks for a copy of their data"),
        new(RequestType.Access, 6, new(@"\b(what|which|all( the)?|any)\s+(personal\s+)?(data|information|info|details)\s+(do\s+)?(you|jml)\s+(hold|have|keep|store|process|possess)", Opts), "asks what data is held"),
        new(RequestType.Access, 5, new(@"\b(see|access|obtain|receive|get|send\s+me|provide(\s+me\s+with)?)\s+(to\s+)?(all\s+)?(of\s+)?(the\s+|my\s+)(personal\s+)?(data|information|details|records|file)\b", Opts), "asks to see their data"),
        new(RequestType.Access, 4, new(@"\b(data|information)\s+(you|jml)\s+(hold|have|keep|store)\s+(on|about)\s+me\b", Opts), "refers to data held about them"),
        new(RequestType.Access, 3, new(@"\bexport\s+(of\s+)?my\s+(data|account)|\bdownload\s+(all\s+)?my\s+data\b", Opts), "asks for an export"),

        // Erasure (Art 17)
        new(RequestType.Erasure, 10, new(@"\bright\s+to\s+(be\s+forgotten|erasure)\b|\bart(icle|\.)?\s*17\b", Opts), "cites the right to erasure"),
        new(RequestType.Erasure, 7, new(@"\b(delete|erase|remove|wipe|destroy|purge)\s+(all\s+)?(of\s+)?(my|the|any)\s+(personal\s+)?(data|information|details|account|records|profile)", Opts), "asks for their data to be deleted"),
        new(RequestType.Erasure, 6, new(@"\b(my|all)\s+(personal\s+)?(data|information|details|account)\s+(to\s+be\s+|be\s+|is\s+)?(deleted|erased|removed|destroyed)\b", Opts), "asks for their data to be deleted"),
        new(RequestType.Erasure, 5, new(@"\b(erasure|deletion)\s+(request|of\s+my)\b|\bclose\s+(and\s+delete\s+)?my\s+account\b|\bforget\s+me\b", Opts), "asks for erasure"),
        new(RequestType.Erasure, 4, new(@"\bremove\s+me\s+from\s+(your|all)\s+(systems?|database|records|lists?)", Opts), "asks to be removed from the records"),

        // Rectification (Art 16)
        new(RequestType.Rectification, 10, new(@"\bright\s+to\s+rectification\b|\bart(icle|\.)?\s*16\b|\brectif(y|ication)\b", Opts), "cites the right to rectification"),
        new(RequestType.Rectification, 6, new(@"\b(correct|update|amend|change|fix)\s+(my|the)\s+(\w+\s+){0,2}(name|address|e-?mail|phone|number|details|date\s+of\s+birth|record|data|information|company|job\s+title|spelling)", Opts), "asks for their details to be corrected"),
        new(RequestType.Rectification, 5, new(@"\b(is|are|was|has\s+been)\s+(wrong|incorrect|inaccurate|out\s+of\s+date|misspelt|misspelled|outdated)\b|\binaccurate\s+(data|information|details)\b", Opts), "says their data is inaccurate"),
        new(RequestType.Rectification, 3, new(@"\b(should\s+(read|be)|instead\s+of)\b", Opts), "gives the right value"),

        // Restriction (Art 18)
        new(RequestType.Restriction, 10, new(@"\bright\s+to\s+restrict(ion)?\b|\bart(icle|\.)?\s*18\b|\brestrict(ion\s+of)?\s+(the\s+)?processing\b", Opts), "cites the right to restriction"),
        new(RequestType.Restriction, 7, new(@"\brestrict\s+(the\s+)?(use|processing)\s+of\s+my\b|\brestrict\s+my\s+(personal\s+)?(data|information)", Opts), "asks for restriction"),
        new(RequestType.Restriction, 5, new(@"\b(stop|cease|suspend|pause)\s+(using|processing)\s+(my|any\s+of\s+my)\s+(personal\s+)?(data|information|details)\b", Opts), "asks to stop using their data"),
        new(RequestType.Restriction, 4, new(@"\b(do\s+not|don'?t)\s+(use|process)\s+my\s+(personal\s+)?(data|information)\s+(while|until|whilst)\b", Opts), "asks to stop use while something is checked"),

        // Complaint (DPA 2018 s 164A): about how JML handled their data, often naming the request it is about. A
        // complaint outweighs the right it mentions ("I want to complain that you never answered my subject access
        // request"); a request that only warns it will go to the ICO stays the request, because a complaint *to the
        // ICO* is not one to JML and weighs little on its own.
        new(RequestType.Complaint, 12, new(@"\b(make|making|raise|raising|lodge|lodging|file|filing|submit|submitting|register|registering)\s+(a\s+|an\s+|my\s+)?(formal\s+|official\s+|data\s+protection\s+|privacy\s+)?complaint\b" + NotToTheIco + @"|\bformal\s+complaint\b" + NotToTheIco + @"|\b(want|wish|like|writing|write|need|have)\s+to\s+complain\b" + NotToTheIco + @"|\bI('m|\s+am)\s+complaining\b|\bthis\s+is\s+a\s+complaint\b", Opts), "says it is a complaint"),
        new(RequestType.Complaint, 8, new(@"\b(unhappy|not\s+happy|dissatisfied|not\s+satisfied|disappointed|upset|concerned|angry)\s+(with|about|by|at)\s+(how|the\s+way)\s+(you|jml|your\s+\w+)\s+(have\s+|has\s+)?(handled|dealt|processed|used|treated|managed|responded|shared|looked)", Opts), "is unhappy with how JML handled their data"),
        new(RequestType.Complaint, 5, new(@"\b(unhappy|not\s+happy|dissatisfied|not\s+satisfied)\s+with\s+(your|the|jml)\b", Opts), "is not happy with JML"),
        new(RequestType.Complaint, 4, new(@"\b(unhappy|not\s+happy|dissatisfied|not\s+satisfied|disappointed)\s+with\s+(your|the|jml'?s)\s+(response|reply|answer|handling|decision|refusal)\b", Opts), "is not happy with JML's response"),
        new(RequestType.Complaint, 8, new(@"\byou\s+(have\s+|still\s+)?(failed|neglected)\s+to\s+(respond|reply|answer|deal|comply|act|delete|erase|correct|send|provide|stop)\b|\byou\s+(have\s+)?(ignored|disregarded)\s+(my|our|the)\s+(request|email|e-mail|emails|letter|letters|sar|dsar|subject\s+access)|\b(never|still\s+not|still\s+haven'?t|still\s+have\s+not)\s+(been\s+)?(answered|responded|replied|heard\s+back)\b|\bwas\s+(never|not)\s+(answered|dealt\s+with)\b", Opts), "says JML failed to deal with a request"),
        new(RequestType.Complaint, 6, new(@"\b(breach(ed)?|infring(ed|ement)|violat(ed|ion))\s+(of\s+)?(my\s+)?(data\s+protection|gdpr|uk\s+gdpr|privacy|rights)\b|\byou\s+(shared|sold|passed\s+on|disclosed|leaked)\s+my\s+(personal\s+)?(data|information|details)\s+(without|to\s+a\s+third)", Opts), "alleges a breach of data protection law"),
        new(RequestType.Complaint, 4, new(@"\bcomplain(t|ts|ed|ing)?\b" + NotToTheIco, Opts), "mentions a complaint"),
        new(RequestType.Complaint, 4, new(@"\b(complain|complaint|report\s+(you|this|it|jml|your\s+company)|escalate\s+(this|it|the\s+matter)|refer\s+(this|it|the\s+matter))\s+(with|to)\s+(the\s+)?(ICO|Information\s+Commissioner)", Opts), "threatens to go to the ICO"),
    ];

    /// <summary>Not followed by "to/with the ICO": a complaint to the regulator is a warning, not a complaint to JML.</summary>
    private const string NotToTheIco = @"(?!\s+(with|to)\s+(the\s+)?(ICO|Information\s+Commissioner))";

    public static Classification Classify(string? subject, string? body)
    {
        var text = $"{subject}\n{StripQuotedReplies(body)}";
        var scores = new Dictionary<RequestType, (int Score, string Reason)>();
        foreach (var rule in Rules)
        {
            if (!rule.Pattern.IsMatch(text))
            {
                continue;
            }

            scores.TryGetValue(rule.Type, out var current);
            var reason = current.Score >= rule.Weight ? current.Reason : rule.Label;
            scores[rule.Type] = (current.Score + rule.Weight, reason);
        }

        // The subject line is where people usually name what they want: a hit there counts double.
        foreach (var rule in Rules.Where(r => r.Pattern.IsMatch(subject ?? string.Empty)))
        {
            var current = scores[rule.Type];
            scores[rule.Type] = (current.Score + rule.Weight, current.Reason);
        }

        var ranked = scores
            .Where(kv => kv.Value.Score >= 4)
            .OrderByDescending(kv => kv.Value.Score)
            .ThenBy(kv => kv.Key)
            .ToList();
        if (ranked.Count == 0)
        {
            return new Classification(RequestType.Unclassified, [], "no right recognised: staff to triage");
        }

        return new Classification(
            ranked[0].Key,
            ranked.Skip(1).Select(kv => kv.Key).ToList(),
            ranked[0].Value.Reason);
    }

    /// <summary>Drops lines quoted from earlier mail ("&gt; ...") so a reply is judged on what is new.</summary>
    private static string StripQuotedReplies(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return string.Empty;
        }

        var lines = body.Split('\n').Where(l => !l.TrimStart().StartsWith('>'));
        return string.Join('\n', lines);
    }
}
