using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Export;

public sealed class FieldLabelsTests
{
    [Theory]
    [InlineData(SystemCatalog.WebsiteAccounts, "IpAddress", "IP address")]
    [InlineData(SystemCatalog.WebsiteAccounts, "LoginEmail", "Login email")]
    [InlineData(SystemCatalog.WebsiteAccounts, "OperatingSystem", "Operating system")]
    [InlineData(SystemCatalog.WebsiteAccounts, "At", "Signed in at")]
    [InlineData(SystemCatalog.Downloads, "At", "Downloaded on")]
    [InlineData(SystemCatalog.Downloads, "ContactGiven", "Contact details given")]
    [InlineData(SystemCatalog.Contracts, "LicenceKey", "Licence key")]
    [InlineData(SystemCatalog.Crm, "Phone", "Phone number")]
    [InlineData(SystemCatalog.PartnerShares, "When", "When it was shared")]
    [InlineData(null, "At", "When")]
    public void KnownFields_HaveTheirLabel_AndASystemsOwnLabelComesFirst(string? system, string field, string label) =>
        Assert.Equal(label, FieldLabels.For(DataMap.Shipped.Find(system), field));

    [Theory]
    [InlineData("LastLoginAt", "Last login at")]
    [InlineData("lastLoginAt", "Last login at")]
    [InlineData("HTTPReferrer", "HTTP referrer")]
    [InlineData("CustomerID", "Customer ID")]
    [InlineData("Address2", "Address 2")]
    [InlineData("last_login_at", "Last login at")]
    [InlineData("postal-code", "Postal code")]
    [InlineData("VAT", "VAT")]
    [InlineData("Note", "Note")]
    [InlineData("X", "X")]
    [InlineData("", "")]
    public void UnknownFields_AreTheirNameSplitIntoWords(string field, string label)
    {
        Assert.Equal(label, FieldLabels.Split(field));
        Assert.Equal(label, FieldLabels.For(DataMap.Shipped.Find(SystemCatalog.Crm), field));
    }
}
