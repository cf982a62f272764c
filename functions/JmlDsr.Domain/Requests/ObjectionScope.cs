using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Requests;

/// <summary>What an objection (Art 21) is to, and what follows from it.</summary>
/// <param name="Scope"><see cref="ObjectionScope.Marketing"/> or <see cref="ObjectionScope.Other"/>.</param>
/// <param name="Reason">Why, in words staff can check.</param>
public sealed record ObjectionReading(string Scope, string Reason);

/// <summary>
/// Which objection a message makes. To direct marketing (Art 21(2)): absolute — "the personal data shall no longer be
/// processed for such purposes" (Art 21(3)), so it takes effect without a staff decision once identity is settled. To any
/// other processing based on legitimate interests or a public task (Art 21(1)): it stops unless JML demonstrates compelling
/// legitimate grounds that override the person's interests, rights and freedoms, or needs it for legal claims — staff
/// decide. Read from the wording; staff can change it on the decision form. Marketing wins when both are mentioned
/// ("I object to profiling for direct marketing"), since that part must stop in any case; a message that names no
/// processing at all ("stop emailing me") is about the mail it gets, i.e. marketing and notices.
/// </summary>
public static class ObjectionScope
{
    public const string Marketing = "marketing";
    public const string Other = "other";

    private const RegexOptions Opts = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking;

    private static readonly Regex MarketingWords = new(
        @"\b(marketing|newsletters?|spam\w*|unsubscri\w*|mailing\s+lists?|promotion(s|al)?|offers|adverts?|advertising|advertisements?|sales\s+(emails?|calls?)|cold\s+(mail|email|call)s?|product\s+(notices|news|updates)|event\s+invitations?|(stop|cease|no\s+more|dont|don't|do\s+not|never)\s+(\w+\s+){0,2}(sending|send|emailing|email|e-?mailing|mailing|contacting|contact|calling|phoning|texting|spamming)|opt\s+(me\s+)?out)",
        Opts);

    private static readonly Regex OtherProcessing = new(
        @"\b(legitimate\s+interests?|particular\s+situation|public\s+(task|interest)|profiling|processing|research|analytics|tracking|monitoring|sharing|share|art(icle|\.)?\s*21\s*\(?1\)?)",
        Opts);

    public static bool IsValid(string? scope) => scope is Marketing or Other;

    /// <summary>The scope of an objection with this subject and body.</summary>
    public static ObjectionReading Of(string? subject, string? body)
    {
        var text = $"{subject}\n{body}";
        if (text.Length > RequestClassifierLimits.MaxText)
        {
            text = text[..RequestClassifierLimits.MaxText];
        }

        if (MarketingWords.IsMatch(text))
        {
            return new ObjectionReading(Marketing, "objects to direct marketing (Art 21(2)-(3)): it stops without a decision");
        }

        return OtherProcessing.IsMatch(text)
            ? new ObjectionReading(Other, "objects to processing other than marketing (Art 21(1)): staff decide on compelling grounds")
            : new ObjectionReading(Marketing, "names no processing but the mail it gets: read as an objection to marketing and notices (Art 21(2)-(3))");
    }
}

/// <summary>How much sender-controlled text the wording rules read.</summary>
internal static class RequestClassifierLimits
{
    internal const int MaxText = 20_500;
}

/// <summary>How staff decide an objection (the form's values, and the outcome the decision records).</summary>
public static class ObjectionChoices
{
    /// <summary>Stop the processing: no compelling legitimate grounds (Art 21(1)).</summary>
    public const string Stop = "stop";

    /// <summary>Compelling legitimate grounds override the requester's interests: the processing continues, and they are told why.</summary>
    public const string Grounds = "grounds";

    /// <summary>It is an objection to direct marketing after all, which always succeeds (Art 21(3)).</summary>
    public const string Marketing = "marketing";
}
