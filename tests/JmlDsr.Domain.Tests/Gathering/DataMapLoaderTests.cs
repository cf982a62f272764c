using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Gathering;

/// <summary>The data map as configuration: the shipped file, and what a mistake in someone's own file is told.</summary>
public sealed class DataMapLoaderTests
{
    private const string OneSystem = """
        systems:
          - id: licensing
            name: Licensing database
            owner: licensing@jml.example
            purposes: To issue and check licences.
            lawfulBasis: Contract (Art 6(1)(b)).
            categories: [licence keys]
            source: From you when you bought a licence.
            retention: Six years after the licence ends.
            lookup:
              - key: email
            connector:
              kind: table
              table: SysLicensing

        """;

    [Fact]
    public void TheShippedMap_DescribesJmlsSystems_WithAnOwnerEach_AndTheMailingListsInSendGrid()
    {
        var map = DataMap.Shipped;
        Assert.Equal([SystemCatalog.WebsiteAccounts, SystemCatalog.Crm, SystemCatalog.Contracts, SystemCatalog.Downloads, SystemCatalog.Communications, SystemCatalog.MarketingContacts, SystemCatalog.Feedback, SystemCatalog.PartnerShares],
            map.Systems.Select(s => s.Id));
        Assert.All(map.Systems, s => Assert.Contains("@jml.example", s.Owner, StringComparison.Ordinal));
        Assert.All(map.Systems.Where(s => s.Connector.Kind == "table"), s => Assert.False(string.IsNullOrWhiteSpace(s.Connector.Setting("table"))));
        var lists = map.Get(SystemCatalog.MarketingContacts);
        Assert.Equal("sendgrid-marketing", lists.Connector.Kind);
        Assert.True(lists.Has(SystemRoles.Marketing));
        Assert.Equal(ErasureActions.Suppress, lists.RightsFor("contact").Erasure);
        Assert.Contains("SendGrid", lists.SuppressionKeeps, StringComparison.Ordinal);
        Assert.Equal("JML Software Solutions Ltd", map.Controller.Name);
        Assert.Single(map.WithRole(SystemRoles.Disclosures));
        Assert.Equal(ErasureActions.RetainAccountingRecords, map.Get(SystemCatalog.Contracts).RightsFor("invoice").Erasure);
        Assert.Equal(ErasureActions.RetainContractClaims, map.Get(SystemCatalog.Contracts).RightsFor("licence").Erasure);
        Assert.Equal(ErasureActions.Suppress, map.Get(SystemCatalog.Communications).RightsFor("marketing consent").Erasure);
        Assert.Equal(ErasureActions.Delete, map.Get(SystemCatalog.Communications).RightsFor("new-product notice").Erasure);
    }

    [Fact]
    public void AMapWithOnlyWhatIsRequired_TakesTheDefaults()
    {
        var s = DataMapLoader.Parse(OneSystem, "test.yaml").Get("licensing");
        Assert.Equal([LookupKey.Email], s.Lookup);
        Assert.Empty(s.Recipients);
        Assert.Equal(CategoryRights.Default, s.RightsFor("anything"));
        Assert.Equal("SysLicensing", s.Connector.Setting("table"));
    }

