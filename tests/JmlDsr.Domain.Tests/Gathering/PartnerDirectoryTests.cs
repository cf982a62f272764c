using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Gathering;

public sealed class PartnerDirectoryTests
{
    private const string Northwind = "Northwind Implementation Partners";
    private const string Fabrikam = "Fabrikam Feedback Services";

    [Theory]
    [InlineData(SystemCatalog.Crm, Northwind)]
    [InlineData(SystemCatalog.Contracts, Northwind)]
    [InlineData(SystemCatalog.Feedback, Fabrikam)]
    [InlineData(SystemCatalog.WebsiteAccounts, "")]
    [InlineData(SystemCatalog.Downloads, "")]
    [InlineData(SystemCatalog.Communications, "")]
    [InlineData(SystemCatalog.PartnerShares, "")]
    [InlineData("unknown", "")]
    public void ForSystem_NamesTheArt19Recipients(string systemId, string expected) =>
        Assert.Equal(expected, string.Join(", ", DataMap.Shipped.PartnersFor(systemId).Select(p => p.Name)));

    [Fact]
    public void ForSystem_AgreesWithTheRecipientsTheAccessExportDeclares()
    {
        // Every partner a system shares with is a recipient the copy declares; a processor (the mailing service) is declared
        // without being a partner told of corrections (Art 19 notices go to those who received data to use it).
        foreach (var system in DataMap.Shipped.Systems.Where(s => DataMap.Shipped.PartnersFor(s.Id).Count > 0))
        {
            Assert.NotEmpty(system.Recipients);
        }

        Assert.Empty(DataMap.Shipped.PartnersFor(SystemCatalog.MarketingContacts));
        Assert.Contains(DataMap.Shipped.Get(SystemCatalog.MarketingContacts).Recipients, r => r.Contains("SendGrid", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Northwind Implementation Partners", "privacy@northwind-partners.example", "Partner confidentiality agreement 2022")]
    [InlineData("  northwind implementation PARTNERS ", "privacy@northwind-partners.example", "Partner confidentiality agreement 2022")]
    [InlineData("FABRIKAM FEEDBACK SERVICES", "dpo@fabrikam-feedback.example", "Data processing agreement 2024")]
    public void Find_IgnoresCase(string name, string email, string terms)
    {
        var partner = DataMap.Shipped.FindPartner(name);
        Assert.NotNull(partner);
        Assert.Equal(email, partner.Email);
        Assert.Equal(terms, partner.Terms);
    }

    [Theory]
    [InlineData("Northwind")]
    [InlineData("")]
    [InlineData("Contoso")]
    public void Find_ReturnsNull_ForAnUnknownName(string name) => Assert.Null(DataMap.Shipped.FindPartner(name));

    [Fact]
    public void All_ListsBothDemoPartners() =>
        Assert.Equal([Northwind, Fabrikam], DataMap.Shipped.Partners.Select(p => p.Name));
}
