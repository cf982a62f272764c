using JmlDsr.Domain.Emails;
using Xunit;

namespace JmlDsr.Domain.Tests.Emails;

public sealed class MailGuardTests
{
    private static readonly string[] Staff = ["privacy@jmlsoftware.co.uk", "dpo@jmlsoftware.co.uk"];
    private static readonly string[] Internal = ["jmlsoftware.co.uk"];

    [Theory]
    [InlineData("alice@example.com", 0, MailGuardVerdict.Send)]
    [InlineData("alice@example.com", 19, MailGuardVerdict.Send)]
    [InlineData("alice@example.com", 20, MailGuardVerdict.CircuitOpen)]
    [InlineData("enquiries@jmlsoftware.co.uk", 0, MailGuardVerdict.InternalRecipient)]
    [InlineData("Someone@JMLSOFTWARE.co.uk", 0, MailGuardVerdict.InternalRecipient)]
    [InlineData("privacy@jmlsoftware.co.uk", 20, MailGuardVerdict.Send)]
    [InlineData("PRIVACY@jmlsoftware.co.uk", 199, MailGuardVerdict.Send)]
    [InlineData("privacy@jmlsoftware.co.uk", 200, MailGuardVerdict.CircuitOpen)]
    public void Decide_SendsOnlyToOutsideAddressesAndStaff_WithinTheHourlyLimit(string to, int sentThisHour, MailGuardVerdict expected) =>
        Assert.Equal(expected, MailGuard.Decide(to, Staff, Internal, sentThisHour, perAddressLimit: 20));

    [Fact]
    public void AddressKey_IsTheSameForAnyCase_AndDoesNotHoldTheAddress()
    {
        var key = MailGuard.AddressKey("Alice@Example.com ");
        Assert.Equal(key, MailGuard.AddressKey("alice@example.com"));
        Assert.DoesNotContain("alice", key, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(32, key.Length);
    }

    [Fact]
    public void HourBucket_IsTheUtcHour() =>
        Assert.Equal("2026120109", MailGuard.HourBucket(new DateTimeOffset(2026, 12, 1, 9, 59, 59, TimeSpan.Zero)));
}
