namespace JmlDsr.Domain.Intake;

/// <summary>
/// The sender-authentication verdict on an inbound email: SPF and DKIM results and whether each is aligned with the
/// From domain (DMARC-style relaxed alignment: same organisational domain).
/// </summary>
public sealed record AuthVerdict(string Spf, bool SpfAligned, string Dkim, bool DkimAligned, string Source)
{
    /// <summary>The domains whose DKIM signatures passed.</summary>
    public IReadOnlyList<string> DkimPassDomains { get; init; } = [];

    /// <summary>The SPF-checked domain (envelope MAIL FROM), if known.</summary>
    public string? SpfDomain { get; init; }

    /// <summary>The DMARC result where Authentication-Results gives one.</summary>
    public string? Dmarc { get; init; }

    /// <summary>True when SPF or DKIM passed aligned with From.</summary>
    public bool Authenticated => (SpfAligned && Spf == "pass") || (DkimAligned && Dkim == "pass");

    /// <summary>One line for the timeline, e.g. "SPF pass (aligned), DKIM pass (example.com, aligned) — SendGrid".</summary>
    public string Summary => throw new NotImplementedException("Filled in by the sender-authentication work.");

    public static AuthVerdict Unknown { get; } = new("none", false, "none", false, "none");
}

/// <summary>Reads SendGrid's parsed-mode SPF and dkim fields, or Authentication-Results (raw mode), into an <see cref="AuthVerdict"/>.</summary>
public static class SenderAuthentication
{
    /// <summary>From the facts: SendGrid's fields when present (parsed mode), else the top Authentication-Results header.</summary>
    public static AuthVerdict Evaluate(MailFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        throw new NotImplementedException("Filled in by the sender-authentication work.");
    }
}
