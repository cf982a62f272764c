using JmlDsr.Domain.Retention;

namespace JmlDsr.Domain.Gathering;

/// <summary>
/// One disclosure of the person's data to a recipient, as the partner-sharing record states it: the partner, what was
/// shared (the categories or field names the record gives, never the person's values), when and under which terms.
/// </summary>
/// <param name="AddressOnFile">Whether the data map's partners had an address for the partner when this was recorded.</param>
/// <param name="Source">The system the disclosure was read from (a system with the disclosures role).</param>
/// <param name="RecordSha256">The record's fingerprint (<see cref="RecordFingerprint"/>), the same hash an erasure proof gives it.</param>
/// <param name="RecordedAt">When the search that first found it was made.</param>
public sealed record RecipientShare(
    string Partner, bool AddressOnFile, string Category, string? Shared, string? When, string? Terms, string Source, string RecordSha256, DateTimeOffset RecordedAt);

/// <summary>
/// The recipients of a person's data (Art 19), recorded as evidence when the partner-sharing system is searched, so
/// that they can be told after rectification, restriction or erasure however late that is decided, whether or not the
/// gathered copy or the sharing records themselves are still there.
/// </summary>
/// <param name="UnnamedShares">Partner-sharing records that name no partner (staff must find out who received the data).</param>
public sealed record RecipientsRecord(
    string Basis, string System, string SystemName, DateTimeOffset SearchedAt, string SearchedBy, IReadOnlyList<RecipientShare> Recipients, int UnnamedShares);

/// <summary>A recipient that cannot be told by email (no address in the directory), with what it received.</summary>
public sealed record UnreachableRecipient(string Partner, IReadOnlyList<RecipientShare> Shares);

/// <summary>Who is told of a right carried out (Art 19), and who the privacy team must tell another way.</summary>
/// <param name="UntracedShares">Sharing records whose recipient is not known: they name no partner, or were erased before their recipient was recorded.</param>
public sealed record RecipientPlan(IReadOnlyList<Partner> ToTell, IReadOnlyList<UnreachableRecipient> NoAddress, int UntracedShares)
{
    /// <summary>True when someone who received the data cannot be told by this system: staff must act.</summary>
    public bool NeedsStaff => NoAddress.Count > 0 || UntracedShares > 0;
}

/// <summary>
/// Art 19: JML tells each recipient the personal data was disclosed to of any rectification, erasure or restriction,
/// unless that proves impossible or involves disproportionate effort, and tells the person who they are if asked.
/// The recipients are the partners that receive a changed system (<see cref="DataMap.PartnersFor"/>) and every
/// partner the person's partner-sharing records name.
/// </summary>
public static class Recipients
{
    public const string Basis =
        "UK GDPR Art 19: the organisations this person's data was disclosed to, as JML's partner-sharing records state them, recorded when they were searched so that each can be told of a rectification, restriction or erasure.";

    /// <summary>The fields of a partner-sharing record that say who received what, when and on which terms; nothing else is copied.</summary>
    public const string PartnerField = "Partner";
    public const string SharedField = "Shared";
    public const string WhenField = "When";
    public const string TermsField = "Terms";

    /// <summary>The category of the row a restriction adds to each system (Art 18): a flag on the person, not a disclosure.</summary>
    public const string RestrictionFlagCategory = "restriction of processing";

