using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

/// <summary>ICO: when a person exercises several rights in one message, deal with each — each is a request of its own.</summary>
public sealed class OtherRightsTests
{
    [Theory]
    [InlineData("Data request", "Please send me a copy of my data, then delete it.", RequestType.Access, RequestType.Erasure)]
    [InlineData("GDPR", "I would like a copy of all personal data you hold about me. After that, please erase my account and all my data.", RequestType.Access, RequestType.Erasure)]
    [InlineData("Wrong address", "My address is wrong, please update my address to 3 Mill Lane. Please also send me a copy of all the data you hold about me.", RequestType.Rectification, RequestType.Access)]
    public void TwoRights_AreBothRequested(string subject, string body, RequestType first, RequestType second)
    {
        var result = RequestClassifier.Classify(subject, body);

        Assert.Equal(2, result.Rights.Count);
        Assert.Contains(first, result.Rights);
        Assert.Contains(second, result.Rights);
    }

    [Theory]
    [InlineData("Subject access request", "Please send me a copy of all the data you hold about me. If I do not hear from you within a month I will complain to the ICO.")]
    [InlineData("Delete my data", "Please delete my account and all my data.")]
    [InlineData("Restrict processing", "Please do not delete my data, but restrict processing of it while my claim is decided.")]
    [InlineData("Erasure", "Please erase all my data and stop processing it.")]
    public void OneRight_IsOneRequest(string subject, string body) =>
        Assert.Single(RequestClassifier.Classify(subject, body).Rights);

    [Fact]
    public void AComplaintAboutARequest_DoesNotMakeThatRequestAgain()
    {
        var result = RequestClassifier.Classify("Still waiting", "I still haven't heard back about my subject access request. I wish to raise a complaint.");

        Assert.Equal(RequestType.Complaint, result.Type);
        Assert.Empty(result.AlsoRequested);
        Assert.Empty(result.Rights);
    }
}
