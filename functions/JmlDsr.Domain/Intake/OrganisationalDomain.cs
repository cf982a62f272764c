namespace JmlDsr.Domain.Intake;

/// <summary>
/// The organisational domain of a host name (DMARC, RFC 7489 §3.2), by a small public-suffix heuristic good for real
/// mail: a short list of multi-label public suffixes (co.uk, org.uk, com.au, …), else the last two labels. The full Public
/// Suffix List is not embedded: its private and wildcard rules matter little for matching a From domain to a DKIM or SPF
/// domain, and a stale copy would be worse than a short, reviewed one.
/// </summary>
public static class OrganisationalDomain
{
    private static readonly HashSet<string> MultiLabelSuffixes = new(StringComparer.Ordinal)
    {
        // United Kingdom (Nominet second-level domains, plus the public-sector ones).
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "sch.uk", "nhs.uk", "police.uk",
        "mod.uk", "nic.uk",
        // Crown dependencies.
        "co.je", "co.gg", "co.im", "org.im",
        // Ireland, Europe.
        "gov.ie", "co.at", "or.at", "com.pl", "com.es", "com.pt", "com.gr", "com.cy", "com.mt", "co.hu", "com.tr",
        // Australia, New Zealand.
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "org.nz", "net.nz", "govt.nz", "ac.nz", "school.nz",
        // Asia.
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "co.kr", "or.kr", "com.cn", "net.cn", "org.cn",
        "com.hk", "org.hk", "com.tw", "com.sg", "edu.sg", "com.my", "co.id", "co.th", "com.ph", "com.vn", "com.pk",
        "co.in", "net.in", "org.in", "ac.in", "gov.in", "co.il", "ac.il", "com.sa", "com.eg", "com.qa", "co.ae",
        // Americas.
        "com.br", "net.br", "org.br", "gov.br", "com.mx", "com.ar", "com.co", "com.pe", "com.uy", "com.ve",
        "gc.ca", "qc.ca", "on.ca",
        // Africa.
        "co.za", "org.za", "gov.za", "ac.za", "co.ke", "co.ng", "com.ng", "co.tz", "co.ug", "co.zw",
    };

    /// <summary>The organisational domain of <paramref name="domain"/>, lower case; null for null or a single label.</summary>
    public static string? Of(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return null;
        }

        var labels = domain.Trim().TrimEnd('.').ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (labels.Length < 2)
        {
            return null;
        }

        var lastTwo = labels[^2] + "." + labels[^1];
        if (MultiLabelSuffixes.Contains(lastTwo))
        {
            return labels.Length >= 3 ? labels[^3] + "." + lastTwo : null;
        }

        return lastTwo;
    }

    /// <summary>DMARC relaxed alignment (RFC 7489 §3.1): both domains have the same organisational domain.</summary>
    public static bool Aligned(string? a, string? b)
    {
        var oa = Of(a);
        return oa is not null && string.Equals(oa, Of(b), StringComparison.Ordinal);
    }
}
