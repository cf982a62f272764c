namespace JmlDsr.Domain.Gathering;

/// <summary>An organisation JML discloses personal data to, and the terms it is bound by.</summary>
public sealed record Partner(string Name, string Email, string Terms)
{
    /// <summary>
    /// Whether the partner markets to the people whose data JML shares with it (co-marketing, its own offers): such a partner
    /// is told when a person objects to direct marketing (Art 21(2)-(3)), so that its marketing stops too.
    /// </summary>
    public bool Markets { get; init; }
}

/// <summary>
/// The recipients of personal data (Art 19): after rectification, erasure or restriction JML tells each
/// recipient the data was disclosed to, unless that is impossible or disproportionate, and tells the person
/// who they are if they ask. Demo partners; the systems each receives match <see cref="SystemCatalog"/>.
/// </summary>
public static class PartnerDirectory
{
    private static readonly Partner Northwind = new(
        "Northwind Implementation Partners", "privacy@northwind-partners.example", "Partner confidentiality agreement 2022")
    {
        Markets = true, // co-markets implementation services to JML's customers
    };

    private static readonly Partner Fabrikam = new(
        "Fabrikam Feedback Services", "dpo@fabrikam-feedback.example", "Data processing agreement 2024");

    private static readonly (Partner Partner, string[] Systems)[] Recipients =
    [
        (Northwind, [SystemCatalog.Crm, SystemCatalog.Contracts]),
        (Fabrikam, [SystemCatalog.Feedback]),
    ];

    public static IReadOnlyList<Partner> All { get; } = [.. Recipients.Select(r => r.Partner)];

    /// <summary>The partner with this name (case-insensitive, surrounding spaces ignored), or null.</summary>
    public static Partner? Find(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        return All.FirstOrDefault(p => string.Equals(p.Name, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The partners that receive data from the system (Art 19 recipients); empty for none or an unknown id.</summary>
    public static IReadOnlyList<Partner> ForSystem(string systemId) =>
        [.. Recipients.Where(r => r.Systems.Contains(systemId, StringComparer.Ordinal)).Select(r => r.Partner)];
}
