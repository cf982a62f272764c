using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Domain.Retention;

/// <summary>What erasure does with one record.</summary>
public enum ErasureOutcome
{
    /// <summary>Deleted: no rule requires JML to keep it (Art 17(1)).</summary>
    Erased,

    /// <summary>Replaced by a version that no longer identifies the person (Recital 26), or a minimal suppression entry.</summary>
    Anonymised,

    /// <summary>Kept under an Art 17(3) exception, restricted (Art 18) and erased by schedule when the rule ends.</summary>
    Retained,
}

/// <summary>
/// What the retention rules need to know beyond the record itself.
/// </summary>
/// <param name="Today">The UK date the decision is made on (the domain has no clock).</param>
/// <param name="ContractClaimsUntil">The last day a claim can be brought under any of the person's contracts
/// (<see cref="RetentionRules.ContractClaimsUntil"/>), or null when they have none.</param>
/// <param name="LegalHold">Whether a legal hold covers the person.</param>
/// <param name="LegalHoldReason">Why, in words the person may read.</param>
public sealed record RetentionFacts(DateOnly Today, DateOnly? ContractClaimsUntil, bool LegalHold = false, string? LegalHoldReason = null);

/// <summary>The decision for one record.</summary>
/// <param name="Outcome">Erased, anonymised or retained.</param>
/// <param name="Reason">A plain-English sentence the person can read, naming the law and, when retained, the date.</param>
/// <param name="RetainUntil">The last day the record is kept; null when retained without an end date (legal hold) or not retained.</param>
/// <param name="Rule">The rule that decided: legal-hold, accounting-records, contract-claims, accountability, suppression,
/// anonymised-statistics or no-retention-rule.</param>
public sealed record ErasureDecision(ErasureOutcome Outcome, string Reason, DateOnly? RetainUntil, string Rule);

/// <summary>
/// What erasure (UK GDPR Art 17) must keep, per JML's retention policy (shared/domain.md): the contract
/// period plus the period in which a claim can be brought, accounting records for six years from the end
/// of the financial year, everything under a legal hold. Data outside every rule is erased; data inside
/// one is restricted and erased by schedule when the rule ends.
/// </summary>
public static class RetentionRules
{
    public const string LegalHoldRule = "legal-hold";
    public const string AccountingRecordsRule = "accounting-records";
    public const string ContractClaimsRule = "contract-claims";
    public const string AccountabilityRule = "accountability";
    public const string SuppressionRule = "suppression";
    public const string AnonymisedStatisticsRule = "anonymised-statistics";
    public const string NoRetentionRule = "no-retention-rule";

    /// <summary>Limitation Act 1980 s 5: an action founded on simple contract, six years from the cause of action.</summary>
    public const int SimpleContractYears = 6;

    /// <summary>Limitation Act 1980 s 8: an action upon a specialty (a contract made by deed), twelve years.</summary>
    public const int DeedYears = 12;

    /// <summary>Companies Act 2006 s 388 as applied by JML's policy: six years from the end of the financial year.</summary>
    public const int AccountingRecordYears = 6;

    /// <summary>JML's financial year ends on 31 March.</summary>
    public const int FinancialYearEndMonth = 3;

    /// <summary>
    /// The last day a claim can be brought under any of the person's contracts: for each contract-like
    /// record (category "contract", "supplier contract", "licence", or any category containing "contract"),
    /// six years after its end (Limitation Act 1980 s 5), twelve where the contract is a deed (s 8).
    /// The end is field "End", or "Expires" for a licence. A contract with no end date (or one we cannot
    /// read) is still running: we cannot know when claims will stop, so we count from today, which gives
    /// today + six years as a floor; the scheduled re-run of erasure then moves the date on while the
    /// contract runs, rather than keeping the data forever. Null when there is no contract-like record.
    /// </summary>
    public static DateOnly? ContractClaimsUntil(IEnumerable<PersonalRecord> contractRecords, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(contractRecords);
        DateOnly? latest = null;
        foreach (var record in contractRecords)
        {
            if (record is null || !IsContractLike(record.Category))
            {
                continue;
            }

            var isLicence = IsLicence(record.Category);
            var end = ParseDate(Field(record, isLicence ? "Expires" : "End") ?? Field(record, isLicence ? "End" : "Expires"));

            // A contract with no (readable) end is ongoing: count from today (the floor described above).
            var from = end ?? today;

            // Limitation Act 1980 s 8 (deed, twelve years) or s 5 (simple contract, six years).
            var claimsUntil = from.AddYears(IsDeed(record) ? DeedYears : SimpleContractYears);
            if (latest is null || claimsUntil > latest)
            {
                latest = claimsUntil;
            }
        }

        return latest;
    }

    /// <summary>What erasure (Art 17) does with one record of one system: the data map's rule for the record's category.</summary>
    public static ErasureDecision Decide(SystemDescriptor system, PersonalRecord record, RetentionFacts facts)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(facts);

