using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Retention;
using Xunit;

namespace JmlDsr.Domain.Tests.Gathering;

public sealed class RecipientsTests
{
    private const string Northwind = "Northwind Implementation Partners";
    private const string Fabrikam = "Fabrikam Feedback Services";
    private const string Contoso = "Contoso Events Ltd";
    private static readonly DateTimeOffset First = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = First.AddDays(20);

    private static PersonalRecord Share(string? partner, string shared = "name, email, company", string when = "2023-04-03", string terms = "Partner confidentiality agreement 2022", params (string Key, string Value)[] more)
    {
        var fields = new Dictionary<string, string?> { ["Shared"] = shared, ["When"] = when, ["Terms"] = terms };
        if (partner is not null)
        {
            fields["Partner"] = partner;
        }

        foreach (var (k, v) in more)
        {
            fields[k] = v;
        }

        return new PersonalRecord("partner share", fields);
    }

    private static RecipientsRecord Search(DateTimeOffset at, params PersonalRecord[] records)
    {
        var builder = new Recipients.Builder(DataMap.Shipped, new SystemSearch(SystemCatalog.PartnerShares, at, "SysPartnerShares by email address"));
        foreach (var r in records)
        {
            builder.Add(r);
        }

        return builder.Build();
    }

    [Fact]
    public void FromRecord_KeepsWhoWhatWhenAndTerms_AndTheRecordHash_NothingElse()
    {
        var record = Share(" Northwind Implementation Partners ", more: ("Note", "Sent Alice's phone 01632 960123 by mistake"));
        var share = Recipients.FromRecord(DataMap.Shipped, record, First, SystemCatalog.PartnerShares);

        Assert.NotNull(share);
        Assert.Equal(Northwind, share.Partner);
        Assert.True(share.AddressOnFile);
        Assert.Equal("partner share", share.Category);
        Assert.Equal("name, email, company", share.Shared);
        Assert.Equal("2023-04-03", share.When);
        Assert.Equal("Partner confidentiality agreement 2022", share.Terms);
        Assert.Equal(SystemCatalog.PartnerShares, share.Source);
        Assert.Equal(RecordFingerprint.Hash(SystemCatalog.PartnerShares, record), share.RecordSha256);
        Assert.Equal(First, share.RecordedAt);
        Assert.DoesNotContain("01632", share.ToString(), StringComparison.Ordinal); // other fields of the record are not copied
    }

    [Theory]
    [InlineData(Northwind, true)]
    [InlineData("fabrikam feedback services", true)]
    [InlineData(Contoso, false)]
    public void FromRecord_SaysWhetherTheDirectoryHasAnAddress(string partner, bool onFile) =>
        Assert.Equal(onFile, Recipients.FromRecord(DataMap.Shipped, Share(partner), First, SystemCatalog.PartnerShares)!.AddressOnFile);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void FromRecord_ARecordNamingNoPartner_IsNoRecipient_ButIsCounted(string? partner)
    {
        Assert.Null(Recipients.FromRecord(DataMap.Shipped, Share(partner), First, SystemCatalog.PartnerShares));
        Assert.Equal(1, Search(First, Share(partner)).UnnamedShares);
    }

    [Fact]
    public void Builder_IgnoresTheRestrictionFlag_ItIsNoShare()
    {
        var flag = new PersonalRecord(Recipients.RestrictionFlagCategory, new Dictionary<string, string?> { ["Restricted"] = "yes", ["Since"] = "2026-11-02" });
        var record = Search(First, flag, Share(Northwind));

        Assert.False(Recipients.IsShare(flag));
        Assert.Equal(0, record.UnnamedShares);
        Assert.Single(record.Recipients);
    }

