using System.Text;
using System.Text.RegularExpressions;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Intake;

/// <summary>The classifier's answer: the main right asked for, the others also mentioned, and why.</summary>
public sealed record Classification(RequestType Type, IReadOnlyList<RequestType> AlsoMentioned, string Reason)
{
    /// <summary>
    /// The other rights the message clearly exercises besides <see cref="Type"/> ("send me a copy, then delete it"): each is a
    /// request of its own (ICO: where a person mentions other rights, deal with each). Only when the main one is a right: a
    /// complaint that names the request it is about does not make that request again.
    /// </summary>
    public IReadOnlyList<RequestType> AlsoRequested { get; init; } = [];

    /// <summary>Every right the message exercises, the main one first.</summary>
    public IReadOnlyList<RequestType> Rights => Type.IsRight() ? [Type, .. AlsoRequested] : [];
}

/// <summary>
/// Recognises which right a free-text message exercises, or that it is a complaint (DPA 2018 s 164A). A request need not use legal words or name
/// an article (ICO: a request is valid in any wording, to anyone in the organisation), so the rules look for what people actually write —
/// measured against real letters and mails in tests/…/Intake/Corpus. Anything unrecognised, or ambiguous, goes to staff rather than being
/// dropped or guessed.
/// </summary>
/// <remarks>
/// The text is sender-controlled, so the work is bounded: only a prefix of the subject and of the body is read, and every pattern runs on
/// <see cref="RegexOptions.NonBacktracking"/> (linear in the input, no lookarounds or backreferences).
/// </remarks>
public static class RequestClassifier
{
    /// <summary>How much of the subject is read.</summary>
    public const int MaxSubjectChars = 500;

    /// <summary>How much of the body is read, after quoted reply lines are dropped.</summary>
    public const int MaxBodyChars = 20_000;

    /// <summary>How much raw body is scanned for quoted lines before the <see cref="MaxBodyChars"/> cut.</summary>
    private const int MaxRawBodyChars = 200_000;

    private const int Threshold = 4;

    /// <summary>A second right opens a request of its own only with this score, from at least one rule this strong.</summary>
    private const int SecondRightThreshold = 6;

    private const int SecondRightWeight = 6;

    /// <summary>A message that talks about what a product should let users do is not itself a request: only a strong signal counts then.</summary>
    private const int FeatureTalkThreshold = 12;

    private sealed record Rule(RequestType Type, int Weight, Regex Pattern, string Label);

    private const RegexOptions Opts = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private static Regex R(string pattern) => new(pattern, Opts);

    // Word classes shared by the rules (the text is normalised first: lower case, apostrophes dropped, "info" -> "information", ...).
    private const string Data = @"(personal\s+)?(data|information|details|records?|file|pii)";
    private const string DataOrAccount = @"(personal\s+)?(data|information|details|records?|file|account|profile|traces|pii)";
    private const string Field = @"(name|surname|first\s+name|last\s+name|address|email|email\s+address|phone|phone\s+number|number|details|date\s+of\s+birth|dob|record|records|data|information|company|job\s+title|title|spelling|affiliation|institution|listing|profile|postcode)";
    private const string Regulator = @"(the\s+)?(ico|information\s+commissioner(s)?(\s+office)?|supervisory\s+authority|data\s+protection\s+authority|responsible\s+supervisory\s+authority|cnil|regulator)";