        // Art 17(3)(e): a legal hold keeps everything it covers, whatever else applies, until it is lifted.
        if (facts.LegalHold)
        {
            var why = string.IsNullOrWhiteSpace(facts.LegalHoldReason) ? "" : $" ({facts.LegalHoldReason.Trim()})";
            return new ErasureDecision(ErasureOutcome.Retained,
                $"We must keep this while a legal hold applies{why}, because it may be needed to establish, exercise or defend legal claims (UK GDPR Art 17(3)(e)). We will not use it for anything else, and we will erase it when the hold is lifted.",
                null, LegalHoldRule);
        }

        return system.RightsFor(record.Category).Erasure switch
        {
            ErasureActions.RetainAccountingRecords => DecideAccountingRecord(record, facts),
            ErasureActions.RetainContractClaims => IsContractLike(record.Category) ? DecideContracts(record, facts) : DecideContactOfContract(facts),
            ErasureActions.RetainAccountability => DecidePartnerShare(record, facts),

            // Withdrawn consent: keep a suppression entry so the person is never mailed again (ICO direct
            // marketing guidance on suppression lists; PECR reg 22, UK GDPR Art 21(3)).
            ErasureActions.Suppress => new ErasureDecision(ErasureOutcome.Anonymised,
                $"We keep only a suppression entry: {system.SuppressionKeeps ?? SystemDescriptor.DefaultSuppressionKeeps}, so that we can make sure we never send you marketing again, as the ICO recommends.",
                null, SuppressionRule),

            // Kept for statistics without anything that identifies the person (Recital 26).
            ErasureActions.Anonymise => new ErasureDecision(ErasureOutcome.Anonymised,
                $"We have removed everything that identifies you from this record; we keep only {system.Anonymise.Keeps}, for statistics that are no longer about you (UK GDPR Recital 26).",
                null, AnonymisedStatisticsRule),

            // No exception applies (Art 17(1)).
            _ => NoRule(),
        };
    }

    /// <summary>
    /// The fields an anonymised record keeps: never a name, email, phone, address, IP address, free text or
    /// licence key. Feedback keeps the year-month it was asked and the rating; a marketing consent becomes a
    /// suppression entry {Suppressed: yes, EmailHash: SHA-256 of the lower-cased, trimmed email}. Any other
    /// record keeps only an allow-list of non-identifying fields (product, rating), with dates coarsened to
    /// the month.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Anonymise(SystemDescriptor system, PersonalRecord record, string subjectEmail)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(subjectEmail);

        if (system.RightsFor(record.Category).Erasure == ErasureActions.Suppress)
        {
            // A hash is pseudonymous, not anonymous (Recital 26): it is kept only as a suppression entry, the
            // minimum needed to honour the objection to direct marketing (Art 21(3)); never used to mail.
            return new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["Suppressed"] = "yes",
                ["EmailHash"] = EmailHash(subjectEmail),
            };
        }

        var kept = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in record.Fields)
        {
            if (system.Anonymise.Keep.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                kept[key] = value;
            }
            else if (system.Anonymise.KeepMonth.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                // Art 5(1)(c) data minimisation: the month is enough for statistics; the day narrows down who.
                kept[key] = ParseDate(value)?.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            }
        }

        return kept;
    }

    /// <summary>SHA-256 (lower-case hex) of the lower-cased, trimmed address: the suppression-list key.</summary>
    public static string EmailHash(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
    }

    /// <summary>The last day of the financial year (ending 31 March) in which <paramref name="date"/> falls.</summary>
    public static DateOnly FinancialYearEnd(DateOnly date) =>
        new(date.Month <= FinancialYearEndMonth ? date.Year : date.Year + 1, FinancialYearEndMonth, 31);

    /// <summary>The wire name used in emails and the audit: erased, anonymised, retained.</summary>
    public static string ToWire(this ErasureOutcome outcome) => outcome switch
    {
        ErasureOutcome.Erased => "erased",
        ErasureOutcome.Anonymised => "anonymised",
        ErasureOutcome.Retained => "retained",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private static ErasureDecision DecideAccountingRecord(PersonalRecord record, RetentionFacts facts)
    {
        // Companies Act 2006 s 388 (accounting records; a private company's statutory minimum is three
        // years, JML keeps six, which also meets HMRC's six years) from the end of the financial year in
        // which the invoice was issued; a legal obligation, so Art 17(3)(b) applies. An invoice whose date
        // we cannot read is treated as issued today: keeping it longer is the safe error.
        var issued = ParseDate(Field(record, "Date") ?? Field(record, "Issued")) ?? facts.Today;
        var until = FinancialYearEnd(issued).AddYears(AccountingRecordYears);
        return until < facts.Today
            ? Ended(until, AccountingRecordsRule)
            : new ErasureDecision(ErasureOutcome.Retained,
                $"Invoices are accounting records, which the Companies Act 2006 (s 388) requires us to keep for six years from the end of the financial year, so UK GDPR Art 17(3)(b) allows us to keep this one until {EmailComposer.LongDate(until)}. Until then we will only store it, and we will erase it automatically after that date.",
                until, AccountingRecordsRule);
    }

    private static ErasureDecision DecideContracts(PersonalRecord record, RetentionFacts facts)
    {
        // Art 17(3)(e): contracts, licences and their records are needed to establish, exercise or defend
        // claims while one can be brought (Limitation Act 1980 s 5, s 8). Facts computed from every contract
        // record already cover this one; the record's own date is a floor in case the caller passed none.
        var claims = Max(facts.ContractClaimsUntil, ContractClaimsUntil([record], facts.Today));
        if (claims is null)
        {
            return NoRule();
        }

        return claims.Value < facts.Today
            ? Ended(claims.Value, ContractClaimsRule)
            : new ErasureDecision(ErasureOutcome.Retained,
                $"A claim under a contract can be brought for six years after it ends (Limitation Act 1980 s 5; twelve years for a deed, s 8), so UK GDPR Art 17(3)(e) allows us to keep this record until {EmailComposer.LongDate(claims.Value)} in case it is needed to establish, exercise or defend legal claims. Until then we will only store it, and we will erase it automatically after that date.",
                claims, ContractClaimsRule);
    }

    private static ErasureDecision DecideContactOfContract(RetentionFacts facts)
    {
        // Art 17(3)(e): the contact record is needed to administer the contract and to defend claims under
        // it while one can still be brought. The last day of the limitation period still counts.
        if (facts.ContractClaimsUntil is not { } claims)
        {
            return NoRule();
        }

        return claims < facts.Today
            ? Ended(claims, ContractClaimsRule)
            : new ErasureDecision(ErasureOutcome.Retained,
                $"We need your contact details to administer your contract and to deal with any legal claim under it, which can be brought for six years after the contract ends (Limitation Act 1980 s 5; UK GDPR Art 17(3)(e)). We will keep them until {EmailComposer.LongDate(claims)}, only store them until then, and erase them automatically after that date.",
                claims, ContractClaimsRule);
    }

    private static ErasureDecision DecidePartnerShare(PersonalRecord record, RetentionFacts facts)
    {
        // Accountability (Art 5(2)) and Art 19 (telling recipients, and the person who they are) need the
        // record of what was shared; kept for the six years in which a claim about the sharing could be
        // brought (Limitation Act 1980 s 5). A share with no readable date is treated as made today.
        var shared = ParseDate(Field(record, "When")) ?? facts.Today;
        var until = shared.AddYears(SimpleContractYears);
        return until < facts.Today
            ? Ended(until, AccountabilityRule)
            : new ErasureDecision(ErasureOutcome.Retained,
                $"We keep a record of what we shared with our partners, and when, so that we can show we handled your data lawfully and can tell them about your requests (UK GDPR Art 5(2) and Art 19). We keep it for six years after the data was shared, the period in which a claim could be brought (Limitation Act 1980 s 5): until {EmailComposer.LongDate(until)}. It will then be erased automatically.",
                until, AccountabilityRule);
    }

    private static ErasureDecision Ended(DateOnly until, string rule) =>
        new(ErasureOutcome.Erased,
            $"The period for which the law required us to keep this ended on {EmailComposer.LongDate(until)}, so it is erased (UK GDPR Art 17(1)).",
            null, rule);

    private static ErasureDecision NoRule() =>
        new(ErasureOutcome.Erased, "No law requires us to keep this, so it is erased (UK GDPR Art 17(1)).", null, NoRetentionRule);

    private static bool IsContractLike(string? category) =>
        category is not null
        && (Contains(category, "contract") || IsLicence(category));

    private static bool IsLicence(string? category) =>
        category is not null
        && (category.Trim().Equals("licence", StringComparison.OrdinalIgnoreCase) || category.Trim().Equals("license", StringComparison.OrdinalIgnoreCase));

    private static bool IsDeed(PersonalRecord record) =>
        Field(record, "Deed")?.Trim().ToUpperInvariant() is "YES" or "TRUE";

    private static bool Contains(string? category, string word) =>
        category is not null && category.Contains(word, StringComparison.OrdinalIgnoreCase);

    private static string? Field(PersonalRecord record, string name)
    {
        if (record.Fields.TryGetValue(name, out var exact))
        {
            return string.IsNullOrWhiteSpace(exact) ? null : exact;
        }

        foreach (var (key, value) in record.Fields)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return string.IsNullOrWhiteSpace(value) ? null : value;
            }
        }

        return null;
    }

    /// <summary>Reads yyyy-MM-dd, also accepting an ISO timestamp (its date part).</summary>
    private static DateOnly? ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var v = value.Trim();
        if (v.Length > 10 && v[10] == 'T')
        {
            v = v[..10];
        }

        return DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }

    private static DateOnly? Max(DateOnly? a, DateOnly? b) =>
        a is null ? b : b is null ? a : (a.Value > b.Value ? a : b);
}
