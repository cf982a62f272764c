namespace JmlDsr.Domain.Intake;

/// <summary>Small, bounded string helpers shared by the mail triage and sender authentication. No regular expressions.</summary>
internal static class MailText
{
    /// <summary>The most of the body the triage ever reads: every check is linear in this bound.</summary>
    public const int BodyPrefix = 8_000;

    /// <summary>The bounded prefix of <paramref name="text"/>, lower case.</summary>
    public static string Prefix(string? text, int max = BodyPrefix) =>
        string.IsNullOrEmpty(text) ? "" : (text.Length > max ? text[..max] : text).ToLowerInvariant();

    /// <summary>The address in a header value ("Name &lt;a@b&gt;", "a@b (Name)", "&lt;&gt;"), lower case; "" for &lt;&gt;; null when none.</summary>
    public static string? Address(string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        var open = raw.LastIndexOf('<');
        if (open >= 0)
        {
            var close = raw.IndexOf('>', open + 1);
            if (close > open)
            {
                return raw[(open + 1)..close].Trim().ToLowerInvariant();
            }
        }

        foreach (var token in raw.Split([' ', '\t', ',', ';', '(', ')', '"'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.Contains('@', StringComparison.Ordinal))
            {
                return token.Trim('<', '>', '.').ToLowerInvariant();
            }
        }

        return null;
    }

    /// <summary>The domain of an address or of a bare domain ("@example.com", "example.com."), lower case, or null.</summary>
    public static string? Domain(string? addressOrDomain)
    {
        if (string.IsNullOrWhiteSpace(addressOrDomain))
        {
            return null;
        }

        var s = addressOrDomain.Trim().Trim('<', '>', '"');
        var at = s.LastIndexOf('@');
        var domain = (at >= 0 ? s[(at + 1)..] : s).Trim().TrimEnd('.').ToLowerInvariant();
        return domain.Length == 0 || !domain.Contains('.', StringComparison.Ordinal) ? null : domain;
    }

    /// <summary>The local part of an address, lower case, or "".</summary>
    public static string LocalPart(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return "";
        }

        var at = address.IndexOf('@', StringComparison.Ordinal);
        return (at >= 0 ? address[..at] : address).ToLowerInvariant();
    }

    /// <summary>The first token of a header value (before ';', '(', ',' or white space), lower case.</summary>
    public static string FirstToken(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "";
        }

        var s = value.Trim();
        var end = s.IndexOfAny([';', '(', ',', ' ', '\t', '\r', '\n']);
        return (end >= 0 ? s[..end] : s).ToLowerInvariant();
    }

    /// <summary>The first of <paramref name="needles"/> found in <paramref name="haystack"/> (already lower case), or null.</summary>
    public static string? FirstFound(string haystack, IEnumerable<string> needles)
    {
        foreach (var needle in needles)
        {
            if (haystack.Contains(needle, StringComparison.Ordinal))
            {
                return needle;
            }
        }

        return null;
    }
}
