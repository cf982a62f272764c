using JmlDsr.Domain.Intake;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

public sealed class SenderAuthenticationTests
{
    // Values in the formats SendGrid really posts. Sources: the upspin project's captured Inbound Parse posts
    // ("dkim" = "{@gmail.com : pass}", "SPF" = "pass", envelope from zardoz@gmail.com, From zardoz@closedmind.org);
    // public handlers documenting "{@a.com : pass, @b.com : fail}" and "none" and SPF pass|fail|softfail|neutral|none
    // (found with the code search: "{@company.com : pass, @sendgrid.com : temperror}",
    // "{@grproductions-tv.20230601.gappssmtp.com : pass, @123formbuilder.com : fail, @Gmail.com : pass}").
    [Theory]
    [InlineData("Some Dude <dude@gmail.com>", "dude@gmail.com", "pass", "{@gmail.com : pass}", "pass", true, "pass", true, true)]
    [InlineData("Zardoz <zardoz@closedmind.org>", "zardoz@gmail.com", "pass", "{@gmail.com : pass}", "pass", false, "pass", false, false)]
    [InlineData("Jane <jane@company.com>", "bounces+123@em.sendgrid.net", "pass", "{@company.com : pass, @sendgrid.com : temperror}", "pass", false, "pass", true, true)]
    [InlineData("Jane <jane@example.com>", "jane@example.com", "softfail", "none", "softfail", false, "none", false, false)]
    [InlineData("Jane <jane@example.com>", "jane@mail.example.com", "pass", "", "pass", true, "none", false, true)]
    [InlineData("Jane <jane@example.co.uk>", "jane@bounce.example.co.uk", "fail", "{@other.co.uk : pass}", "fail", false, "pass", false, false)]
    [InlineData("x <a@grproductions.tv>", "a@grproductions.tv", "neutral", "{@grproductions-tv.20230601.gappssmtp.com : pass, @123formbuilder.com : fail, @Gmail.com : pass}", "neutral", false, "pass", false, false)]
    [InlineData("x <a@attacker.example>", "a@attacker.example", "temperror", "{@attacker.example : fail}", "temperror", false, "fail", false, false)]
    public void SendGridFields_GiveSpfDkimAndAlignment(
        string from, string envelope, string spf, string dkim, string expectSpf, bool spfAligned, string expectDkim, bool dkimAligned, bool authenticated)
    {
        var v = SenderAuthentication.Evaluate(new MailFacts { From = from, EnvelopeFrom = envelope, SendGridSpf = spf, SendGridDkim = dkim });

        Assert.Equal(expectSpf, v.Spf);
        Assert.Equal(spfAligned, v.SpfAligned);
        Assert.Equal(expectDkim, v.Dkim);
        Assert.Equal(dkimAligned, v.DkimAligned);
        Assert.Equal(authenticated, v.Authenticated);
        Assert.Equal("SendGrid", v.Source);
    }

    [Fact]
    public void SendGridDkim_ListsEveryPassingDomain()
    {
        var v = SenderAuthentication.Evaluate(new MailFacts
        {
            From = "a@gmail.com",
            SendGridDkim = "{@grproductions-tv.20230601.gappssmtp.com : pass, @123formbuilder.com : fail, @Gmail.com : pass}",
        });

        Assert.Equal(["grproductions-tv.20230601.gappssmtp.com", "gmail.com"], v.DkimPassDomains);
        Assert.True(v.DkimAligned);
    }

