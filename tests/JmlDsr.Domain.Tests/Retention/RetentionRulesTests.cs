using System.Globalization;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Retention;
using Xunit;

namespace JmlDsr.Domain.Tests.Retention;

public sealed class RetentionRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);

    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? OptD(string? s) => s is null ? null : D(s);

    /// <summary>"Key=Value;Key=Value" -> fields (a value of "~" is null).</summary>
    private static PersonalRecord R(string category, string fields = "") =>
        new(category, fields.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1] == "~" ? null : (string?)kv[1], StringComparer.Ordinal));

    [Theory]
    // Companies Act 2006 s 388: six years from the end of the financial year (JML's ends 31 March).
    [InlineData("contracts", "invoice", "Date=2020-02-10", null, "Erased", "accounting-records", null)] // FY to 31/3/2020 -> 31/3/2026, past
    [InlineData("contracts", "invoice", "Date=2020-04-01", null, "Retained", "accounting-records", "2027-03-31")] // next FY
    [InlineData("contracts", "Sales Invoice", "Issued=2021-03-31", null, "Retained", "accounting-records", "2027-03-31")]
    [InlineData("contracts", "invoice", "Date=2025-06-01", "2033-03-31", "Retained", "accounting-records", "2032-03-31")] // invoice rule, not claims
    // Limitation Act 1980 s 5 / s 8 via the contract claims date.
    [InlineData("contracts", "contract", "End=2026-03-31", "2033-03-31", "Retained", "contract-claims", "2033-03-31")]
    [InlineData("contracts", "licence", "Expires=2027-03-31", "2033-03-31", "Retained", "contract-claims", "2033-03-31")]
    [InlineData("contracts", "contract", "End=2020-04-30", "2026-04-30", "Erased", "contract-claims", null)] // claims period over
    [InlineData("contracts", "contract", "End=2026-03-31", null, "Retained", "contract-claims", "2032-03-31")] // no facts: the record's own date
    [InlineData("contracts", "order", "Product=JML Payroll", null, "Erased", "no-retention-rule", null)]
    // CRM: kept while a claim can still be brought.
    [InlineData("crm", "customer contact", "Name=Alice Smith", "2033-03-31", "Retained", "contract-claims", "2033-03-31")]
    [InlineData("crm", "customer contact", "Name=Alice Smith", "2026-11-24", "Retained", "contract-claims", "2026-11-24")] // the last day still counts
    [InlineData("crm", "customer contact", "Name=Dan Brown", "2026-04-30", "Erased", "contract-claims", null)]
    [InlineData("crm", "business contact", "Name=Carol White", null, "Erased", "no-retention-rule", null)]
    // Accountability (Art 5(2), Art 19): six years after the share.
    [InlineData("partner-shares", "partner share", "When=2023-04-03", null, "Retained", "accountability", "2029-04-03")]
    [InlineData("partner-shares", "partner share", "When=2019-01-01", null, "Erased", "accountability", null)]
    // Communications: a suppression entry for consent, nothing else kept.
    [InlineData("communications", "marketing consent", "Consent=yes", "2033-03-31", "Anonymised", "suppression", null)]
    [InlineData("communications", "product-expiry notice", "Sent=2026-02-01", "2033-03-31", "Erased", "no-retention-rule", null)]
    // Feedback: anonymised statistics.
    [InlineData("feedback", "feedback answer", "Rating=4", null, "Anonymised", "anonymised-statistics", null)]
    // No rule: erased even while a contract runs.
    [InlineData("website-accounts", "account", "Name=Alice Smith", "2033-03-31", "Erased", "no-retention-rule", null)]
    [InlineData("downloads", "download", "Product=JML Ledger Pro", "2033-03-31", "Erased", "no-retention-rule", null)]
    [InlineData("legacy-system", "anything", "X=y", "2033-03-31", "Erased", "no-retention-rule", null)]
    public void Decide_AppliesTheRetentionRuleForTheSystemAndCategory(
        string system, string category, string fields, string? claimsUntil, string outcome, string rule, string? retainUntil)
    {
        var decision = RetentionRules.Decide(DataMap.Shipped.Describe(system), R(category, fields), new RetentionFacts(Today, OptD(claimsUntil)));

        Assert.Equal(Enum.Parse<ErasureOutcome>(outcome), decision.Outcome);
        Assert.Equal(rule, decision.Rule);
        Assert.Equal(OptD(retainUntil), decision.RetainUntil);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Fact]
    public void Erasure_KeepsInvoicesInsideLimitationPeriod_UntilTheirLastDay()
    {
        var invoice = R("invoice", "Date=2020-03-31"); // FY ends 31/3/2020 -> kept to 31/3/2026
        Assert.Equal(ErasureOutcome.Retained, RetentionRules.Decide(DataMap.Shipped.Get(SystemCatalog.Contracts), invoice, new RetentionFacts(D("2026-03-31"), null)).Outcome);
        Assert.Equal(ErasureOutcome.Erased, RetentionRules.Decide(DataMap.Shipped.Get(SystemCatalog.Contracts), invoice, new RetentionFacts(D("2026-04-01"), null)).Outcome);
    }

    [Theory]
    [InlineData("contracts", "invoice", "Date=2025-06-01", "2032-03-31", "Companies Act 2006", "Art 17(3)(b)")]
    [InlineData("contracts", "contract", "End=2026-03-31", "2033-03-31", "Limitation Act 1980", "Art 17(3)(e)")]
    [InlineData("crm", "customer contact", "Name=Alice Smith", "2033-03-31", "Limitation Act 1980", "Art 17(3)(e)")]
    [InlineData("partner-shares", "partner share", "When=2023-04-03", "2029-04-03", "Limitation Act 1980", "Art 19")]
    public void Retained_ReasonNamesTheLawAndTheDate(string system, string category, string fields, string until, string statute, string article)
    {
        var decision = RetentionRules.Decide(DataMap.Shipped.Describe(system), R(category, fields), new RetentionFacts(Today, D("2033-03-31")));

        Assert.Equal(ErasureOutcome.Retained, decision.Outcome);
        Assert.Equal(D(until), decision.RetainUntil);
        Assert.Contains(EmailComposer.LongDate(D(until)), decision.Reason, StringComparison.Ordinal);
        Assert.Contains(statute, decision.Reason, StringComparison.Ordinal);
        Assert.Contains(article, decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contracts", "invoice")]
    [InlineData("contracts", "contract")]
    [InlineData("crm", "customer contact")]
    [InlineData("partner-shares", "partner share")]
    [InlineData("communications", "marketing consent")]
    [InlineData("feedback", "feedback answer")]
    [InlineData("website-accounts", "account")]
    [InlineData("downloads", "download")]
    [InlineData("legacy-system", "anything")]
    public void LegalHold_RetainsEverything_UntilLifted(string system, string category)
    {
        // Every date long past: without the hold each of these would be erased or anonymised.
        var record = R(category, "Date=2001-01-01;End=2001-01-01;When=2001-01-01");
        var decision = RetentionRules.Decide(DataMap.Shipped.Describe(system), record, new RetentionFacts(Today, D("2007-01-01"), LegalHold: true, LegalHoldReason: "litigation about contract C-2019-0007"));

        Assert.Equal(ErasureOutcome.Retained, decision.Outcome);
        Assert.Null(decision.RetainUntil);
        Assert.Equal("legal-hold", decision.Rule);
        Assert.Contains("Art 17(3)(e)", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("litigation about contract C-2019-0007", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contract|End=2026-03-31", "2032-03-31")] // s 5: six years
    [InlineData("contract|End=2026-03-31;Deed=yes", "2038-03-31")] // s 8: twelve for a deed
    [InlineData("contract|End=2026-03-31;Deed=TRUE", "2038-03-31")]
    [InlineData("contract|End=2026-03-31;Deed=no", "2032-03-31")]
    [InlineData("licence|Expires=2027-03-31", "2033-03-31")] // a licence ends when it expires
    [InlineData("Licence|Expires=2027-03-31;End=2025-01-01", "2033-03-31")] // Expires wins for a licence
    [InlineData("supplier contract|End=2027-12-31", "2033-12-31")]
    [InlineData("Framework Contract|End=2024-02-29", "2030-02-28")] // any category containing "contract"; leap day
    [InlineData("contract|Start=2023-04-01", "2032-11-24")] // no end: still running, today + six years as a floor
    [InlineData("contract|End=31/03/2026", "2032-11-24")] // unreadable end: treated as running
    [InlineData("contract|Start=2023-04-01;Deed=yes", "2038-11-24")]
    [InlineData("contract|End=2026-03-31,licence|Expires=2027-03-31,invoice|Date=2030-01-01", "2033-03-31")] // the latest; invoices don't count
    [InlineData("contract|End=2019-05-01;Deed=yes,contract|End=2026-03-31", "2032-03-31")] // a deed ending earlier can still win or lose
    public void ContractClaimsUntil_IsTheLatestEndPlusTheLimitationPeriod(string records, string expected)
    {
        var parsed = records.Split(',').Select(r => r.Split('|')).Select(p => R(p[0], p[1]));
        Assert.Equal(D(expected), RetentionRules.ContractClaimsUntil(parsed, Today));
    }

    [Theory]
    [InlineData("")]
    [InlineData("invoice|Date=2025-01-01")]
    [InlineData("customer contact|Name=Alice Smith,download|Product=JML Ledger Pro")]
    public void ContractClaimsUntil_IsNull_WithoutAContract(string records)
    {
        var parsed = records.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('|')).Select(p => R(p[0], p[1]));
        Assert.Null(RetentionRules.ContractClaimsUntil(parsed, Today));
    }

    [Theory]
    [InlineData("2020-01-15", "2020-03-31")]
    [InlineData("2020-03-31", "2020-03-31")]
    [InlineData("2020-04-01", "2021-03-31")]
    [InlineData("2020-12-31", "2021-03-31")]
    public void FinancialYearEnd_Is31March(string date, string expected) =>
        Assert.Equal(D(expected), RetentionRules.FinancialYearEnd(D(date)));

    [Fact]
    public void Anonymise_Feedback_KeepsOnlyTheMonthAndTheRating()
    {
        var record = R("feedback answer", "Asked=2025-09-10;Rating=4;Answer=Support was great, Tom Baker fixed it.;Email=alice.smith@example.com");
        var kept = RetentionRules.Anonymise(DataMap.Shipped.Get(SystemCatalog.Feedback), record, "alice.smith@example.com");

        Assert.Equal(new Dictionary<string, string?> { ["Asked"] = "2025-09", ["Rating"] = "4" }, kept);
    }

    [Theory]
    [InlineData("alice.smith@example.com")]
    [InlineData("  Alice.Smith@EXAMPLE.com ")]
    public void Anonymise_Consent_BecomesASuppressionEntry_KeyedByTheHashOfTheNormalisedEmail(string email)
    {
        var kept = RetentionRules.Anonymise(DataMap.Shipped.Get(SystemCatalog.Communications), R("marketing consent", "Consent=yes;Given=2021-03-14"), email);

        // SHA-256("alice.smith@example.com"), computed independently.
        Assert.Equal(new Dictionary<string, string?>
        {
            ["Suppressed"] = "yes",
            ["EmailHash"] = "7dcd3a39ad3a8d2145645ec612ed4f6fa3f297b47bdcf7e0aeb76040f5e24e89",
        }, kept);
    }

    [Fact]
    public void ASuppressionEntry_IsDescribedAsWhatEachSystemKeeps_TheHashHere_TheAddressAtTheMailingService()
    {
        var facts = new RetentionFacts(D("2026-12-01"), null);
        var ours = RetentionRules.Decide(DataMap.Shipped.Get(SystemCatalog.Communications), R("marketing consent", "Consent=yes"), facts);
        var sendGrid = RetentionRules.Decide(DataMap.Shipped.Get(SystemCatalog.MarketingContacts), R("contact", "email=alice.smith@example.com;first_name=Alice"), facts);

        Assert.Equal(ErasureOutcome.Anonymised, ours.Outcome);
        Assert.Contains("a one-way code made from your email address, not the address itself", ours.Reason, StringComparison.Ordinal);
        Assert.Equal(ErasureOutcome.Anonymised, sendGrid.Outcome);
        Assert.Contains("your email address alone, on the suppression list of our email service (SendGrid)", sendGrid.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("one-way code", sendGrid.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("website-accounts", "account", "LoginEmail=alice.smith@example.com;Name=Alice Smith;Created=2021-03-14")]
    [InlineData("website-accounts", "cookie log-in", "At=2026-10-02T08:14:00Z;IpAddress=203.0.113.24;OperatingSystem=Windows 11;Browser=Edge 141")]
    [InlineData("crm", "customer contact", "Name=Alice Smith;Company=Smith Analytics Ltd;Phone=01632 960123;Address=1 High Street, Leeds LS1 1AA")]
    [InlineData("contracts", "licence", "LicenceKey=JLP-7781-XXXX;Product=JML Ledger Pro;Expires=2027-03-31")]
    [InlineData("feedback", "feedback answer", "Asked=2025-09-10;Rating=4;Answer=Alice Smith here, call me on 01632 960123")]
    [InlineData("downloads", "download", "Product=JML Ledger Pro 5.2;At=2025-06-01;ContactGiven=alice.smith@example.com")]
    public void Anonymise_NeverKeepsIdentifyingValues(string system, string category, string fields)
    {
        var kept = RetentionRules.Anonymise(DataMap.Shipped.Describe(system), R(category, fields), "alice.smith@example.com");
        var values = string.Join("|", kept.Values);
        foreach (var identifying in new[] { "alice", "Smith", "01632", "203.0.113", "High Street", "JLP-7781", "Windows 11", "Edge 141", "Answer" })
        {
            Assert.DoesNotContain(identifying, values, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var key in new[] { "Name", "LoginEmail", "Phone", "Address", "IpAddress", "Answer", "LicenceKey", "ContactGiven" })
        {
            Assert.False(kept.ContainsKey(key), key);
        }
    }

    [Theory]
    [InlineData(ErasureOutcome.Erased, "erased")]
    [InlineData(ErasureOutcome.Anonymised, "anonymised")]
    [InlineData(ErasureOutcome.Retained, "retained")]
    public void ToWire_GivesTheEmailOutcomeName(ErasureOutcome outcome, string wire) => Assert.Equal(wire, outcome.ToWire());
}