    private static readonly Rule[] Rules =
    [
        // Access (Art 15)
        new(RequestType.Access, 10, R(@"\b(data\s+)?subject\s+access\s+request\b|\bd?sar\b|\bright\s+(of|to)\s+access\b|\bart(icle|\.)?\s*15\b"), "names a subject access request"),
        new(RequestType.Access, 8, R(@"\brequest(ing|s)?\s+(for\s+)?access\s+(to\s+)?(my\s+|the\s+|all\s+)?" + Data + @"|\b(request(ing)?|asking)\s+access\s+according\b"), "requests access to their data"),
        new(RequestType.Access, 6, R(@"\b(a\s+)?cop(y|ies)\s+of\s+(all\s+)?(of\s+)?(the\s+|my\s+|any\s+)?" + Data), "asks for a copy of their data"),
        new(RequestType.Access, 7, R(@"\b(supply|provide|send|give|forward|email|share)\s+(me\s+)?(with\s+)?(a\s+copy\s+of\s+)?(all\s+)?(of\s+)?(the\s+|my\s+|any\s+)?" + Data + @"\s+(that\s+|which\s+)?(you|jml|your\s+(company|organisation|organization))\s+(\w+\s+)?(hold|have|store|keep|process|possess)"), "asks for the data held about them"),
        new(RequestType.Access, 6, R(@"\b(what|which|all(\s+the)?|any)\s+(personal\s+)?(data|information|details)\s+(do\s+|does\s+)?(you|jml|your\s+company)\s+(hold|have|keep|store|process|possess)"), "asks what data is held"),
        new(RequestType.Access, 5, R(@"\b(see|access|obtain|receive|get|send\s+me|provide(\s+me\s+with)?|have)\s+(to\s+)?(a\s+copy\s+of\s+)?(all\s+)?(of\s+)?(the\s+|my\s+)" + Data + @"\b"), "asks to see their data"),
        new(RequestType.Access, 6, R(@"\b(ask|asking|requesting|i\s+request)\s+(for\s+)?(copies\s+of\s+)?(my|a\s+copy\s+of\s+my)\s+" + Data), "asks for their data"),
        new(RequestType.Access, 4, R(@"\b(data|information)\s+(you|jml)\s+(hold|have|keep|store)\s+(on|about)\s+me\b"), "refers to data held about them"),
        new(RequestType.Access, 6, R(@"\bconfirm\s+whether\s+(or\s+not\s+)?(you|it)\s+(are|is)\s+processing\b"), "asks whether their data is processed"),
        // Art 15(1)(g): where the data came from.
        new(RequestType.Access, 4, R(@"\b(where|how)\s+(did\s+)?you\s+(get|got|obtain(ed)?|buy|bought|find|found)\s+(this\s+|my\s+)(email|e?mail\s+address|address|data|details|information|number)|\bwhere\s+you\s+obtained\b"), "asks where their data came from"),
        new(RequestType.Access, 3, R(@"\bexport\s+(of\s+)?my\s+(data|account)|\bdownload\s+(all\s+)?my\s+data\b"), "asks for an export"),

        // Erasure (Art 17)
        new(RequestType.Erasure, 10, R(@"\bright\s+to\s+(be\s+forgotten|erasure)\b|\bart(icle|\.)?\s*17\b"), "cites the right to erasure"),
        new(RequestType.Erasure, 7, R(@"\b(delete|erase|remove|wipe|destroy|purge)\s+(all\s+)?(of\s+)?(my|the|any|all|this)?\s*(\w+\s+){0,2}" + DataOrAccount), "asks for their data to be deleted"),
        new(RequestType.Erasure, 6, R(@"\b(data|information|details|account|records|profile)\s+(\w+\s+){0,4}(to\s+be\s+|be\s+|is\s+|are\s+)?(deleted|erased|removed|destroyed|wiped)\b"), "asks for their data to be deleted"),
        new(RequestType.Erasure, 7, R(@"\b(erasure|deletion|removal)\s+(of\s+)?(all\s+)?(my|the|personal|data|any)\b|\b(data|account|erasure|deletion)\s+(deletion\s+|removal\s+)?request\b|\brequest(ing)?\s+(the\s+)?(immediate\s+)?(erasure|deletion|removal)\b"), "asks for erasure"),
        new(RequestType.Erasure, 5, R(@"\berase\b|\bclos(e|ing)\s+(and\s+delete\s+)?my\s+account\b|\bforget\s+me\b"), "asks for erasure"),
        new(RequestType.Erasure, 4, R(@"\bremove\s+me\s+from\s+(your|all)\s+(systems?|database|records|servers?)"), "asks to be removed from the records"),
        // "do not delete", "without having to delete": not a request to erase; wanting the data kept is a sign of restriction (Art 18(1)(b)-(c)).
        new(RequestType.Erasure, -8, R(@"\b(do\s+not|dont|not|never|without(\s+having)?\s+to|rather\s+than|instead\s+of)\s+(want\s+)?(you\s+)?(to\s+)?(delete|erase|remove)\b"), "does not want erasure"),

        // Rectification (Art 16)
        new(RequestType.Rectification, 10, R(@"\bright\s+to\s+rectification\b|\bart(icle|\.)?\s*16\b|\brectif(y|ied|ication)\b"), "cites the right to rectification"),
        new(RequestType.Rectification, 6, R(@"\b(correct|update|amend|change|fix|edit)(ed|ing)?\s+(\w+\s+){0,3}" + Field + @"\b"), "asks for their details to be corrected"),
        new(RequestType.Rectification, 5, R(@"\b" + Field + @"\s+(\w+\s+){0,2}(be\s+)?(updated|corrected|amended|changed|fixed)\b"), "asks for their details to be corrected"),
        // One fact, one weight: however many ways the message says the data is wrong.
        new(RequestType.Rectification, 5, R(@"\b" + Field + @"\s+(\w+\s+){0,3}(is|are|was|were|has\s+been|have\s+been|seems)\s+(also\s+|still\s+)?(wrong|incorrect|inaccurate|out\s+of\s+date|misspelt|misspelled|outdated|not\s+correct)\b|\binaccurate\s+(personal\s+)?(data|information|details)\b" + "|" + @"\b(wrong|incorrect|inaccurate|misspelt|misspelled|outdated)\s+" + Field + @"\b|\b(name|spelling|clerical)\s+error\b|\berror\s+in\s+(the|my)\s+name\b|\bmisspel(t|led)\b|\bspelled\s+(\w+\s+){0,3}wrong\b|\b(affiliation|name|address|details|record)\s+is\s+(also\s+|still\s+)?off\b" + "|" + @"\bnot\s+(\w+\s+){0,2}(the\s+)?(right|correct)\s+" + Field + @"\b"), "says their data is inaccurate"),
        new(RequestType.Rectification, 4, R(@"\b(my\s+)?new\s+(email|e?mail\s+address|address|phone|surname|name)\b"), "gives a new value"),
        new(RequestType.Rectification, 3, R(@"\b(should\s+(read|be)|instead\s+of)\b"), "gives the right value"),

        // Restriction (Art 18)
        new(RequestType.Restriction, 10, R(@"\bright\s+to\s+restrict(ion)?\b|\bart(icle|\.)?\s*18\b|\brestrict(ion\s+of|ing|s)?\s+(the\s+)?processing\b"), "cites the right to restriction"),
        new(RequestType.Restriction, 7, R(@"\brestrict\s+(the\s+)?(use|processing)\s+of\s+my\b|\brestrict\s+my\s+(personal\s+)?(data|information)"), "asks for restriction"),
        new(RequestType.Restriction, 6, R(@"\b(stop|cease|suspend|pause|halt)\s+(\w+\s+){0,2}(using|processing|the\s+processing\s+of)\s+(it|them|my|any\s+of\s+my|the)\b"), "asks to stop using their data"),
        new(RequestType.Restriction, 6, R(@"\b(block|suppress|freeze|limit|restrict)(s|ed|ing)?\s+(\w+\s+){0,3}(processing|use|using)\b|\blimit\s+how\s+you\s+use\b|\bfrom\s+processing\b"), "asks to limit how their data is used"),
        new(RequestType.Restriction, 8, R(@"\b(processing|use)\s+(\w+\s+){0,8}(be\s+)?(blocked|suppressed|frozen)\b"), "asks for processing to be blocked"),
        new(RequestType.Restriction, 5, R(@"\b(do\s+not|dont|not\s+to|never)\s+(\w+\s+){0,2}(use|using|process|processing)\s+(it|them|my|any|the|this|that)\b|\b(do\s+not|dont)\s+want\s+you\s+to\s+take\s+any\s+further\s+action\b"), "asks that their data not be used"),
        // Art 18(1)(a): not to be used while its accuracy is checked.
        new(RequestType.Restriction, 8, R(@"\b(not|dont|stop|cease)\s+(\w+\s+){0,5}(used|use|using|processed|processing)\s+(\w+\s+){0,3}(until|while|whilst|pending)\b"), "asks that their data not be used until something is checked"),
        new(RequestType.Restriction, 3, R(@"\b(until|while|whilst|pending)\s+(\w+\s+){0,6}(resolved|fixed|corrected|verified|checked|decided?|review|investigated|dispute)"), "asks for a pause while something is checked"),
        new(RequestType.Restriction, 5, R(@"\bkeep\s+(\w+\s+){0,3}for\s+(a\s+|my\s+)?legal\s+claims?\b"), "needs the data kept for a legal claim"),
        new(RequestType.Restriction, 3, R(@"\b(do\s+not|dont|not|rather\s+than|instead\s+of)\s+(want\s+)?(you\s+)?(to\s+)?(delete|erase)\b"), "wants the data kept"),

        // Objection (Art 21): "stop sending me marketing", "unsubscribe me from everything", "I object to ...". Whether it is to direct marketing
        // (absolute, Art 21(2)-(3)) or to other processing (Art 21(1)) is ObjectionScope's reading, not the classifier's.
        new(RequestType.Objection, 10, R(@"\bright\s+to\s+object\b|\bart(icle|\.)?\s*21\b|\b(i|we)\s+(hereby\s+|strongly\s+|also\s+)?object\b|\b(am|are)\s+(hereby\s+)?objecting\b|\bobjection\s+(to|against)\s+(the\s+|any\s+|all\s+)?(processing|use|direct\s+marketing|marketing|profiling)\b"), "objects to processing (Art 21)"),
        new(RequestType.Objection, 10, R(@"\b(stop|cease|quit)\s+(\w+\s+){0,3}(sending|emailing|mailing|contacting|calling|phoning|texting|spamming|messaging)\b|\bstop\s+(the\s+|these\s+|your\s+|all\s+)?(\w+\s+)?(marketing|spam|newsletters?|promotional|mailings?)\b"), "asks JML to stop sending them marketing"),
        new(RequestType.Objection, 10, R(@"\bunsubscribe\s+(me|my)\b|\b(want|wish|like|need|please|trying|asking)\s+(\w+\s+){0,2}(to\s+)?unsubscribe\b|\bopt(ing)?\s+(me\s+)?out\s+of\s+(all\s+|any\s+)?(your\s+|the\s+|future\s+)?(\w+\s+)?(marketing|emails?|mailings?|newsletters?|communications|mailing\s+lists?|offers)\b"), "asks to be unsubscribed"),
        new(RequestType.Objection, 8, R(@"\b(remove|take|delete|drop)\s+me\s+(off|from)\s+(\w+\s+){0,3}(mailing|marketing|email|newsletter|distribution|contact|sales)\s+(list|lists|database)\b"), "asks to be taken off a marketing list"),
        new(RequestType.Objection, 10, R(@"\b(do\s+not|dont|never)\s+(want\s+(you\s+)?(to\s+)?)?(send|email|contact|call|text|receive|get)\s+(me\s+)?(\w+\s+){0,3}(marketing|newsletters?|promotions?|promotional|offers|spam|adverts?|advertising|mailings?)\b|\bno\s+(more|further)\s+(\w+\s+)?(marketing|newsletters?|promotional|spam|mailings?)\b"), "does not want marketing"),
        new(RequestType.Objection, 8, R(@"\bno\s+longer\s+(wish|want)\s+to\s+(receive|get|be\s+(contacted|sent|emailed|mailed))\b|\bwithdraw\s+(my\s+)?consent\s+(\w+\s+){0,3}(marketing|emails?|newsletters?|communications|contact)"), "no longer wants to be contacted"),
        new(RequestType.Objection, 3, R(@"\blegitimate\s+interests?\b|\bparticular\s+situation\b"), "refers to legitimate interests"),

        // Complaint (DPA 2018 s 164A): about how JML handled their data, often naming the request it is about. A complaint outweighs the right it
        // mentions ("I want to complain that you never answered my subject access request"); a request that only warns it will go to the ICO
        // stays the request, because a complaint *to the regulator* is not one to JML: such phrases are rewritten to "regulatorwarning" first.
        new(RequestType.Complaint, 12, R(@"\b(make|making|raise|raising|lodge|lodging|file|filing|submit|submitting|register|registering)\s+(a\s+|an\s+|my\s+)?(formal\s+|official\s+|data\s+protection\s+|privacy\s+)?complaint\b|\bformal\s+complaint\b|\b(want|wish|like|writing|write|need|have)\s+to\s+complain\b|\b(im|i\s+am)\s+complaining\b|\bthis\s+is\s+a\s+complaint\b|\b(treat|take|consider|log|register)\s+this\s+as\s+a\s+(formal\s+)?complaint\b"), "says it is a complaint"),
        new(RequestType.Complaint, 10, R(@"\b(information\s+rights|data\s+protection|privacy|gdpr)\s+complaint\b|\b(raise|raising)\s+a\s+concern\b|\bconcerns?\s+(with|about)\s+(the\s+way|how)\s+you\b"), "says it is a data protection complaint"),
        new(RequestType.Complaint, 10, R(@"\b(concerned|worried)\s+(\w+\s+){0,2}(that\s+)?you\s+(have\s+)?(not|failed\s+to|didnt|did\s+not)\s+(\w+\s+){0,2}(handled|handle|dealt|deal|protected|protect|kept|looked)"), "is concerned JML mishandled their data"),
        new(RequestType.Complaint, 8, R(@"\b(unhappy|not\s+happy|dissatisfied|not\s+satisfied|disappointed|upset|concerned|angry)\s+(with|about|by|at)\s+(how|the\s+way)\s+(you|jml|your\s+\w+)\s+(have\s+|has\s+)?(handled|dealt|processed|used|treated|managed|responded|shared|looked)"), "is unhappy with how JML handled their data"),
        new(RequestType.Complaint, 5, R(@"\b(unhappy|not\s+happy|dissatisfied|not\s+satisfied)\s+with\s+(your|the|jml|it|this|that)\b"), "is not happy with JML"),
        new(RequestType.Complaint, 4, R(@"\b(unhappy|not\s+happy|dissatisfied|not\s+satisfied|disappointed)\s+with\s+(your|the|jmls?)\s+(response|reply|answer|handling|decision|refusal)\b"), "is not happy with JML's response"),
        new(RequestType.Complaint, 8, R(@"\byou\s+(have\s+|still\s+)?(failed|neglected)\s+to\s+(respond|reply|answer|deal|comply|act|delete|erase|correct|send|provide|stop)\b|\byou\s+(have\s+)?(ignored|disregarded)\s+(my|our|the)\s+(request|email|emails|letter|letters|sar|dsar|subject\s+access)|\b(never|still\s+not|still\s+havent|still\s+have\s+not)\s+(been\s+)?(answered|responded|replied|heard\s+back)\b|\bwas\s+(never|not)\s+(answered|dealt\s+with)\b|\b(have|has)\s+not\s+received\s+(a|any)\s+(response|reply|answer)\b|\byou\s+were\s+required\s+to\s+respond\b"), "says JML failed to deal with a request"),
        new(RequestType.Complaint, 6, R(@"\b(breach(ed)?|infring(ed|ement)|violat(ed|ion|es))\s+(of\s+)?(my\s+)?(data\s+protection|gdpr|uk\s+gdpr|privacy|rights)\b|\b(gdpr|data\s+protection)\s+(violation|breach)\b|\bdata\s+breach\b"), "alleges a breach of data protection law"),
        new(RequestType.Complaint, 8, R(@"\b(shared|sold|passed\s+on|disclosed|leaked|used|using|processed|collected|stored|gave|given)\s+(\w+\s+){0,6}without\s+(my\s+|me\s+)?(consent|consenting|permission|knowledge|telling\s+me|asking\s+me)\b|\bwhich\s+i\s+did\s+not\s+(consent|agree)\s+to\b|\bi\s+did\s+not\s+agree\s+to\s+this\b|\baccessed\s+by\s+unauthori[sz]ed\b"), "says their data was used without consent"),
        new(RequestType.Complaint, 6, R(@"\blonger\s+than\s+(is\s+)?necessary\b|\b(using|use|used)\s+(them|it|my\s+\w+)\s+for\s+(something\s+else|a\s+different\s+purpose|other\s+purposes)\b|\bbeyond\s+the\s+purposes?\b|\bnot\s+keeping\s+my\s+(personal\s+)?(information|data|details)\s+secure\b"), "objects to how their data was kept or used"),
        new(RequestType.Complaint, 4, R(@"\bcomplain(t|ts|ed|ing)?\b"), "mentions a complaint"),
        new(RequestType.Complaint, 4, R(@"\bregulatorwarning\b"), "warns it will go to the regulator"),
    ];

