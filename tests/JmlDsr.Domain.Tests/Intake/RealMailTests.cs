using JmlDsr.Domain.Intake;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

/// <summary>
/// Real emails from public mail-parser and bounce-parser test sets (RealMail/SOURCES.md), one folder per expected
/// category; Human holds ordinary mail that must not be set aside.
/// </summary>
public sealed class RealMailTests
{
    private static readonly OwnMailIdentity Us = new(["privacy@jmlsoftware.co.uk"], ["jmlsoftware.co.uk"]);

    private static string Root => Path.Combine(AppContext.BaseDirectory, "Intake", "RealMail");

    public static TheoryData<string, string> Samples()
    {
        var data = new TheoryData<string, string>();
        foreach (var dir in Directory.GetDirectories(Root).OrderBy(d => d, StringComparer.Ordinal))
        {
            foreach (var file in Directory.GetFiles(dir, "*.eml").OrderBy(f => f, StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(dir), Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void RealMail_IsTriagedAsItsFolderSays(string category, string file)
    {
        var facts = RealMailLoader.Load(Path.Combine(Root, category, file));

        var verdict = MailTriage.Classify(facts, Us);

        if (category == "Human")
        {
            Assert.True(verdict is null, $"{file}: set aside as {verdict?.Reason}: {verdict?.Explanation}");
        }
        else
        {
            var expected = Enum.Parse<SetAsideReason>(category);
            Assert.True(verdict?.Reason == expected, $"{file}: expected {expected}, got {verdict?.Reason.ToString() ?? "a person"}: {verdict?.Explanation}");
            Assert.False(string.IsNullOrWhiteSpace(verdict!.Explanation));
        }
    }

    [Theory]
    [InlineData("sisimai-email-postfix-02.eml", "filtered@example.co.jp", "userunknown@example.co.jp")]
    [InlineData("sisimai-email-sendmail-01.eml", "userunknown@bouncehammer.jp")]
    [InlineData("sisimai-email-exchange2007-02.eml", "john.smith@eu.a.b.c")]
    [InlineData("sisimai-email-exim-02.eml", "kijitora@example.jp", "sabatora@example.jp")]
    [InlineData("sisimai-email-google-02.eml", "aougoueioaldljgoiuiorghladkgke@example.fr")]
    public void RealBounce_NamesTheFailedRecipients(string file, params string[] expected)
    {
        var verdict = MailTriage.Classify(RealMailLoader.Load(Path.Combine(Root, "Bounce", file)), Us);

        Assert.NotNull(verdict);
        Assert.Equal(expected, verdict.FailedRecipients);
    }

    [Theory]
    [InlineData("Human/sisimai-is-not-bounce-02.eml", "none", "none", false)]
    [InlineData("AutoReply/sisimai-rfc3834-03.eml", "pass", "none", true)]
    [InlineData("Bounce/sisimai-rhost-outlook-01.eml", "none", "none", false)]
    [InlineData("Bounce/mimekit-bounce-office365.eml", "none", "none", false)]
    public void RealHeaders_GiveTheTopAuthenticationResult(string file, string spf, string dkim, bool authenticated)
    {
        var v = SenderAuthentication.Evaluate(RealMailLoader.Load(Path.Combine(Root, file)));

        Assert.Equal(spf, v.Spf);
        Assert.Equal(dkim, v.Dkim);
        Assert.Equal(authenticated, v.Authenticated);
    }
}
