using System.Text;
using System.Text.RegularExpressions;

namespace JmlDsr.Domain.Intake;

/// <summary>What a requester's emailed reply gives to find their records: another address they use, a contract or licence number.</summary>
public sealed record GivenIdentifiers(string? OtherEmail, string? Number)
{
    public bool IsEmpty => OtherEmail is null && Number is null;
}

/// <summary>
/// Reads the identifiers out of a reply to "help us find your records" (Art 12(6)): the first address that is not the
/// sender's or JML's, and the first token shaped like a contract or licence number ("C-2023-0042", "JLP-7781-XXXX"). Quoted
/// lines are skipped (they hold our own email), and so are our request references. Bounded: a prefix, NonBacktracking.
/// </summary>
public static class IdentifierExtractor
{
    private const int MaxChars = 20_000;
    private const RegexOptions Opts = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking;

    private static readonly Regex Address = new(@"[a-z0-9._%+\-]{1,64}@[a-z0-9\-]{1,63}(\.[a-z0-9\-]{1,63}){1,8}", Opts);
    private static readonly Regex Number = new(@"\b[a-z]{1,5}-[0-9]{2,}(-[a-z0-9]{2,}){0,3}\b", Opts);

    public static GivenIdentifiers Extract(string? text, string senderEmail, IReadOnlyCollection<string> ownDomains)
    {
        ArgumentNullException.ThrowIfNull(ownDomains);
        var fresh = New(text);
        string? email = null;
        foreach (Match m in Address.Matches(fresh))
        {
            var candidate = m.Value.Trim('.').ToLowerInvariant();
            var domain = candidate[(candidate.IndexOf('@', StringComparison.Ordinal) + 1)..];
            if (!string.Equals(candidate, senderEmail, StringComparison.OrdinalIgnoreCase)
                && !ownDomains.Any(d => domain.Equals(d, StringComparison.OrdinalIgnoreCase) || domain.EndsWith("." + d, StringComparison.OrdinalIgnoreCase))
                && RequesterExtractor.IsValidAddress(candidate))
            {
                email = candidate;
                break;
            }
        }

        string? number = null;
        foreach (Match m in Number.Matches(fresh))
        {
            if (!Requests.RequestReference.IsValid(m.Value.ToUpperInvariant()))
            {
                number = m.Value.ToUpperInvariant();
                break;
            }
        }

        return new GivenIdentifiers(email, number);
    }

    /// <summary>The reply's own lines: quoted lines ("&gt; …") and everything after a reply header ("On … wrote:") dropped.</summary>
    private static string New(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var line in (text.Length > MaxChars ? text[..MaxChars] : text).Split('\n'))
        {
            var t = line.TrimStart();
            if (t.StartsWith('>'))
            {
                continue;
            }

            if ((t.StartsWith("On ", StringComparison.Ordinal) && t.TrimEnd().EndsWith("wrote:", StringComparison.Ordinal)) || t.StartsWith("-----Original Message", StringComparison.OrdinalIgnoreCase) || t.StartsWith("From: ", StringComparison.Ordinal))
            {
                break;
            }

            sb.Append(line).Append('\n');
        }

        return sb.ToString();
    }
}