    /// <summary>"complain to the ICO", "report you to the Information Commissioner": a warning, not a complaint to JML.</summary>
    private static readonly Regex RegulatorWarning = R(@"\b(complain(t|ts|ed|ing)?|report(ing)?(\s+\w+){0,2}|escalat(e|ing)(\s+\w+){0,3}|refer(ring)?(\s+\w+){0,3})\s+(with|to)\s+" + Regulator);

    /// <summary>The person writes about themself or asks for something: a third-person remark about what "users" should get is not a request.</summary>
    private static readonly Regex Anchor = R(@"\b(i|me|my|mine|myself|im|ive|id|please|request|requesting)\b");

    /// <summary>Product talk ("it would be great if users could delete their data"): a feature request, for staff.</summary>
    private static readonly Regex FeatureTalk = R(@"\b(it\s+(might|would)\s+be\s+(a\s+)?(useful|great|nice|good)|useful\s+extension|feature\s+request|would\s+be\s+nice|should\s+be\s+possible|allow\s+(users|subjects|people)|users\s+should|as\s+a\s+user)\b");

    /// <summary>
    /// Mail about marketing: "stop sending me spam" is an objection (Art 21(2)-(3)), recognised by its own rules; a mail that only grumbles
    /// about marketing with a weak complaint signal and asks for nothing goes to staff rather than being typed.
    /// </summary>
    private static readonly Regex Marketing = R(@"\b(spam|spamming|mailing\s+list|newsletter|unsubscri\w*|marketing|unsolicited|cold\s+mail)\b");

