namespace JmlDsr.Domain.Gathering;

/// <summary>
/// One of JML's systems that holds personal data, as the data map (<see cref="DataMap"/>) describes it: what Art 15(1)(a)–(h)
/// and Art 30 require us to say about it (purposes, lawful basis, categories, recipients, retention, source), how a person is
/// found in it, how JmlDsr reaches it and what each right does to each category of its records.
/// </summary>
public sealed record SystemDescriptor(
    string Id,
    string Name,
    string Purposes,
    string LawfulBasis,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Recipients,
    string Retention,
    string Source)
{
    /// <summary>Who is responsible for the system (an address): told when it needs a person.</summary>
    public string Owner { get; init; } = string.Empty;

    /// <summary>What else the product relies on the system for (<see cref="SystemRoles"/>).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The partners (ids in <see cref="DataMap.Partners"/>) the system's data is disclosed to (Art 19).</summary>
    public IReadOnlyList<string> Partners { get; init; } = [];

    /// <summary>How the person's records are found: by email, or by keys read from another system's records.</summary>
    public IReadOnlyList<LookupKey> Lookup { get; init; } = [LookupKey.Email];

    /// <summary>Fields holding numbers a person quotes from their paperwork (a contract number, a licence key).</summary>
    public IReadOnlyList<string> Numbers { get; init; } = [];

    /// <summary>How JmlDsr reaches the system.</summary>
    public ConnectorSpec Connector { get; init; } = new("table", new Dictionary<string, string>());

    /// <summary>
    /// Fields of the person's own rows that identify the person themself (their name, address, phone, email in their own
    /// account or contact): theirs, so never proposed for redaction from their copy (Art 15; Art 15(4) is about others).
    /// </summary>
    public IReadOnlyList<string> IdentifyingFields { get; init; } = [];

    /// <summary>Fields the person or staff wrote freely (feedback answers, notes): they may name other people (Art 15(4)).</summary>
    public IReadOnlyList<string> FreeTextFields { get; init; } = [];

    /// <summary>What a field is called in this system's part of the copy, where it differs from the common label.</summary>
    public IReadOnlyDictionary<string, string> FieldLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Fields written on each record a restriction marks ({since}, {reference} filled in).</summary>
    public IReadOnlyDictionary<string, string> RestrictionMark { get; init; } = new Dictionary<string, string>();

    /// <summary>Fields written on each record when the person objects to direct marketing ({since}, {reference}).</summary>
    public IReadOnlyDictionary<string, string> ObjectionMark { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// What the system's suppression entry (erasure's <c>suppress</c>) keeps, in words the person reads; null: a one-way code
    /// made from the address (<see cref="DefaultSuppressionKeeps"/>).
    /// </summary>
    public string? SuppressionKeeps { get; init; }

    public const string DefaultSuppressionKeeps = "a one-way code made from your email address, not the address itself";

    /// <summary>What an anonymised record of this system keeps.</summary>
    public AnonymiseSpec Anonymise { get; init; } = AnonymiseSpec.Default;

    /// <summary>What each right does, per category: the first rule whose category the record's category contains.</summary>
    public IReadOnlyList<CategoryRights> Rights { get; init; } = [];

    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>The rule for a record of this category: the first that matches, else delete, update and flag.</summary>
    public CategoryRights RightsFor(string? category) =>
        Rights.FirstOrDefault(r => r.Matches(category)) ?? CategoryRights.Default;
}

/// <summary>The fields a restriction or an objection writes on a record: the data map's mark, its placeholders filled in.</summary>
public static class MarkTemplate
{
    public const string Since = "{since}";
    public const string Reference = "{reference}";

    /// <summary>The mark with {since} (the day it took effect, yyyy-MM-dd) and {reference} (the request) filled in.</summary>
    public static Dictionary<string, string?> Fill(IReadOnlyDictionary<string, string> mark, string since, string reference)
    {
        ArgumentNullException.ThrowIfNull(mark);
        return mark.ToDictionary(m => m.Key, m => (string?)m.Value.Replace(Since, since, StringComparison.Ordinal).Replace(Reference, reference, StringComparison.Ordinal), StringComparer.Ordinal);
    }
}

/// <summary>What the product relies on a system for, beyond searching it.</summary>
public static class SystemRoles
{
    /// <summary>It knows who JML's customers and contacts are (an unknown address is told so).</summary>
    public const string Identity = "identity";

    /// <summary>Its contracts date the claims period every system's retention counts from, and can be found by number.</summary>
    public const string Contracts = "contracts";

    /// <summary>Its records say what was shared with which partner (Art 19 recipients).</summary>
    public const string Disclosures = "disclosures";

    /// <summary>It holds marketing consent and notices: objections and suppression act on it.</summary>
    public const string Marketing = "marketing";
}

/// <summary>A key a person's records are found by: their email address, or a value read from another system's records.</summary>
/// <param name="Key">"email", or the derived key's name.</param>
/// <param name="From">The system whose records give the key (derived keys).</param>
/// <param name="Field">The field of those records that holds it.</param>
/// <param name="Column">The field of this system's records it is matched against.</param>
public sealed record LookupKey(string Key, string? From = null, string? Field = null, string? Column = null)
{
    public static LookupKey Email { get; } = new("email");

    public bool IsEmail => From is null;
}

/// <summary>How a system is reached: the connector kind and its settings (names of configuration settings for secrets).</summary>
public sealed record ConnectorSpec(string Kind, IReadOnlyDictionary<string, string> Settings)
{
    public string? Setting(string name) => Settings.TryGetValue(name, out var v) ? v : null;
}

/// <summary>What an anonymised record keeps: fields as they are, fields cut to the month, and how the person is told.</summary>
public sealed record AnonymiseSpec(IReadOnlyList<string> Keep, IReadOnlyList<string> KeepMonth, string Keeps)
{
    public static AnonymiseSpec Default { get; } = new(["Rating", "Product"], ["Asked", "Answered", "Given", "Sent", "Date"], "the rating and the month it was given");
}

/// <summary>What erasure, rectification and restriction do to the records of one category.</summary>
public sealed record CategoryRights(string Category, string Erasure, string Rectification, string Restriction)
{
    public const string Any = "*";

    public static CategoryRights Default { get; } = new(Any, ErasureActions.Delete, RectificationActions.Update, RestrictionActions.Flag);

    public bool Matches(string? category) =>
        Category == Any || (category is not null && category.Contains(Category, StringComparison.OrdinalIgnoreCase));
}

/// <summary>What erasure does to a category of records (config values; <see cref="Retention.RetentionRules"/> applies them).</summary>
public static class ErasureActions
{
    public const string Delete = "delete";
    public const string Anonymise = "anonymise";
    public const string Suppress = "suppress";
    public const string RetainContractClaims = "retain-contract-claims";
    public const string RetainAccountingRecords = "retain-accounting-records";
    public const string RetainAccountability = "retain-accountability";
}

public static class RectificationActions
{
    public const string Update = "update";
    public const string Refuse = "refuse";
}

public static class RestrictionActions
{
    /// <summary>The system records the restriction (a restriction record beside the person's records).</summary>
    public const string Flag = "flag";

    /// <summary>Flag, and each record carries the system's restriction mark.</summary>
    public const string Mark = "mark";

    public const string None = "none";
}

/// <summary>The ids of the systems in the shipped data map (config/datamap.yaml): the demo data and the tests use them.</summary>
public static class SystemCatalog
{
    public const string WebsiteAccounts = "website-accounts";
    public const string Crm = "crm";
    public const string Contracts = "contracts";
    public const string Downloads = "downloads";
    public const string Communications = "communications";
    public const string MarketingContacts = "marketing-contacts";
    public const string Feedback = "feedback";
    public const string PartnerShares = "partner-shares";
}
