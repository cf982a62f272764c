using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

public sealed class RequestClassifierTests
{
    [Theory]
    [InlineData("Subject access request", "Please provide the information.")]
    [InlineData("DSAR", "Under data protection law I would like my data.")]
    [InlineData("Request", "Under Article 15 of the UK GDPR I request access to my personal data.")]
    [InlineData("Hello", "Please send me a copy of all the information you hold about me.")]
    [InlineData("Question", "What data do you have on me? I'd like to see it.")]
    [InlineData("my data", "Could you provide me with my personal data and details of how you use it")]
    [InlineData("", "I want to see the personal data you hold about me")]
    public void Access_IsRecognised_InFormalAndEverydayWording(string subject, string body) =>
        Assert.Equal(RequestType.Access, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    [InlineData("Delete my account", "Please delete my account and all my data.")]
    [InlineData("Right to be forgotten", "I am exercising my right to be forgotten.")]
    [InlineData("GDPR", "Please erase my personal data from your systems.")]
    [InlineData("Remove me", "Remove me from your database please.")]
    public void Erasure_IsRecognised(string subject, string body) =>
        Assert.Equal(RequestType.Erasure, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    [InlineData("Wrong address", "My address is wrong, please update my address to 3 Mill Lane, Bristol.")]
    [InlineData("Correction", "Please correct my name: it should read Jon, not John.")]
    [InlineData("Rectification request", "I ask you to rectify my details.")]
    public void Rectification_IsRecognised(string subject, string body) =>
        Assert.Equal(RequestType.Rectification, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    [InlineData("Restrict processing", "Please restrict processing of my data while you check its accuracy.")]
    [InlineData("Data", "Please stop using my personal data until the dispute is resolved.")]
    [InlineData("Article 18", "I request restriction of processing.")]
    public void Restriction_IsRecognised(string subject, string body) =>
        Assert.Equal(RequestType.Restriction, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    [InlineData("Invoice query", "Can you resend invoice 1234?")]
    [InlineData("Quote", "Can I get a quote for 10 licences?")]
    [InlineData("Meeting", "Are you free on Tuesday?")]
    public void UnrelatedMail_IsUnclassified_ForStaffToTriage(string subject, string body) =>
        Assert.Equal(RequestType.Unclassified, RequestClassifier.Classify(subject, body).Type);

    [Fact]
    public void QuotedReplyLines_DoNotDecideTheType()
    {
        var body = "Thanks, that answers my question about the invoice.\n> Please delete my account and all my data\n> right to be forgotten";
        Assert.Equal(RequestType.Unclassified, RequestClassifier.Classify("Re: invoice", body).Type);
    }

    [Fact]
    public void MixedRequest_PicksTheDominantRight_AndListsTheOthers()
    {
        var result = RequestClassifier.Classify("Subject access request", "Please send me a copy of all the data you hold about me. Also my phone number is wrong.");
        Assert.Equal(RequestType.Access, result.Type);
        Assert.Contains(RequestType.Rectification, result.AlsoMentioned);
    }
}