    private const int MarketingComplaintFloor = 8;

    /// <summary>The sender's own data or self ("my", "me"), as opposed to "I think users should ...".</summary>
    private static readonly Regex OwnData = R(@"\b(my|me|mine|myself)\b");

    // Normalisation: spellings and shorthand people use, mapped to the words the rules look for.
    private static readonly (Regex Pattern, string Replacement)[] Shorthand =
    [
        (R(@"\b(pls|plz|plse|pleas|pleaae)\b"), "please"),
        (R(@"\bu\b"), "you"),
        (R(@"\bur\b"), "your"),
        (R(@"\binfo\b"), "information"),
        (R(@"\bacct\b"), "account"),
        (R(@"\be\s?-\s?mail"), "email"),
        (R(@"\bdetials\b"), "details"),
        (R(@"\bcancel(l)?ed\b"), "cancelled"),
    ];

    private static readonly Regex Markup = R(@"<[^<>]{0,200}>");
    private static readonly Regex Spaces = R(@"\s+");

    public static Classification Classify(string? subject, string? body)
    {
        var subjectText = Normalise(Prefix(subject, MaxSubjectChars));
        var bodyText = Normalise(Prefix(StripQuotedReplies(Prefix(body, MaxRawBodyChars)), MaxBodyChars));
        var text = subjectText + " \n " + bodyText;

        var scores = new Dictionary<RequestType, (int Score, int Best, string Reason)>();
        foreach (var rule in Rules)
        {
            var hits = (IsMatch(rule.Pattern, text) ? 1 : 0) + (rule.Weight > 0 && IsMatch(rule.Pattern, subjectText) ? 1 : 0); // the subject line counts double
            if (hits == 0)
            {
                continue;
            }

            scores.TryGetValue(rule.Type, out var current);
            var best = Math.Max(current.Best, rule.Weight);
            var reason = rule.Weight > current.Best ? rule.Label : current.Reason;
            scores[rule.Type] = (current.Score + (hits * rule.Weight), best, reason);
        }

        if (!IsMatch(Anchor, text))
        {
            return Unclassified("no request from the sender recognised: staff to triage");
        }

        var featureTalk = IsMatch(FeatureTalk, text);
        if (featureTalk && !IsMatch(OwnData, text))
        {
            return Unclassified("talks about what the product should offer: staff to triage");
        }

        var threshold = featureTalk ? FeatureTalkThreshold : Threshold;
        var ranked = scores
            .Where(kv => kv.Value.Score >= threshold)
            .OrderByDescending(kv => kv.Value.Score)
            .ThenBy(kv => kv.Key)
            .ToList();
        if (ranked.Count == 0)
        {
            return Unclassified("no right recognised: staff to triage");
        }

        if (ranked[0].Key == RequestType.Complaint && ranked[0].Value.Score < MarketingComplaintFloor && IsMatch(Marketing, text))
        {
            // About marketing, but neither a clear complaint nor a request to stop (Art 21): staff decide.
            return Unclassified("about marketing, but asks for nothing recognised: staff to triage");
        }

        return new Classification(
            ranked[0].Key,
            ranked.Skip(1).Where(kv => kv.Value.Score >= Threshold).Select(kv => kv.Key).ToList(),
            ranked[0].Value.Reason)
        {
            // A second right is its own request only on a clear signal (a rule of its own, not a passing word), and only
            // beside a right: never a complaint. A request to erase already ends processing, so a restriction beside it is
            // what erasure does while it runs, not a second request (Art 18(1)(b) is the alternative to erasure).
            AlsoRequested = ranked[0].Key.IsRight()
                ? ranked.Skip(1)
                    .Where(kv => kv.Key.IsRight() && kv.Value.Best >= SecondRightWeight && kv.Value.Score >= SecondRightThreshold)
                    .Where(kv => !(kv.Key == RequestType.Restriction && ranked[0].Key == RequestType.Erasure) && !(kv.Key == RequestType.Erasure && ranked[0].Key == RequestType.Restriction))
                    .Select(kv => kv.Key)
                    .ToList()
                : [],
        };
    }

