using JmlDsr.Domain.Intake;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

public sealed class RequesterExtractorTests
{
    private static readonly string[] Internal = ["jmlsoftware.co.uk"];

    [Theory]
    [InlineData("Jane Doe <jane@example.com>", "jane@example.com", "Jane Doe")]
    [InlineData("jane@example.com", "jane@example.com", null)]
    [InlineData("\"Doe, Jane\" <Jane.Doe@Example.COM>", "jane.doe@example.com", "Doe, Jane")]
    [InlineData("Jane\r\n Doe <jane@example.com>", "jane@example.com", "Jane Doe")]
    public void From_GivesTheRequester_Normalised(string from, string email, string? name)
    {
        var r = RequesterExtractor.Extract(from, null, null, Internal);
        Assert.NotNull(r);
        Assert.Equal(email, r.Email);
        Assert.Equal(name, r.Name);
    }

    [Fact]
    public void ExternalFrom_WinsOverReplyTo()
    {
        var r = RequesterExtractor.Extract("Jane <jane@example.com>", "someone@else.example", null, Internal);
        Assert.Equal("jane@example.com", r!.Email);
    }

    [Fact]
    public void InternalRelay_UsesTheCustomersReplyTo()
    {
        var r = RequesterExtractor.Extract("Web form <noreply@jmlsoftware.co.uk>", "Jane <jane@example.com>", null, Internal);
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("reply-to", r.Source);
    }

    [Fact]
    public void ForwardedByHand_FromEnquiries_FindsTheCustomerInTheForwardedBlock()
    {
        var body = "FYI\n\n---------- Forwarded message ---------\nFrom: Jane Doe <jane@example.com>\nDate: Mon, 2 Nov 2026\nSubject: my data\n\nSend me my data.";
        var r = RequesterExtractor.Extract("Enquiries <enquiries@jmlsoftware.co.uk>", null, body, Internal);
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("forwarded", r.Source);
    }

    [Fact]
    public void NoFrom_NoReplyTo_GivesNoRequester() =>
        Assert.Null(RequesterExtractor.Extract(null, null, "hello", Internal));

    [Theory]
    [InlineData("jane@example.com", true)]
    [InlineData("jane.o'neil+dsr@example.co.uk", true)]
    [InlineData("jane@localhost", false)]
    [InlineData("not an address", false)]
    [InlineData("jane@example.com\r\nBcc: x@example.com", false)]
    [InlineData("", false)]
    public void IsValidAddress(string email, bool valid) => Assert.Equal(valid, RequesterExtractor.IsValidAddress(email));
}