    /// <summary>True for a record of a disclosure; false for the restriction flag a system may carry beside them.</summary>
    public static bool IsShare(PersonalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return !string.Equals(record.Category, RestrictionFlagCategory, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The disclosure a partner-sharing record states, or null when it names no partner.</summary>
    public static RecipientShare? FromRecord(DataMap map, PersonalRecord record, DateTimeOffset recordedAt, string systemId)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(record);
        var partner = Clean(Field(record, PartnerField));
        if (partner is null)
        {
            return null;
        }

        return new RecipientShare(partner, map.FindPartner(partner) is not null, record.Category,
            Clean(Field(record, SharedField)), Clean(Field(record, WhenField)), Clean(Field(record, TermsField)), systemId, RecordFingerprint.Hash(systemId, record), recordedAt);
    }

    /// <summary>
    /// Adds what a search found to what was recorded before (null: nothing yet). A recipient once recorded is never
    /// dropped (a later search may no longer see a record that was erased or changed); the same disclosure read twice
    /// is one entry, so a retried search changes nothing but its time.
    /// </summary>
    public static RecipientsRecord Merge(RecipientsRecord? existing, RecipientsRecord found)
    {
        ArgumentNullException.ThrowIfNull(found);
        if (existing is null)
        {
            return found with { Recipients = Distinct(found.Recipients) };
        }

        var latest = found.SearchedAt >= existing.SearchedAt ? found : existing;
        return existing with
        {
            SearchedAt = latest.SearchedAt,
            SearchedBy = latest.SearchedBy,
            Recipients = Distinct(existing.Recipients.Concat(found.Recipients)),
            UnnamedShares = Math.Max(existing.UnnamedShares, found.UnnamedShares),
        };
    }

    /// <summary>
    /// Who to tell: the partners of every changed system, and every partner a sharing record names. A named partner the
    /// directory has no address for (now: the directory may have changed since it was recorded) goes to staff.
    /// </summary>
    public static RecipientPlan Plan(DataMap map, IEnumerable<string> systemsChanged, IEnumerable<RecipientShare> shares, int untracedShares = 0)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(systemsChanged);
        ArgumentNullException.ThrowIfNull(shares);
        var tell = systemsChanged.SelectMany(map.PartnersFor).ToList();
        var unreachable = new List<UnreachableRecipient>();
        foreach (var group in Distinct(shares).GroupBy(s => s.Partner, StringComparer.OrdinalIgnoreCase))
        {
            if (map.FindPartner(group.Key) is { } partner)
            {
                tell.Add(partner);
            }
            else
            {
                unreachable.Add(new UnreachableRecipient(group.First().Partner, [.. group]));
            }
        }

        return new RecipientPlan(
            [.. tell.DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase).OrderBy(p => p.Name, StringComparer.Ordinal)],
            [.. unreachable.OrderBy(u => u.Partner, StringComparer.Ordinal)],
            Math.Max(0, untracedShares));
    }

    /// <summary>One line about a disclosure, for staff: what was shared, when, on which terms (no values of the person).</summary>
    public static string Describe(RecipientShare share)
    {
        ArgumentNullException.ThrowIfNull(share);
        return (share.Shared ?? share.Category)
            + (share.When is null ? string.Empty : $" on {share.When}")
            + (share.Terms is null ? string.Empty : $" under {share.Terms}");
    }

    /// <summary>
    /// Builds the record from the records of one search, streamed: it keeps one entry per distinct disclosure and a count
    /// of records naming no partner, so a person with many sharing records costs what their distinct partners cost.
    /// </summary>
    public sealed class Builder(DataMap map, SystemSearch search)
    {
        private readonly Dictionary<string, RecipientShare> _shares = new(StringComparer.Ordinal);
        private int _unnamed;

        public void Add(PersonalRecord record)
        {
            ArgumentNullException.ThrowIfNull(record);
            if (!IsShare(record))
            {
                return;
            }

            if (FromRecord(map, record, search.SearchedAt, search.SystemId) is { } share)
            {
                _shares.TryAdd(Key(share), share);
            }
            else
            {
                _unnamed++;
            }
        }

        public RecipientsRecord Build() =>
            new(Basis, search.SystemId, map.NameOf(search.SystemId), search.SearchedAt, search.SearchedBy, Distinct(_shares.Values), _unnamed);
    }

    private static List<RecipientShare> Distinct(IEnumerable<RecipientShare> shares) =>
        [.. shares.OrderBy(s => s.RecordedAt).DistinctBy(Key, StringComparer.Ordinal)
            .OrderBy(s => s.Partner, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.When, StringComparer.Ordinal).ThenBy(s => s.Shared, StringComparer.Ordinal)];

    /// <summary>
    /// The same disclosure is the same partner, category, data, date and terms: not the record hash, which changes when an
    /// erasure flags a retained record restricted.
    /// </summary>
    private static string Key(RecipientShare s) =>
        string.Join('\u001f', s.Partner.ToUpperInvariant(), s.Category, s.Shared ?? "-", s.When ?? "-", s.Terms ?? "-");

    private static string? Field(PersonalRecord record, string name) =>
        record.Fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