    [Theory]
    [InlineData("    owner: licensing@jml.example\n", "", "system 'licensing'", "owner")]
    [InlineData("      kind: table\n", "      kind: ftp\n", "system 'licensing': connector.kind", "")]
    [InlineData("      table: SysLicensing\n", "      table: Sys-Licensing\n", "system 'licensing': connector.table", "")]
    [InlineData("    owner: licensing@jml.example\n", "    owner: the licensing team\n", "system 'licensing': owner", "")]
    [InlineData("    categories: [licence keys]\n", "    categories: []\n", "system 'licensing': categories", "")]
    [InlineData("      table: SysLicensing\n", "      table: SysLicensing\n      password: hunter2\n", "system 'licensing': connector", "password")]
    public void ASchemaMistake_NamesTheSystemAndTheField(string replace, string with, string where, string also)
    {
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(OneSystem.Replace(replace, with, StringComparison.Ordinal), "mine.yaml"));
        Assert.Contains("mine.yaml", e.Message, StringComparison.Ordinal);
        Assert.Contains(e.Errors, x => x.StartsWith(where, StringComparison.Ordinal) && x.Contains(also, StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnknownErasureAction_IsRefused_WithThePlaceOfTheRule()
    {
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(OneSystem + "    rights:\n      - category: \"*\"\n        erasure: shred\n", "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': rights.0.erasure", StringComparison.Ordinal));
    }

    [Fact]
    public void WhatASchemaCannotSay_IsChecked_AndEveryProblemIsListed()
    {
        var yaml = OneSystem + """
            recipients:
              partners: [contoso]
            rights:
              - category: "*"
                restriction: mark
              - category: "*"
                erasure: delete
        """ + Another("licensing", "Second", "SysLicensing", "customer-number", "billing", "CustomerNumber");
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml, "mine.yaml"));
        Assert.Contains("system 'licensing': id: the id is used by 2 systems", e.Errors);
        Assert.Contains("system 'licensing': recipients.partners: no partner has the id 'contoso'", e.Errors);
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': rights: the category '*' has 2 rules", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': restrictionMark:", StringComparison.Ordinal));
        Assert.Contains("system 'licensing': lookup.customer-number.from: no system has the id 'billing'", e.Errors);
        Assert.Contains("system 'licensing': connector.table: 'SysLicensing' is already the table of 'licensing'", e.Errors);
    }

    [Fact]
    public void KeysThatGoRoundInACircle_AreRefused()
    {
        var yaml = OneSystem.Replace("      - key: email\n", "      - key: account\n        from: portal\n        field: Licence\n", StringComparison.Ordinal) + Another("portal", "Portal", "SysPortal", "licence", "licensing", "Account");
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml, "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': lookup: its keys come", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'portal': lookup: its keys come", StringComparison.Ordinal));
    }

    [Fact]
    public void ASendGridMarketingSystem_NamesItsKeySetting_AndIsFoundByEmailOnly()
    {
        var yaml = OneSystem.Replace("      kind: table\n      table: SysLicensing\n", "      kind: sendgrid-marketing\n      apiKey: SendGrid__MarketingApiKey\n", StringComparison.Ordinal)
            + "    suppressionKeeps: your address on SendGrid's list\n";
        var s = DataMapLoader.Parse(yaml, "mine.yaml").Get("licensing");
        Assert.Equal("sendgrid-marketing", s.Connector.Kind);
        Assert.Equal("SendGrid__MarketingApiKey", s.Connector.Setting("apiKey"));
        Assert.Equal("your address on SendGrid's list", s.SuppressionKeeps);

        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml.Replace("apiKey: SendGrid__MarketingApiKey", "table: SysLists", StringComparison.Ordinal), "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': connector", StringComparison.Ordinal));
        var derived = yaml.Replace("      - key: email\n", "      - key: customer-number\n        from: crm\n        field: CustomerNumber\n", StringComparison.Ordinal) + Another("crm", "CRM", "SysCrm");
        e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(derived, "mine.yaml"));
        Assert.Contains("system 'licensing': lookup: SendGrid finds a contact by email address only", e.Errors);
    }

    [Fact]
    public void AnOwnerTaskSystem_HasItsRemindersAndAlertInTheMap_IsFoundByEmailOnly_AndGivesNoKeys()
    {
        var yaml = OneSystem.Replace("      kind: table\n      table: SysLicensing\n", "      kind: owner-task\n      remindEvery: P1D\n      alertAfter: PT36H\n", StringComparison.Ordinal);
        var s = DataMapLoader.Parse(yaml, "mine.yaml").Get("licensing");
        Assert.Equal("owner-task", s.Connector.Kind);
        Assert.Equal(new OwnerTaskTiming(TimeSpan.FromDays(1), TimeSpan.FromHours(36)), OwnerTaskTiming.Of(s));
        Assert.Equal(OwnerTaskTiming.Default, OwnerTaskTiming.Of(DataMapLoader.Parse(yaml.Replace("      remindEvery: P1D\n      alertAfter: PT36H\n", string.Empty, StringComparison.Ordinal), "mine.yaml").Get("licensing")));

        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml.Replace("P1D", "every day", StringComparison.Ordinal), "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': connector.remindEvery", StringComparison.Ordinal));
        e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml.Replace("    lookup:\n", "    roles: [identity]\n    lookup:\n", StringComparison.Ordinal), "mine.yaml"));
        Assert.Contains("system 'licensing': roles: an owner-task system answers only when its owner does, so it cannot be one that identifies people", e.Errors);
        var keyed = yaml + Another("portal", "Portal", "SysPortal", "licence", "licensing", "Licence");
        e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(keyed, "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'portal': lookup: 'licensing' is an owner-task system", StringComparison.Ordinal));
    }

    [Fact]
    public void AnEnvironmentsMap_ExtendsTheShippedOne_AddingSystemsAndReplacingThemById()
    {
        var yaml = "extends: datamap.yaml\n" + OneSystem
            + Another("feedback", "Feedback spreadsheet", "SysFeedbackSheet");
        var map = DataMapLoader.Parse(yaml, "config/datamap.staging.yaml");
        Assert.Equal([.. DataMap.Shipped.Systems.Select(s => s.Id), "licensing"], map.Systems.Select(s => s.Id));
        Assert.Equal("Feedback spreadsheet", map.Get("feedback").Name); // replaced where it stood
        Assert.Equal("SysFeedbackSheet", map.Get("feedback").Connector.Setting("table"));
        Assert.Equal(DataMap.Shipped.Partners.Count, map.Partners.Count);
        Assert.Equal("JML Software Solutions Ltd", map.Controller.Name);

        // A map beside it, by the caller's reader; one that is not there is named.
        var two = DataMapLoader.Parse("extends: base.yaml\nsystems: []\n", "env.yaml", name => name == "base.yaml" ? OneSystem : null);
        Assert.Equal(["licensing"], two.Systems.Select(s => s.Id));
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse("extends: missing.yaml\nsystems: []\n", "env.yaml", _ => null));
        Assert.Equal(["extends: 'missing.yaml' is not a data map beside this one"], e.Errors);
        e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse("extends: ../secrets/other.yaml\nsystems: []\n", "env.yaml", _ => OneSystem));
        Assert.Contains(e.Errors, x => x.StartsWith("extends: '../secrets/other.yaml'", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnknownConnectorKind_OrRight_IsRefused_ListingWhatIsAllowed()
    {
        var yaml = OneSystem.Replace("kind: table", "kind: mongodb", StringComparison.Ordinal)
            + "    rights:\n      - category: \"*\"\n        erasure: shred\n";
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml, "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': connector.kind: ", StringComparison.Ordinal) && x.EndsWith("(one of: table, sql, http, sendgrid-marketing, owner-task)", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': rights.0.erasure: ", StringComparison.Ordinal)
            && x.EndsWith("(one of: delete, anonymise, suppress, retain-contract-claims, retain-accounting-records, retain-accountability)", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAnonymisedRecord_CannotKeepWhatIdentifiesThePerson()
    {
        var yaml = OneSystem + "    fields:\n      identifying: [Name]\n    anonymise:\n      keep: [Name, Product]\n";
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml, "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("system 'licensing': anonymise: 'Name' identifies the person", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("systems: [\n", "line 2")]
    [InlineData("systems:\n  - id: a\n    id: b\n", "line 3, column 5: Duplicate key id")]
    [InlineData("", "empty")]
    public void UnreadableYaml_SaysWhere(string yaml, string expected)
    {
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml, "mine.yaml"));
        Assert.Contains(e.Errors, x => x.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void QuotedText_StaysText_WhilePlainTrueIsABoolean()
    {
        var yaml = "partners:\n  - id: p\n    name: P\n    email: p@p.example\n    terms: T\n    markets: \"true\"\n" + OneSystem;
        var e = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(yaml, "mine.yaml"));
        Assert.Contains(e.Errors, x => x.StartsWith("partner 'p': markets", StringComparison.Ordinal));
        Assert.True(DataMapLoader.Parse(yaml.Replace("\"true\"", "true", StringComparison.Ordinal), "mine.yaml").Partners[0].Markets);
    }

    [Fact]
    public void ADerivedKey_PutsItsSystemAfterTheSystemItReadsFrom()
    {
        var yaml = OneSystem.Replace("      - key: email\n", "      - key: customer-number\n        from: crm\n        field: CustomerNumber\n", StringComparison.Ordinal) + Another("crm", "CRM", "SysCrm");
        var map = DataMapLoader.Parse(yaml, "mine.yaml");
        var licensing = map.Get("licensing");
        Assert.Equal(new LookupKey("customer-number", "crm", "CustomerNumber", "CustomerNumber"), Assert.Single(licensing.Lookup));
        Assert.Equal(["crm"], map.SourcesOf(licensing).Select(s => s.Id));
    }

    /// <summary>Another system's entry: found by email, or by a key read from another system's field.</summary>
    private static string Another(string id, string name, string table, string key = "email", string? from = null, string? field = null) =>
        $"\n  - id: {id}\n    name: {name}\n    owner: a@jml.example\n    purposes: p\n    lawfulBasis: b\n    categories: [c]\n    source: s\n    retention: r\n"
        + $"    lookup:\n      - key: {key}\n" + (from is null ? string.Empty : $"        from: {from}\n        field: {field}\n")
        + $"    connector:\n      kind: table\n      table: {table}\n";
}
