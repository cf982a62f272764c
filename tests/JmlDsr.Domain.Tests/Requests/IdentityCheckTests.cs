using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Requests;

public sealed class IdentityCheckTests
{
    [Theory]
    // authenticated, on record, agent, staff reason -> need
    [InlineData(true, true, false, null, IdentityNeed.NotInDoubt)]
    [InlineData(false, true, false, null, IdentityNeed.ConfirmMailbox)]
    [InlineData(true, false, false, null, IdentityNeed.OtherIdentifiers)]
    [InlineData(false, false, false, null, IdentityNeed.OtherIdentifiers)]
    [InlineData(true, true, true, null, IdentityNeed.Authority)]
    [InlineData(false, false, true, null, IdentityNeed.Authority)]
    [InlineData(true, true, false, "Account recently taken over", IdentityNeed.ConfirmMailbox)]
    [InlineData(true, false, false, "Name differs from the account's", IdentityNeed.OtherIdentifiers)]
    [InlineData(true, true, false, "   ", IdentityNeed.NotInDoubt)]
    public void Assess_AsksOnlyWhereThereIsReasonableDoubt_Art12_6(bool authenticated, bool onRecord, bool agent, string? staffReason, IdentityNeed expected)
    {
        var result = IdentityCheck.Assess(authenticated, onRecord, agent, staffReason);

        Assert.Equal(expected, result.Need);
        Assert.Equal(expected != IdentityNeed.NotInDoubt, result.AsksRequester);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void StaffReason_IsRecordedInTheReason()
    {
        var result = IdentityCheck.Assess(true, true, false, "Account recently taken over.");

        Assert.Equal("Staff asked for ID: Account recently taken over.", result.Reason);
    }

    [Fact]
    public void NotInDoubt_SaysWhyAndThatTheMonthRunsFromReceipt()
    {
        var reason = IdentityCheck.Assess(true, true, false).Reason;

        Assert.Contains("SPF or DKIM aligned with From", reason, StringComparison.Ordinal);
        Assert.Contains("runs from receipt", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(IdentityNeed.NotInDoubt, "not-in-doubt")]
    [InlineData(IdentityNeed.ConfirmMailbox, "confirm-mailbox")]
    [InlineData(IdentityNeed.OtherIdentifiers, "other-identifiers")]
    [InlineData(IdentityNeed.Authority, "authority")]
    public void WireNames_RoundTrip(IdentityNeed need, string wire)
    {
        Assert.Equal(wire, IdentityCheck.ToWire(need));
        Assert.Equal(need, IdentityCheck.FromWire(wire));
    }

    [Fact]
    public void UnknownWire_IsAConfirmation_TheSafeChoice() => Assert.Equal(IdentityNeed.ConfirmMailbox, IdentityCheck.FromWire(null));

    [Theory]
    [InlineData(true, "from", true)]
    [InlineData(false, "from", false)]
    [InlineData(true, "forwarded", false)]
    [InlineData(true, "reply-to", false)]
    [InlineData(true, "attached", false)]
    [InlineData(true, "staff", false)]
    public void OnlyAuthenticatedMailWhoseFromIsTheRequester_ProvesTheSender(bool authenticated, string source, bool proves) =>
        Assert.Equal(proves, IdentityCheck.MailProvesSender(authenticated, source));
}
