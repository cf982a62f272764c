using System.Text;
using JmlDsr.Functions.Intake;
using Xunit;

namespace JmlDsr.Functions.Tests.Intake;

/// <summary>SendGrid Inbound Parse with basic auth in its URL sends the inbound key as the password of an Authorization header.</summary>
public sealed class InboundAuthTests
{
    private static string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));

    [Theory]
    [InlineData("sendgrid:the-key", "the-key")]
    [InlineData(":the-key", "the-key")]
    [InlineData("user:with:colons", "with:colons")]
    [InlineData("user:", "")]
    public void BasicPassword_IsWhatFollowsTheFirstColon(string pair, string password) =>
        Assert.Equal(password, InboundHandler.BasicPassword(Basic(pair)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc.def")]
    [InlineData("Basic !!not-base64!!")]
    public void BasicPassword_IsNull_WithoutABasicHeader(string? header) =>
        Assert.Null(InboundHandler.BasicPassword(header));

    [Fact]
    public void BasicPassword_IsNull_WithoutAColon() =>
        Assert.Null(InboundHandler.BasicPassword(Basic("no-colon")));
}
