using JmlDsr.Domain.Export;
using Xunit;

namespace JmlDsr.Domain.Tests.Export;

public sealed class ThirdPartyRedactorTests
{
    private const string Alice = "alice.smith@example.com";
    private const string AliceName = "Alice Smith";

    private static string Found(string? text, string email = Alice, string? name = AliceName) =>
        string.Join(" | ", ThirdPartyRedactor.Find(text, email, name).Select(c => $"{c.Kind}:{c.Text}"));

    [Fact]
    public void Find_FlagsTheColleagueNamedInFeedback()
    {
        var found = ThirdPartyRedactor.Find("Support was great; Tom Baker from your team fixed the import quickly.", Alice, AliceName);

        var candidate = Assert.Single(found);
        Assert.Equal(new RedactionCandidate("Tom Baker", "name", candidate.Reason), candidate);
        Assert.Contains("Art 15(4)", candidate.Reason, StringComparison.Ordinal);
        Assert.Contains("Sch 2 para 16", candidate.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Thanks to Mary Jane Smith for the demo.", "name:Mary Jane Smith")]
    [InlineData("I spoke to Dr Patel yesterday.", "name:Dr Patel")]
    [InlineData("Mrs. O'Brien rang twice.", "name:Mrs. O'Brien")]
    [InlineData("Ask Mr Smith-Jones or Ms McDonald.", "name:Mr Smith-Jones | name:Ms McDonald")]
    [InlineData("Emily Clarke, then Tom Baker, then Emily Clarke again.", "name:Emily Clarke | name:Tom Baker")]
    [InlineData("Tom Baker Support fixed it", "name:Tom Baker")] // stops at a word that is not part of a name
    [InlineData("Dear Tom Baker,", "name:Tom Baker")]
    public void Find_FlagsNames_ByGivenNameOrTitle(string text, string expected) => Assert.Equal(expected, Found(text));

    [Theory]
    [InlineData("We use JML Ledger Pro every day.")]
    [InlineData("Support was quick.")]
    [InlineData("Our office is at 1 High Street, Leeds.")]
    [InlineData("I work for Smith Analytics Ltd.")]
    [InlineData("Deliver to 4 Victoria Road or George Street.")]
    [InlineData("Jordan Hosting Ltd is our supplier.")]
    [InlineData("Thanks Tom!")] // a given name alone is not enough
    [InlineData("Renewal due in March, see JML Payroll Cloud.")]
    [InlineData("Contract C-2023-0042 started 2023-04-01; key JLP-7781-XXXX; IP 203.0.113.24.")]
    [InlineData("")]
    [InlineData(null)]
    public void Find_LeavesOrdinaryTextAlone(string? text) => Assert.Equal("", Found(text));

    [Theory]
    [InlineData("I am Alice Smith, director.")]
    [InlineData("ALICE SMITH here; write to Alice.Smith@Example.com")]
    [InlineData("Please address it to Mrs Smith.")]
    [InlineData("Yours, alice smith")]
    public void Find_NeverFlagsTheSubjectThemselves(string text) => Assert.Equal("", Found(text));

    [Fact]
    public void Find_FlagsOtherPeoplesEmails_ButNotSharedMailboxes()
    {
        Assert.Equal("email:tom.baker@example.org",
            Found("Copy tom.baker@example.org, support@jmlsoftware.co.uk and me at alice.smith@example.com."));
    }

    [Theory]
    [InlineData("Call 01632 960123 after six.", "01632 960123")]
    [InlineData("Call 020 7946 0321.", "020 7946 0321")]
    [InlineData("Call +44 20 7946 0321.", "+44 20 7946 0321")]
    [InlineData("Call +44 (0)20 7946 0321.", "+44 (0)20 7946 0321")]
    [InlineData("Mobile: 07700 900123", "07700 900123")]
    [InlineData("Mobile: 07700-900-123", "07700-900-123")]
    [InlineData("Mobile:07700900123.", "07700900123")]
    [InlineData("Ring (01632) 960123", "(01632) 960123")]
    public void Find_FlagsUkPhoneNumbers(string text, string phone) => Assert.Equal("phone:" + phone, Found(text));

    [Theory]
    [InlineData("Order 0123456789012345 shipped.")] // too long
    [InlineData("Dated 2025-09-10 and 10/09/2025.")]
    [InlineData("Reference 0042 and 00000 00000.")]
    [InlineData("Version 5.2.0 build 0912345678-b")] // 09 is not a UK number range
    public void Find_DoesNotMistakeOtherNumbersForPhones(string text) => Assert.Equal("", Found(text));

    [Fact]
    public void Find_IsDeduplicated_InOrderOfFirstAppearance()
    {
        Assert.Equal("name:Tom Baker | phone:07700 900123 | email:tom@example.org",
            Found("Tom Baker (07700 900123, tom@example.org) said Tom Baker would call from 07700 900123 or TOM@example.org."));
    }

    [Fact]
    public void Find_WithoutASubjectName_StillExcludesTheirEmail()
    {
        Assert.Equal("name:Tom Baker", Found("Tom Baker wrote to alice.smith@example.com", Alice, null));
    }

    [Theory]
    [InlineData("Tom Baker fixed it; thanks tom baker!", new[] { "Tom Baker" }, "M fixed it; thanks M!")]
    [InlineData("Call Tom Baker or Tom.", new[] { "Tom", "Tom Baker" }, "Call M or M.")] // the longer term wins where they overlap
    [InlineData("ring 07700 900123 now", new[] { "07700 900123", "" }, "ring M now")] // empty terms are ignored
    [InlineData("a person and a PERSON", new[] { "person" }, "a M and a M")] // the marker is not redacted again
    [InlineData("nothing here", new[] { "Tom Baker" }, "nothing here")]
    [InlineData("nothing here", new string[0], "nothing here")]
    public void Redact_ReplacesEveryOccurrence_IgnoringCase(string text, string[] terms, string expected) =>
        Assert.Equal(expected.Replace("M", ThirdPartyRedactor.Marker, StringComparison.Ordinal), ThirdPartyRedactor.Redact(text, terms));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Redact_ReturnsNullOrEmptyTextAsItIs(string? text) => Assert.Equal(text, ThirdPartyRedactor.Redact(text, ["Tom"]));

    [Fact]
    public void GivenNames_AreShippedAsData_WithAboutThreeHundredNames()
    {
        Assert.InRange(ThirdPartyRedactor.GivenNames.Count, 250, 500);
        Assert.Contains("tom", (IReadOnlySet<string>)ThirdPartyRedactor.GivenNames);
        Assert.DoesNotContain("May", (IReadOnlySet<string>)ThirdPartyRedactor.GivenNames);
    }
}