    // Authentication-Results as real receivers write them: RFC 8601 §6 examples, SendGrid's mx, Gmail (from sisimai's
    // set-of-emails samples: "spf=neutral (google.com: ...) smtp.mail=..."), Hotmail ("spf=none (sender IP is ...;
    // identity alignment result is pass ...) smtp.helo=..."), Amazon SES.
    [Theory]
    [InlineData("mx.sendgrid.net; dkim=pass header.d=example.com header.s=s1 header.b=Abc; spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=bounce@example.com; dmarc=pass (p=NONE) header.from=example.com",
        "Jane <jane@example.com>", "pass", true, "pass", true, "pass")]
    [InlineData("mx.google.com; dkim=pass header.i=@example.com header.s=20161025 header.b=RJNz7oaY; spf=pass (example.com: domain of dummy@example.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=dummy@example.com; dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=example.com",
        "dummy@example.com", "pass", true, "pass", true, "pass")]
    [InlineData("mx.google.com; spf=neutral (google.com: 194.116.199.155 is neither permitted nor denied by best guess record for domain of prvs=46201db6f9=John.Smith@b.c) smtp.mail=prvs=46201db6f9=John.Smith@b.c",
        "John.Smith@b.c", "neutral", false, "none", false, null)]
    [InlineData("hotmail.example.com; spf=none (sender IP is 65.55.116.88; identity alignment result is pass and alignment mode is relaxed) smtp.helo=BLU004-OMC3S13.hotmail.example.com; dkim=none (identity alignment result is pass and alignment mode is relaxed) header.d=mail.hotmail.example.com; x-hmca=none header.id=postmaster@mail.hotmail.example.com",
        "postmaster@mail.hotmail.example.com", "none", false, "none", false, null)]
    [InlineData("example.org 1; dkim=fail reason=\"signature; verification failed\" header.d=example.com; dkim=pass header.d=example.net; spf = pass smtp.mailfrom = sender@mail.example.net",
        "Jane <jane@example.net>", "pass", true, "pass", true, null)]
    [InlineData("mx.sendgrid.net; none", "jane@example.com", "none", false, "none", false, null)]
    // Exchange Online writes no authserv-id and stray segments (sisimai email-office365-04, MimeKit bounce.txt).
    [InlineData("spf=pass (sender IP is 104.47.124.246) smtp.helo=APC01-HK2-obe.outbound.protection.outlook.com; outlook.com; dkim=none (message not signed) header.d=none;outlook.com; dmarc=pass action=none header.from=outlook.com;",
        "Microsoft Outlook <postmaster@outlook.com>", "pass", true, "none", false, "pass")]
    [InlineData("spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=mail.example.co.uk; dkim=pass (signature was verified) header.d=example.co.uk;dmarc=pass action=none header.from=example.co.uk;compauth=pass reason=100",
        "Jane <jane@example.co.uk>", "pass", true, "pass", true, "pass")]
    [InlineData("mx.sendgrid.net; dkim=pass (1024-bit key) header.d=evil.example header.i=@evil.example; spf=softfail (domain owner discourages use of this host) smtp.mailfrom=ceo@bank.co.uk; dmarc=fail (p=REJECT) header.from=bank.co.uk",
        "CEO <ceo@bank.co.uk>", "softfail", false, "pass", false, "fail")]
    public void AuthenticationResults_AreParsed(string header, string from, string spf, bool spfAligned, string dkim, bool dkimAligned, string? dmarc)
    {
        var v = SenderAuthentication.Evaluate(new MailFacts { From = from, Headers = [new("Authentication-Results", header)] });

        Assert.Equal(spf, v.Spf);
        Assert.Equal(spfAligned, v.SpfAligned);
        Assert.Equal(dkim, v.Dkim);
        Assert.Equal(dkimAligned, v.DkimAligned);
        Assert.Equal(dmarc, v.Dmarc);
    }

    [Fact]
    public void TopmostAuthenticationResults_IsTheOneTrusted()
    {
        var v = SenderAuthentication.Evaluate(new MailFacts
        {
            From = "ceo@bank.co.uk",
            Headers =
            [
                new("Authentication-Results", "mx.sendgrid.net; spf=fail smtp.mailfrom=ceo@bank.co.uk; dkim=none"),
                new("Authentication-Results", "forged.example; spf=pass smtp.mailfrom=ceo@bank.co.uk; dkim=pass header.d=bank.co.uk"),
            ],
        });

        Assert.False(v.Authenticated);
        Assert.Equal("Authentication-Results (mx.sendgrid.net)", v.Source);
    }

    [Fact]
    public void ReceivedSpf_IsTheFallback()
    {
        // Received-SPF as in sisimai's set-of-emails rfc3834-06 (Amazon SES receiving).
        var v = SenderAuthentication.Evaluate(new MailFacts
        {
            From = "Kijitora <postmaster@example.com.br>",
            Headers = [new("Received-SPF", "pass (spfCheck: domain of example.com.br designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=postmaster@example.com.br; helo=example.com.br;")],
        });

        Assert.Equal("pass", v.Spf);
        Assert.Equal("example.com.br", v.SpfDomain);
        Assert.True(v.SpfAligned);
        Assert.Equal("Received-SPF", v.Source);
    }

    [Fact]
    public void NothingToGoOn_IsUnknown() =>
        Assert.Same(AuthVerdict.Unknown, SenderAuthentication.Evaluate(new MailFacts { From = "a@example.com" }));

    [Fact]
    public void Summary_IsOneLineWithDomainsOnly()
    {
        var v = SenderAuthentication.Evaluate(new MailFacts
        {
            From = "Jane Doe <jane@example.com>",
            EnvelopeFrom = "jane@example.com",
            SendGridSpf = "pass",
            SendGridDkim = "{@example.com : pass}",
        });

        Assert.Equal("SPF pass (example.com, aligned), DKIM pass (example.com, aligned): authenticated — SendGrid", v.Summary);
        Assert.DoesNotContain("jane", v.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("SPF none, DKIM none: not authenticated — none", AuthVerdict.Unknown.Summary);
    }

    [Theory]
    [InlineData("mail.example.co.uk", "example.co.uk")]
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("co.uk", null)]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("em123.sendgrid.net", "sendgrid.net")]
    [InlineData("trust.nhs.uk", "trust.nhs.uk")]
    [InlineData("x.school.sch.uk", "school.sch.uk")]
    [InlineData("shop.com.au", "shop.com.au")]
    [InlineData("www.firm.co.jp", "firm.co.jp")]
    [InlineData("EXAMPLE.COM.", "example.com")]
    [InlineData("localhost", null)]
    public void OrganisationalDomain_UsesMultiLabelSuffixes(string domain, string? expected) =>
        Assert.Equal(expected, OrganisationalDomain.Of(domain));
}
