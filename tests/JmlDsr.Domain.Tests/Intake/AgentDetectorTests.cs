using JmlDsr.Domain.Intake;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

public sealed class AgentDetectorTests
{
    [Theory]
    [InlineData("Subject access request", "We act for Mrs Jane Doe and enclose her signed authority. Please provide copies of all personal data you hold about our client.", AgentDetector.Solicitor)]
    [InlineData("DSAR - our client Mr P Smith", "On behalf of our client, we request all personal data under Article 15.", AgentDetector.Solicitor)]
    [InlineData("Data request", "I am writing on behalf of my client, who asks for a copy of her data.", AgentDetector.Solicitor)]
    [InlineData("Request", "Please find attached a letter of authority signed by Mr Green.", AgentDetector.Solicitor)]
    [InlineData("My mum's account", "I'm writing on behalf of my mother, who is in hospital. Please delete her account.", AgentDetector.Relative)]
    [InlineData("Data", "I would like a copy of my father's personal data. I hold lasting power of attorney.", AgentDetector.Relative)]
    [InlineData("Data", "Please send me my late husband's account details.", AgentDetector.Relative)]
    [InlineData("Data", "I am her carer and she asked me to request her records.", AgentDetector.Relative)]
    [InlineData("Access request", "I am writing on behalf of my colleague Sam, who has left the company.", AgentDetector.Representative)]
    [InlineData("Access request", "On behalf of Mr Patel, please send the data you hold.", AgentDetector.Representative)]
    public void RecognisesRequestsMadeForSomeoneElse(string subject, string body, string kind) =>
        Assert.Equal(kind, AgentDetector.Detect(subject, body)?.Kind);

    /// <summary>
    /// Wording paraphrased from public pages that tell people how to make a request for someone else (kept with their
    /// source): stockport.gov.uk "Who can make a request for information" (a friend, relative, advocate or solicitor acting
    /// for you; lasting power of attorney; a Deputy appointed by the Court of Protection), sthelens.gov.uk/sar (parent or
    /// guardian with parental responsibility), and a council subject access form's "authority to release information to a
    /// representative" section (adaptbookofdata.blogspot.com, 2020).
    /// </summary>
    [Theory]
    [InlineData("SAR", "I am my father's deputy appointed by the Court of Protection and ask for a copy of the data you hold about him.", AgentDetector.Relative)]
    [InlineData("Request for my son's data", "I have parental responsibility for my son, who is 11. Please send me the information you hold about him.", AgentDetector.Relative)]
    [InlineData("Request", "I am her mother and I would like to see what data you hold on her account.", AgentDetector.Relative)]
    [InlineData("SAR", "Please find attached her authority to release information to me as her advocate.", AgentDetector.Representative)]
    [InlineData("SAR", "I am writing on behalf of Sarah Jones, who has asked me to obtain a copy of her data.", AgentDetector.Representative)]
    public void RecognisesTheWaysPublicGuidanceTellsPeopleToAskForSomeoneElse(string subject, string body, string kind) =>
        Assert.Equal(kind, AgentDetector.Detect(subject, body)?.Kind);

    [Theory]
    [InlineData("Subject access request", "Please send me a copy of all personal data you hold about me.")]
    [InlineData("Request", "I am writing on behalf of my company to update our billing address.")]
    [InlineData("Request", "I'm making this request on behalf of myself.")]
    [InlineData("Delete my account", "Please delete my account and all my data. I am a client of yours since 2021.")]
    [InlineData("Request", "I am writing on behalf of myself to ask for my data.")]
    [InlineData("Request", "On behalf of my company, please update our invoice address.")]
    [InlineData("Re: your reply", "> We act for many clients\nThanks, please go ahead with my erasure.")]
    [InlineData("Access", "As our client account manager said, please send me my data.")]
    public void LeavesRequestsPeopleMakeForThemselves(string subject, string body) =>
        Assert.Null(AgentDetector.Detect(subject, body));
}
