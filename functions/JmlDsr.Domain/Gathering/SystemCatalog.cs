namespace JmlDsr.Domain.Gathering;

/// <summary>
/// One of JML's systems that holds personal data, with what Art 15(1)(a)–(h) requires us to say
/// about it: purposes, categories, recipients, retention, source.
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
    /// <summary>
    /// Fields of the person's own rows that identify the person themself (their name, address, phone, email in their own
    /// account or contact): theirs, so never proposed for redaction from their copy (Art 15; Art 15(4) is about others).
    /// </summary>
    public IReadOnlyList<string> IdentifyingFields { get; init; } = [];

    /// <summary>Fields the person or staff wrote freely (feedback answers, notes): they may name other people (Art 15(4)).</summary>
    public IReadOnlyList<string> FreeTextFields { get; init; } = [];
}

/// <summary>JML's data map: every system the connectors search (shared/domain.md).</summary>
public static class SystemCatalog
{
    public const string WebsiteAccounts = "website-accounts";
    public const string Crm = "crm";
    public const string Contracts = "contracts";
    public const string Downloads = "downloads";
    public const string Communications = "communications";
    public const string Feedback = "feedback";
    public const string PartnerShares = "partner-shares";

    private const string ContractRetention =
        "For the contract and six years after it ends (Limitation Act 1980 s 5; twelve for a deed); accounting records six years from the end of the financial year (Companies Act 2006 s 388).";

    public static IReadOnlyList<SystemDescriptor> All { get; } =
    [
        new(WebsiteAccounts, "Website accounts and cookies",
            "To run your account on our website, keep you signed in, and keep the site secure.",
            "Contract (Art 6(1)(b)); legitimate interests in site security (Art 6(1)(f)); consent for non-essential cookies.",
            ["login email", "name", "IP address", "operating system", "browser", "cookie log-ins"],
            [],
            "While the account is open, then 12 months; sign-in logs 12 months.",
            "Collected from you and from your browser when you use the website.")
        {
            IdentifyingFields = ["LoginEmail", "Name"],
        },
        new(Crm, "Customer relationship management (CRM)",
            "To manage our relationship with customers, suppliers and business contacts.",
            "Contract (Art 6(1)(b)); legitimate interests in managing business relationships (Art 6(1)(f)).",
            ["name", "email", "company", "phone", "address", "role"],
            ["JML's service partners, bound by confidentiality terms"],
            ContractRetention,
            "Collected from you, or from your employer when you are a business contact.")
        {
            IdentifyingFields = ["Name", "Email", "Phone", "Mobile", "Address", "Company", "Role"],
            FreeTextFields = ["Notes"],
        },
        new(Contracts, "Contracts and licences",
            "To perform contracts and licences and to bring or defend legal claims.",
            "Contract (Art 6(1)(b)); legal obligation (Art 6(1)(c)) for accounting records.",
            ["contracts", "licence keys", "products", "start and expiry dates", "invoices"],
            ["partners who deliver services under the contract, bound by confidentiality terms"],
            ContractRetention,
            "Collected from you or your organisation when the contract was made.")
        {
            FreeTextFields = ["Notes"],
        },
        new(Downloads, "Product downloads",
            "To provide product downloads and support, and to understand product use.",
            "Contract (Art 6(1)(b)); legitimate interests (Art 6(1)(f)).",
            ["products downloaded", "dates", "contact details given"],
            [],
            "Three years after the download.",
            "Collected from you when you download a product.")
        {
            IdentifyingFields = ["ContactGiven"],
        },
        new(Communications, "Marketing and product notices",
            "To send product-expiry notices, new-product notices and event invitations.",
            "Consent for marketing (Art 6(1)(a), PECR reg 22); contract for service notices (Art 6(1)(b)).",
            ["notices sent", "marketing consent and its date", "email address"],
            [],
            "Until you withdraw consent, then a suppression record so we never mail you again.",
            "Collected from you when you gave consent or bought a product.")
        {
            IdentifyingFields = ["Email"],
        },
        new(Feedback, "Customer feedback",
            "To ask for and act on feedback about our products and services.",
            "Legitimate interests in improving our services (Art 6(1)(f)).",
            ["feedback requests", "answers", "ratings"],
            ["our feedback service provider, bound by confidentiality terms"],
            "Two years after the feedback was given.",
            "Collected from you; the feedback service provider runs the surveys for us.")
        {
            FreeTextFields = ["Answer", "Comment", "Notes"],
        },
        new(PartnerShares, "Partner sharing records",
            "To record what we have shared with which partner, when and under which terms (accountability, Art 5(2)).",
            "Legal obligation and legitimate interests in accountability (Art 6(1)(c), (f)).",
            ["partner", "data shared", "date", "terms"],
            [],
            "For as long as the shared data is kept, then six years.",
            "Created by JML when data is shared."),
    ];

    public static SystemDescriptor Get(string id) =>
        All.FirstOrDefault(s => s.Id == id) ?? throw new KeyNotFoundException($"No system '{id}'.");
}