    private static Classification Unclassified(string reason) => new(RequestType.Unclassified, [], reason);

    private static bool IsMatch(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // NonBacktracking patterns run in linear time and set no timeout; should one ever be set, a timeout is no match.
            return false;
        }
    }

    private static string Prefix(string? value, int max) =>
        string.IsNullOrEmpty(value) ? string.Empty : value.Length <= max ? value : value[..max];

    /// <summary>Lower case, one kind of quote and dash, apostrophes dropped ("don't" -> "dont"), markup and brackets to spaces, shorthand expanded.</summary>
    private static string Normalise(string value)
    {
        if (value.Length == 0)
        {
            return value;
        }

        var text = Markup.Replace(value, " ");
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\'' or '\u2019' or '\u2018' or '`':
                    break;
                case '"' or '\u201C' or '\u201D' or '(' or ')' or '[' or ']' or '{' or '}' or '*' or '<' or '>' or '_' or '|' or '#':
                    sb.Append(' ');
                    break;
                case '\u2013' or '\u2014':
                    sb.Append('-');
                    break;
                default:
                    sb.Append(char.ToLowerInvariant(c));
                    break;
            }
        }

        text = sb.ToString();
        foreach (var (pattern, replacement) in Shorthand)
        {
            text = pattern.Replace(text, replacement);
        }

        text = RegulatorWarning.Replace(text, " regulatorwarning ");
        return Spaces.Replace(text, " ");
    }

    /// <summary>Drops lines quoted from earlier mail ("&gt; ...") so a reply is judged on what is new.</summary>
    private static string StripQuotedReplies(string body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var sb = new StringBuilder(Math.Min(body.Length, MaxBodyChars + 1));
        foreach (var line in body.Split('\n'))
        {
            if (line.TrimStart().StartsWith('>'))
            {
                continue;
            }

            sb.Append(line).Append('\n');
            if (sb.Length > MaxBodyChars)
            {
                break;
            }
        }

        return sb.ToString();
    }
}
