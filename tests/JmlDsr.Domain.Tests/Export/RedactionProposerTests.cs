using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Export;

/// <summary>The approval page proposes other people's data for redaction (Art 15(4)), never the requester's own (Art 15).</summary>
public sealed class RedactionProposerTests
{
    private const string Alice = "alice.smith@example.com";

    /// <summary>Alice's records as the demo systems hold them, with her own phone repeated in her feedback.</summary>
    private static RedactionProposer AliceRecords(string? feedback = null, string? crmNotes = null)
    {
        var proposer = new RedactionProposer(Alice, "Alice Smith");
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.WebsiteAccounts), SystemCatalog.WebsiteAccounts, Record("account", ("LoginEmail", Alice), ("Name", "Alice Smith"), ("Created", "2021-03-14")));
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.Crm), SystemCatalog.Crm, Record("customer contact", ("Name", "Alice Smith"), ("Company", "Smith Analytics Ltd"), ("Phone", "01632 960123"),
            ("Address", "1 High Street, Leeds LS1 1AA"), ("Role", "Director"), ("Email", "a.smith@smith-analytics.example"), ("Notes", crmNotes)));
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.Downloads), SystemCatalog.Downloads, Record("download", ("Product", "JML Ledger Pro 5.2"), ("ContactGiven", Alice)));
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.Feedback), SystemCatalog.Feedback, Record("feedback answer", ("Rating", "4"),
            ("Answer", feedback ?? "Support was great; Tom Baker from your team fixed the import quickly.")));
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.PartnerShares), SystemCatalog.PartnerShares, Record("partner share", ("Partner", "Northwind Implementation Partners"), ("Shared", "name, email, company")));
        return proposer;
    }

    private static PersonalRecord Record(string category, params (string Field, string? Value)[] fields) =>
        new(category, fields.ToDictionary(f => f.Field, f => f.Value));

    [Theory]
    [InlineData("01632 960123")] // her phone, from her own CRM contact
    [InlineData("Alice Smith")] // her name
    [InlineData("1 High Street, Leeds LS1 1AA")] // her address
    [InlineData(Alice)] // her account email
    [InlineData("a.smith@smith-analytics.example")] // her work email in her own contact
    [InlineData("Smith Analytics Ltd")]
    public void RequestersOwnValues_AreNeverProposed(string own) =>
        Assert.DoesNotContain(AliceRecords().Proposals(), p => p.Text.Contains(own, StringComparison.OrdinalIgnoreCase) || own.Contains(p.Text, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void AThirdPersonInAFeedbackAnswer_IsProposed_WithTheReason()
    {
        var proposal = Assert.Single(AliceRecords().Proposals());

        Assert.Equal(new RedactionProposal("Tom Baker", ThirdPartyRedactor.NameKind, proposal.Reason, SystemCatalog.Feedback, "Answer"), proposal);
        Assert.StartsWith("Found in free text (Customer feedback, Answer).", proposal.Reason, StringComparison.Ordinal);
        Assert.Contains("Art 15(4)", proposal.Reason, StringComparison.Ordinal);
    }

    [Theory]
    // Her own values, written again in free text, stay hers.
    [InlineData("Call me on 01632 960123 or +44 1632 960123.", "")]
    [InlineData("Write to a.smith@smith-analytics.example, not alice.smith@example.com.", "")]
    [InlineData("Ms Smith was pleased. Alice Smith, Director.", "")]
    // Other people in the same free text are proposed.
    [InlineData("Tom Baker (tom.baker@example.org, 07700 900123) helped.", "name:Tom Baker | email:tom.baker@example.org | phone:07700 900123")]
    [InlineData("My colleague Alice Jones also uses it.", "name:Alice Jones")] // same given name, another person
    [InlineData("Mrs Baker rang from 0113 496 0555.", "name:Mrs Baker | phone:0113 496 0555")]
    public void FreeText_ProposesOthers_NotTheRequester(string feedback, string expected) =>
        Assert.Equal(expected, string.Join(" | ", AliceRecords(feedback).Proposals().Select(p => $"{p.Kind}:{p.Text}")));

    [Fact]
    public void NotesInTheRequestersOwnContact_AreScannedAsFreeText()
    {
        var proposals = AliceRecords(feedback: "Fine.", crmNotes: "Spoke to her assistant Emily Clarke on 020 7946 0321.").Proposals();

        Assert.Equal(["Emily Clarke", "020 7946 0321"], proposals.Select(p => p.Text));
        Assert.All(proposals, p => Assert.Equal((SystemCatalog.Crm, "Notes"), (p.SystemId, p.Field)));
    }

    [Fact]
    public void OwnValues_CountWhateverOrderTheSystemsArrive()
    {
        // The feedback (with her phone) before the CRM contact that says the phone is hers.
        var proposer = new RedactionProposer(Alice, null);
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.Feedback), SystemCatalog.Feedback, Record("feedback answer", ("Answer", "Ring me on 01632 960123, or Tom Baker.")));
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.Crm), SystemCatalog.Crm, Record("customer contact", ("Name", "Alice Smith"), ("Phone", "01632 960123")));

        Assert.Equal(["Tom Baker"], proposer.Proposals().Select(p => p.Text));
    }

    [Fact]
    public void AnotherPersonsPhone_InAStructuredFieldThatIsNotTheirOwn_IsStillProposed()
    {
        var proposer = new RedactionProposer(Alice, "Alice Smith");
        proposer.Add(DataMap.Shipped.Find(SystemCatalog.Contracts), SystemCatalog.Contracts, Record("contract", ("Contract", "C-1"), ("SignedBy", "Tom Baker")));

        Assert.Equal("Tom Baker", Assert.Single(proposer.Proposals()).Text);
    }
}
