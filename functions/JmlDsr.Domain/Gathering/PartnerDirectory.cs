namespace JmlDsr.Domain.Gathering;

/// <summary>An organisation JML discloses personal data to, and the terms it is bound by.</summary>
public sealed record Partner(string Name, string Email, string Terms)
{
    /// <summary>The partner's id in the data map (systems name their recipients by it).</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>
    /// Whether the partner markets to the people whose data JML shares with it (co-marketing, its own offers): such a partner
    /// is told when a person objects to direct marketing (Art 21(2)-(3)), so that its marketing stops too.
    /// </summary>
    public bool Markets { get; init; }
}
