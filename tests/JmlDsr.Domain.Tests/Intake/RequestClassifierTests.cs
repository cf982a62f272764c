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
    [InlineData("SAR", "pls send me all the info u have on me")]
    [InlineData("question", "what personal info do u hold about me?")]
    public void Access_IsRecognised_InFormalAndEverydayWording(string subject, string body) =>
        Assert.Equal(RequestType.Access, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    [InlineData("Delete my account", "Please delete my account and all my data.")]
    [InlineData("Right to be forgotten", "I am exercising my right to be forgotten.")]
    [InlineData("GDPR", "Please erase my personal data from your systems.")]
    [InlineData("Remove me", "Remove me from your database please.")]
    [InlineData("", "pls remove my account and data, thanks")]
    [InlineData("close account", "I'm closing my account and I want all the data linked to it removed.")]
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
    [InlineData("", "Don't delete my records yet, I need you to keep them for a legal claim, but please don't use them for anything else.")]
    [InlineData("inaccurate data", "Some of my data is inaccurate and I do not want it to be used until the problem is fixed.")]
    public void Restriction_IsRecognised(string subject, string body) =>
        Assert.Equal(RequestType.Restriction, RequestClassifier.Classify(subject, body).Type);

    // Art 21: the request people make most, in the words they use (real samples in Corpus/requests.json, obje-* and uncl-09..12).
    [Theory]
    [InlineData("Marketing", "Please stop sending me marketing emails.")]
    [InlineData("", "unsubscribe me from everything")]
    [InlineData("Unsubscribe", "Please unsubscribe me from all your mailing lists.")]
    [InlineData("Objection", "I object to you using my data for marketing.")]
    [InlineData("Right to object", "I am exercising my right to object under Article 21.")]
    [InlineData("STOP SPAMMING ME", "I unsubscribed from your newsletter already 3 times. Stop spamming me.")]
    [InlineData("No more emails", "I no longer wish to receive emails from you.")]
    [InlineData("", "Please remove me from your mailing list, I don't want any more offers.")]
    [InlineData("Consent", "I withdraw my consent to marketing emails.")]
    [InlineData("Calls", "Stop calling me about renewals, I am not interested.")]
    [InlineData("", "I object to the processing of my personal data based on your legitimate interests.")]
    public void Objection_IsRecognised_InRealWording(string subject, string body) =>
        Assert.Equal(RequestType.Objection, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    // A stop request that also says it is unlawful stays the objection: stopping is what they ask for.
    [InlineData("Spam", "Stop sending me your marketing emails. You never had my consent and this breaches GDPR.")]
    [InlineData("Unsubscribe", "Please unsubscribe me. I do not want your newsletter.")]
    public void Objection_WinsOverAComplaintItMentions(string subject, string body) =>
        Assert.Equal(RequestType.Objection, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    // Still not objections: a question about how to unsubscribe, a remark about a missing link, an erasure or restriction that also objects.
    [InlineData("Mailing list", "Is there any way to be removed from the mailing list??", RequestType.Unclassified)]
    [InlineData("Unsolicited email", "Your email did not provide a mechanism to unsubscribe.", RequestType.Unclassified)]
    [InlineData("Right to erasure", "Please erase all my personal data under Article 17. To the extent you rely on legitimate interests, I object to the processing.", RequestType.Erasure)]
    [InlineData("Art 18", "I object to processing based on legitimate interests. Please restrict processing of my data while you decide.", RequestType.Restriction)]
    [InlineData("Newsletter", "Your newsletter had a broken link to the Ledger Pro release notes.", RequestType.Unclassified)]
    public void NearObjections_KeepTheirType(string subject, string body, RequestType expected) =>
        Assert.Equal(expected, RequestClassifier.Classify(subject, body).Type);

    [Theory]
    [InlineData("Invoice query", "Can you resend invoice 1234?")]
    [InlineData("Quote", "Can I get a quote for 10 licences?")]
    [InlineData("Meeting", "Are you free on Tuesday?")]
    [InlineData("Mailing list", "Is there any way to be removed from the mailing list??")]
    [InlineData("Feature", "It would be great if it would be possible to clear the data without having to delete the account.")]
    [InlineData("Spam", "I was subscribed to your mailing list without having taken any explicit action. I believe this violates GDPR.")]
    public void UnrelatedMail_IsUnclassified_ForStaffToTriage(string subject, string body) =>
        Assert.Equal(RequestType.Unclassified, RequestClassifier.Classify(subject, body).Type);

    // DPA 2018 s 164A: a complaint about how JML handled the person's data wins over the right it mentions.
    [Theory]
    [InlineData("Complaint", "I want to complain that you never answered my subject access request.", RequestType.Access)]
    [InlineData("Subject access request", "I want to complain that you never answered my subject access request DSR-2026-000041.", RequestType.Access)]
    [InlineData("Formal complaint", "I am making a formal complaint about the way my request to delete my account was handled.", RequestType.Erasure)]
    [InlineData("Re: your response", "I am not happy with your response to my request for a copy of my data. You sent me somebody else's invoices.", RequestType.Access)]
    [InlineData("Data protection", "I am very unhappy with how you handled my personal data: you shared my details with a partner without telling me.", null)]
    [InlineData("Ignored", "You have ignored my request to correct my address for two months. I am dissatisfied with the way you have dealt with this.", RequestType.Rectification)]
    [InlineData("GDPR breach", "You failed to respond to my erasure request within a month and you are still emailing me. This is a breach of my data protection rights.", RequestType.Erasure)]
    [InlineData("Still waiting", "I still haven't heard back about my subject access request. I wish to raise a complaint.", RequestType.Access)]
    [InlineData("", "I'm writing to complain about how my data was processed after I closed my account.", null)]
    [InlineData("Unhappy", "I'm not happy with the way you handled my details. If this is not sorted I will complain to the ICO.", null)]
    public void Complaint_IsRecognised_AndWinsOverTheRightItMentions(string subject, string body, RequestType? mentioned)
    {
        var result = RequestClassifier.Classify(subject, body);
        Assert.Equal(RequestType.Complaint, result.Type);
        if (mentioned is { } right)
        {
            Assert.Contains(right, result.AlsoMentioned);
        }
    }

    // A clear request that only warns it will go to the ICO stays the request: a complaint to the ICO is not one to JML.
    [Theory]
    [InlineData("Subject access request", "Please send me a copy of all the data you hold about me. If I do not hear from you within a month I will complain to the ICO.", RequestType.Access)]
    [InlineData("Hello", "Please send me a copy of all the information you hold about me, otherwise I will report you to the Information Commissioner.", RequestType.Access)]
    [InlineData("Delete my data", "Please delete my account and all my data. I will make a complaint to the ICO if you keep emailing me.", RequestType.Erasure)]
    [InlineData("Wrong address", "My address is wrong, please update my address to 3 Mill Lane, Bristol, or I'll escalate this to the ICO.", RequestType.Rectification)]
    [InlineData("Restrict processing", "Please restrict processing of my data while you check its accuracy; I know I can complain to the ICO.", RequestType.Restriction)]
    public void RequestThatThreatensTheIco_StaysTheRequest(string subject, string body, RequestType expected)
    {
        var result = RequestClassifier.Classify(subject, body);
        Assert.Equal(expected, result.Type);
        Assert.Contains(RequestType.Complaint, result.AlsoMentioned);
    }

    [Fact]
    public void BareIcoThreat_IsAComplaint_RatherThanLeftUnclassified() =>
        Assert.Equal(RequestType.Complaint, RequestClassifier.Classify("Your company", "I am going to report you to the ICO.").Type);

    [Theory]
    [InlineData("Feedback", "Your support team was great, no complaints at all about the licence renewal.")]
    [InlineData("Invoice", "We are not happy with the invoice total: can you check the discount?")]
    public void EverydayWordsAboutOtherThings_DoNotOutweighTheirContext(string subject, string body)
    {
        // Not data protection at all: staff triage would be right, but a weak complaint is acceptable (it is still read by staff);
        // what must not happen is one of the four rights being invented.
        var type = RequestClassifier.Classify(subject, body).Type;
        Assert.True(type is RequestType.Unclassified or RequestType.Complaint, type.ToString());
    }

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

    // The text is sender-controlled: only a bounded prefix is read and every pattern is NonBacktracking, so hostile input returns promptly.
    [Theory]
    [InlineData("<script>")]
    [InlineData("<")]
    [InlineData("delete my ")]
    [InlineData("a")]
    public void HostileFiveMegabyteBody_IsClassified(string unit)
    {
        var body = string.Concat(Enumerable.Repeat(unit, (5 * 1024 * 1024 / unit.Length) + 1));
        var result = RequestClassifier.Classify(new string('<', 100_000), body);
        Assert.NotNull(result);
    }

    [Fact]
    public void TextAfterTheBodyLimit_IsNotRead()
    {
        var body = new string('x', RequestClassifier.MaxBodyChars + 10) + " please delete my account and all my data";
        Assert.Equal(RequestType.Unclassified, RequestClassifier.Classify("hello", body).Type);
    }
}