    [Fact]
    public void Builder_OneEntryPerDisclosure_SortedByPartner()
    {
        var record = Search(First, Share(Northwind), Share(Northwind), Share(Contoso, "name, email", "2026-01-10", "Event partner terms 2025"), Share(Fabrikam, "feedback answers", "2025-09-12", "Data processing agreement 2024"));

        Assert.Equal([Contoso, Fabrikam, Northwind], record.Recipients.Select(r => r.Partner));
        Assert.Equal(SystemCatalog.PartnerShares, record.System);
        Assert.Equal("Partner sharing records", record.SystemName);
        Assert.Equal(First, record.SearchedAt);
        Assert.Equal(0, record.UnnamedShares);
        Assert.Contains("Art 19", record.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_ARetriedSearchFindingTheSame_ChangesOnlyTheSearchTime()
    {
        var first = Recipients.Merge(null, Search(First, Share(Northwind), Share(Contoso)));
        var again = Recipients.Merge(first, Search(Later, Share(Northwind), Share(Contoso)));

        Assert.Equal(first.Recipients, again.Recipients);
        Assert.Equal(Later, again.SearchedAt);
        Assert.All(again.Recipients, r => Assert.Equal(First, r.RecordedAt)); // when each was first seen
    }

    [Fact]
    public void Merge_NeverDropsARecipient_ALaterRoundOnlyAdds()
    {
        var first = Recipients.Merge(null, Search(First, Share(Northwind), Share(Contoso)));
        var later = Recipients.Merge(first, Search(Later, Share(Fabrikam, "feedback answers")));

        Assert.Equal([Contoso, Fabrikam, Northwind], later.Recipients.Select(r => r.Partner));
        Assert.Equal(Later, later.Recipients.Single(r => r.Partner == Fabrikam).RecordedAt);
    }

    [Fact]
    public void Merge_AnOlderSearchArrivingLate_DoesNotMoveTheSearchTimeBack()
    {
        var later = Recipients.Merge(null, Search(Later, Share(Northwind)));
        var merged = Recipients.Merge(later, Search(First, Share(Northwind)));
        Assert.Equal(Later, merged.SearchedAt);
        Assert.Single(merged.Recipients);
    }

    [Fact]
    public void Plan_TellsThePartnersOfChangedSystems_AndEverySharedWithPartner_OnceEach()
    {
        var shares = new[] { Recipients.FromRecord(DataMap.Shipped, Share(Northwind), First, SystemCatalog.PartnerShares)!, Recipients.FromRecord(DataMap.Shipped, Share("FABRIKAM FEEDBACK SERVICES"), First, SystemCatalog.PartnerShares)! };
        var plan = Recipients.Plan(DataMap.Shipped, [SystemCatalog.Crm, SystemCatalog.Contracts], shares);

        Assert.Equal([Fabrikam, Northwind], plan.ToTell.Select(p => p.Name));
        Assert.Empty(plan.NoAddress);
        Assert.False(plan.NeedsStaff);
    }

    [Fact]
    public void Plan_APartnerWithNoAddress_GoesToStaff_WithWhatItReceived()
    {
        var contoso = Recipients.FromRecord(DataMap.Shipped, Share(Contoso, "name, email", "2026-01-10", "Event partner terms 2025"), First, SystemCatalog.PartnerShares)!;
        var again = Recipients.FromRecord(DataMap.Shipped, Share("contoso events ltd ", "name, email", "2026-01-10", "Event partner terms 2025"), Later, SystemCatalog.PartnerShares)!;
        var plan = Recipients.Plan(DataMap.Shipped, [SystemCatalog.WebsiteAccounts], [contoso, again]);

        Assert.Empty(plan.ToTell);
        var unreachable = Assert.Single(plan.NoAddress);
        Assert.Equal(Contoso, unreachable.Partner);
        Assert.Single(unreachable.Shares);
        Assert.True(plan.NeedsStaff);
        Assert.Equal("name, email on 2026-01-10 under Event partner terms 2025", Recipients.Describe(unreachable.Shares[0]));
    }

    [Fact]
    public void Plan_UsesTheDirectoryAsItIsNow_NotAsItWasWhenRecorded()
    {
        var recordedWithoutAddress = Recipients.FromRecord(DataMap.Shipped, Share(Northwind), First, SystemCatalog.PartnerShares)! with { AddressOnFile = false };
        Assert.Equal([Northwind], Recipients.Plan(DataMap.Shipped, [], [recordedWithoutAddress]).ToTell.Select(p => p.Name));
    }

    [Fact]
    public void Plan_UntracedShares_NeedStaff_EvenWithNoPartnerNamed()
    {
        var plan = Recipients.Plan(DataMap.Shipped, [SystemCatalog.PartnerShares], [], untracedShares: 2);
        Assert.Empty(plan.ToTell);
        Assert.Equal(2, plan.UntracedShares);
        Assert.True(plan.NeedsStaff);
    }

    [Fact]
    public void Plan_NoSharesAndNoPartnerSystemsChanged_TellsNoOne_AndNeedsNoStaff()
    {
        var plan = Recipients.Plan(DataMap.Shipped, [SystemCatalog.WebsiteAccounts, SystemCatalog.Downloads], []);
        Assert.Empty(plan.ToTell);
        Assert.False(plan.NeedsStaff);
    }
}
