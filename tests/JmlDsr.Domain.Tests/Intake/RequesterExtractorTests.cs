using JmlDsr.Domain.Intake;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

public sealed class RequesterExtractorTests
{
    private static readonly string[] Internal = ["jmlsoftware.co.uk"];
    private const string Colleague = "Bob Smith <bob@jmlsoftware.co.uk>";

    private static Requester? Extract(MailFacts facts) => RequesterExtractor.Extract(facts, Internal);

    private static Requester ForwardedByColleague(string body, string? subject = "Fwd: Integer consequat non purus")
    {
        var r = Extract(new MailFacts { From = Colleague, Subject = subject, Text = body });
        Assert.NotNull(r);
        return r;
    }

    // ---- Rule 1: From, or Reply-To for a relay -------------------------------------------------------------------

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
        Assert.Equal("from", r.Source);
        Assert.Equal($"From {email}: the author of the message", r.Reason);
        Assert.True(r.IsPerson);
        Assert.False(r.ForwardedByInternal);
    }

    [Fact]
    public void ExternalFrom_WinsOverReplyTo()
    {
        var r = RequesterExtractor.Extract("Jane <jane@example.com>", "someone@else.example", null, Internal);
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("from", r.Source);
    }

    [Fact]
    public void InternalRelay_UsesTheCustomersReplyTo()
    {
        var r = RequesterExtractor.Extract("Web form <noreply@jmlsoftware.co.uk>", "Jane <jane@example.com>", null, Internal);
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("reply-to", r.Source);
        Assert.Equal("Reply-To jane@example.com: From noreply@jmlsoftware.co.uk is an internal relay", r.Reason);
    }

    // From / Reply-To pairs as the services send them (their help pages and the headers users post).
    [Theory]
    [InlineData("Formspree <noreply@formspree.io>", "jane@example.com")]
    [InlineData("JotForm <noreply@jotform.com>", "Jane Doe <jane@example.com>")]
    [InlineData("Typeform <notifications@typeform.com>", "jane@example.com")]
    [InlineData("Wufoo <no-reply@wufoo.com>", "jane@example.com")]
    [InlineData("Google Forms <forms-receipts-noreply@google.com>", "jane@example.com")]
    [InlineData("Microsoft Forms <noreply@forms.office.com>", "jane@example.com")]
    [InlineData("HubSpot <noreply@notifications.hubspot.com>", "jane@example.com")]
    [InlineData("Squarespace <form-submission@squarespace.info>", "Jane Doe <jane@example.com>")]
    [InlineData("Wix Forms <no-reply@wix-forms.com>", "jane@example.com")]
    [InlineData("Acme Ltd <wordpress@acme-shop.example>", "jane@example.com")]
    [InlineData("\"Acme Ltd via Gravity Forms\" <admin@acme-shop.example>", "jane@example.com")]
    [InlineData("Web3Forms <notify@web3forms.com>", "jane@example.com")]
    [InlineData("www-data <www-data@server1.acme-shop.example>", "jane@example.com")]
    [InlineData("Contact form <donotreply@acme-shop.example>", "jane@example.com")]
    [InlineData("<do_not_reply@acme-shop.example>", "jane@example.com")]
    [InlineData("'Jane Doe' via Customers <customers@googlegroups.com>", "Jane Doe <jane@example.com>")]
    [InlineData("Jane Doe via Users <users@lists.example.org>", "Jane Doe <jane@example.com>")]
    public void RelayFrom_WithAPersonInReplyTo_UsesTheReplyTo(string from, string replyTo)
    {
        var r = Extract(new MailFacts { From = from, ReplyTo = replyTo });
        Assert.NotNull(r);
        Assert.Equal("jane@example.com", r.Email);
        Assert.Equal("reply-to", r.Source);
        Assert.StartsWith("Reply-To jane@example.com: From ", r.Reason, StringComparison.Ordinal);
        Assert.EndsWith(" is a no-reply/relay address", r.Reason, StringComparison.Ordinal);
        Assert.True(r.IsPerson);
    }

    [Theory]
    [InlineData("noreply@example.net")]
    [InlineData("Do Not Reply <do-not-reply@example.net>")]
    [InlineData("bounces+12345@example.net")]
    public void RelayFrom_WithANoReplyReplyTo_IgnoresTheReplyTo_AndIsNoPerson(string replyTo)
    {
        var r = Extract(new MailFacts { From = "Formspree <noreply@formspree.io>", ReplyTo = replyTo });
        Assert.NotNull(r);
        Assert.Equal("noreply@formspree.io", r.Email);
        Assert.Equal("from", r.Source);
        Assert.False(r.IsPerson);
        Assert.Equal("From noreply@formspree.io: a no-reply/relay address, and no Reply-To names a person", r.Reason);
    }

    [Fact]
    public void InternalFrom_WithANoReplyReplyTo_LooksForAForwardInstead()
    {
        var body = "---------- Forwarded message ---------\nFrom: Jane Doe <jane@example.com>\n\nSend me my data.";
        var r = Extract(new MailFacts { From = Colleague, ReplyTo = "noreply@example.net", Text = body });
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("forwarded", r.Source);
    }

    [Theory]
    [InlineData("jane@example.com", null)]
    [InlineData("jane.doe@example.com", "Jane Doe")]
    [InlineData("mailroom@example.com", null)]
    [InlineData("forms.team@example.com", "Forms Team")]
    [InlineData("olivia@viaduct.example", "Olivia Viaduct")]
    public void OrdinaryPeople_AreNotRelays(string address, string? name) =>
        Assert.False(RequesterExtractor.IsNoReplyOrRelay(address, name));

    [Fact]
    public void NoFrom_UsesAPersonalReplyTo()
    {
        var r = Extract(new MailFacts { ReplyTo = "Jane <jane@example.com>" });
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("reply-to", r.Source);
    }

    [Fact]
    public void NoFrom_NoReplyTo_GivesNoRequester() =>
        Assert.Null(RequesterExtractor.Extract(null, null, "hello", Internal));

    // ---- Rule 2: forwarded by a JML address ----------------------------------------------------------------------

    [Fact]
    public void ForwardedByHand_FromEnquiries_FindsTheCustomerInTheForwardedBlock()
    {
        var body = "FYI\n\n---------- Forwarded message ---------\nFrom: Jane Doe <jane@example.com>\nDate: Mon, 2 Nov 2026\nSubject: my data\n\nSend me my data.";
        var r = RequesterExtractor.Extract("Enquiries <enquiries@jmlsoftware.co.uk>", null, body, Internal);
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("Jane Doe", r.Name);
        Assert.Equal("forwarded", r.Source);
        Assert.Equal("forwarded by enquiries@jmlsoftware.co.uk: the original sender in the forwarded block (Gmail)", r.Reason);
        Assert.Equal("enquiries@jmlsoftware.co.uk", r.ForwardedBy);
        Assert.True(r.ForwardedByInternal);
    }

    // Real forwarded bodies from public parser test suites (Forwards/SOURCES.md), forwarded on by a colleague.
    [Theory]
    [InlineData("gmail_en.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_en_variant_1.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_de.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_fr.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_es.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_it.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_nl.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_sv.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_da.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_pl.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_ru.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("gmail_cs.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("missive_en.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("hubspot_en.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("hubspot_de.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("hubspot_ja.txt", "john.doe@acme.com", "Gmail")]
    [InlineData("apple_mail_tr.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("apple_mail_en.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("apple_mail_en_no_name.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("apple_mail_de.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("apple_mail_fr.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("apple_mail_nl.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("apple_mail_sv.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("apple_mail_no.txt", "john.doe@acme.com", "Apple Mail")]
    [InlineData("outlook_live_en.txt", "john.doe@acme.com", "Outlook")]
    [InlineData("outlook_live_en_alt_3.txt", "john.doe@acme.com", "Outlook")]
    [InlineData("outlook_live_en_signature.txt", "john.doe@acme.com", "Outlook")]
    [InlineData("outlook_2013_en.txt", "john.doe@acme.com", "Outlook header block")]
    [InlineData("new_outlook_2019_en.txt", "john.doe@acme.com", "Outlook header block")]
    [InlineData("new_outlook_2019_de.txt", "john.doe@acme.com", "Outlook header block")]
    [InlineData("new_outlook_2019_fr.txt", "john.doe@acme.com", "Outlook header block")]
    [InlineData("new_outlook_2019_fi.txt", "john.doe@acme.com", "Outlook header block")]
    [InlineData("outlook_headers_no_marker_en.txt", "user@host.com", "Outlook header block")]
    [InlineData("outlook_headers_reply_to_en.txt", "john@example.com", "Outlook header block")]
    [InlineData("outlook_headers_pt_br.txt", "john@example.com", "Outlook header block")]
    [InlineData("outlook_2019_mac_en.txt", "john.doe@acme.com", "a quoted attribution line")]
    [InlineData("outlook_2019_mac_de.txt", "john.doe@acme.com", "a quoted attribution line")]
    [InlineData("thunderbird_en.txt", "john.doe@acme.com", "Thunderbird")]
    [InlineData("thunderbird_de.txt", "john.doe@acme.com", "Thunderbird")]
    [InlineData("thunderbird_fr.txt", "john.doe@acme.com", "Thunderbird")]
    [InlineData("thunderbird_es.txt", "john.doe@acme.com", "Thunderbird")]
    [InlineData("yahoo_en.txt", "john.doe@acme.com", "Yahoo")]
    [InlineData("yahoo_de.txt", "john.doe@acme.com", "Yahoo")]
    [InlineData("yahoo_fr.txt", "john.doe@acme.com", "Yahoo")]
    [InlineData("yahoo_es.txt", "john.doe@acme.com", "Yahoo")]
    public void RealForward_FindsTheOriginalSender(string sample, string email, string format)
    {
        var r = ForwardedByColleague(ReadSample(sample), "FW: Integer consequat non purus");
        Assert.Equal(email, r.Email);
        Assert.Equal("forwarded", r.Source);
        Assert.Equal($"forwarded by bob@jmlsoftware.co.uk: the original sender in the forwarded block ({format})", r.Reason);
        Assert.Equal("bob@jmlsoftware.co.uk", r.ForwardedBy);
        Assert.True(r.IsPerson);
    }

    [Theory]
    [InlineData("gmail_en.txt", "John Doe")]
    [InlineData("outlook_2013_en.txt", "John Doe")]
    [InlineData("yahoo_en.txt", "John Doe")]
    [InlineData("outlook_2019_mac_en.txt", "John Doe")]
    [InlineData("apple_mail_en_no_name.txt", null)]
    public void RealForward_KeepsTheOriginalSendersName(string sample, string? name) =>
        Assert.Equal(name, ForwardedByColleague(ReadSample(sample), "FW: Integer consequat non purus").Name);

    // A reply quoting the customer, or prose naming an address, is not a forward: the colleague stays the author.
    [Theory]
    [InlineData("gmail_en_reply_not_forward.txt", "Re: hello")]
    [InlineData("outlook_2019_mac_en.txt", "RE: Integer consequat non purus")]
    [InlineData("outlook_2019_mac_de.txt", null)]
    [InlineData("prose_mentions_address.txt", "FW: question")]
    public void RealNonForward_KeepsTheInternalAuthor_AndIsNoPerson(string sample, string? subject)
    {
        var r = ForwardedByColleague(ReadSample(sample), subject);
        Assert.Equal("bob@jmlsoftware.co.uk", r.Email);
        Assert.Equal("from", r.Source);
        Assert.False(r.IsPerson);
        Assert.Null(r.ForwardedBy);
        Assert.Equal("From bob@jmlsoftware.co.uk: an internal address, and no external person was found in the message", r.Reason);
    }

    [Theory]
    [InlineData("-----Original Message-----\nFrom: Jane Doe [mailto:jane@example.com]\nSent: 2 November 2026 10:00\n\nDelete my data.", "Outlook")]
    [InlineData("-----Ursprüngliche Nachricht-----\nVon: Jane Doe <jane@example.com>\n\nDelete my data.", "Outlook")]
    [InlineData("-----Message d'origine-----\nDe : jane@example.com\n\nDelete my data.", "Outlook")]
    [InlineData("-------- Original Message --------\nSubject: my data\nFrom: Jane <jane@example.com>\n", "Outlook")]
    [InlineData("---------- Weitergeleitete Nachricht ---------\nVon: Jane Doe <jane@example.com>\n", "Gmail")]
    [InlineData("---------- Message transféré ---------\nDe : Jane Doe <jane@example.com>\n", "Gmail")]
    [InlineData("---------- Messaggio inoltrato ---------\nDa: Jane Doe <jane@example.com>\n", "Gmail")]
    [InlineData("---------- Doorgestuurd bericht ---------\nVan: Jane Doe <jane@example.com>\n", "Gmail")]
    [InlineData("________________________________\nFrom: \"Jane\" <jane@example.com>\nSent: Monday\n", "Outlook")]
    [InlineData("________________________________\n*From:* Jane <jane@example.com>\n*Sent:* Monday\n*To:* privacy\n", "Outlook")]
    [InlineData("________________________________\nFrom: Jane <mailto:jane@example.com>\nSent: Monday\n", "Outlook")]
    [InlineData("________________________________\nFrom: Jane Doe <jane@example.com<mailto:jane@example.com>>\nSent: Monday\n", "Outlook")]
    [InlineData("________________________________\n**From:** jane@example.com <jane@example.com>\n", "Outlook")]
    [InlineData("Begin forwarded message:\n\n> From: \"Doe, Jane\" <jane@example.com>\n", "Apple Mail")]
    [InlineData("-------- 转发的邮件 --------\n发件人：Jane <jane@example.com>\n日期：2026年11月2日\n", "Thunderbird")]
    [InlineData("发件人: \"Jane\" <jane@example.com>\n发送时间: 2026年11月2日 星期一 10:00\n收件人: privacy\n主题: 我的数据\n", "Outlook header block")]
    [InlineData("-------- Original Message --------\n差出人: Jane <jane@example.com>\n", "Outlook")]
    [InlineData("From: Jane <jane@example.com>\nSent: Monday\nTo: Bob Smith <bob@jmlsoftware.co.uk>; Carol Jones\n<carol@jmlsoftware.co.uk>\nSubject: my data\n", "Outlook header block")]
    public void ForwardVariants_FindTheOriginalSender(string body, string format)
    {
        var r = ForwardedByColleague("Please deal with this.\n\n" + body);
        Assert.Equal("jane@example.com", r.Email);
        Assert.Equal("forwarded", r.Source);
        Assert.EndsWith($"({format})", r.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("From: Jane <jane@example.com>\nI want my data.")]
    [InlineData("Hi,\n\nFrom: my side, please send me everything you hold, jane@example.com\n\nThanks")]
    [InlineData("Notes:\nFrom: jane@example.com\nTo do: call her back")]
    [InlineData("Jane wrote to us. From: Jane <jane@example.com> Sent: yesterday")]
    public void FromSentenceInProse_IsNotAForwardedBlock(string body)
    {
        var r = ForwardedByColleague(body, "A customer");
        Assert.Equal("bob@jmlsoftware.co.uk", r.Email);
        Assert.False(r.IsPerson);
    }

    [Fact]
    public void NestedForward_ThroughColleagues_TakesTheFirstExternalAuthor()
    {
        var body = """
            Over to privacy.

            ---------- Forwarded message ---------
            From: Carol Jones <carol@jmlsoftware.co.uk>
            Date: Tue, 3 Nov 2026 at 09:00
            Subject: Fwd: my data

            Bob, can you pass this on?

            ---------- Forwarded message ---------
            From: Jane Doe <jane@example.com>
            Date: Mon, 2 Nov 2026 at 17:00
            Subject: my data

            Please send me a copy of my data. The agency below gave you my details.

            ---------- Forwarded message ---------
            From: Recruiter <hello@agency.example>
            Subject: your CV

            We have shared your CV with JML.
            """;
        var r = ForwardedByColleague(body);
        Assert.Equal("jane@example.com", r.Email);
        Assert.Equal("forwarded", r.Source);
    }

    [Fact]
    public void ForwardedWebFormNotification_UsesTheReplyToOfTheBlock()
    {
        var body = "________________________________\nFrom: Formspree <noreply@formspree.io>\nReply-To: Jane <jane@example.com>\nSent: Monday\nTo: sales@jmlsoftware.co.uk\nSubject: New submission\n\nemail: jane@example.com";
        var r = ForwardedByColleague(body);
        Assert.Equal("jane@example.com", r.Email);
    }

    [Fact]
    public void ForwardMarker_BeyondTheScanLimit_IsNotRead()
    {
        var body = new string('x', RequesterExtractor.ScanLimit) + "\n---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\n";
        Assert.Equal("bob@jmlsoftware.co.uk", ForwardedByColleague(body).Email);
    }

    // ---- Rule 3: forwarded as an attachment ----------------------------------------------------------------------

    [Fact]
    public void ForwardAsAttachment_FromAColleague_TakesTheAttachedMessagesFrom()
    {
        var r = Extract(new MailFacts
        {
            From = Colleague,
            Text = "See attached.",
            AttachedMessages = [new AttachedMessage("Jane Doe <jane@example.com>", null, "my data", "Send me my data.")],
        });
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("Jane Doe", r.Name);
        Assert.Equal("attached", r.Source);
        Assert.Equal("forwarded as an attachment by bob@jmlsoftware.co.uk: the From of the attached message", r.Reason);
        Assert.True(r.ForwardedByInternal);
    }

    [Fact]
    public void ForwardAsAttachment_OfAWebFormNotification_TakesItsReplyTo()
    {
        var r = Extract(new MailFacts
        {
            From = Colleague,
            AttachedMessages = [new AttachedMessage("JotForm <noreply@jotform.com>", "jane@example.com", "New submission", "...")],
        });
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("attached", r.Source);
        Assert.EndsWith("the Reply-To of the attached message", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ForwardAsAttachment_OfAColleaguesInlineForward_FindsTheCustomerInside()
    {
        var inner = "---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\n\nDelete me.";
        var r = Extract(new MailFacts
        {
            From = Colleague,
            AttachedMessages = [new AttachedMessage("Carol <carol@jmlsoftware.co.uk>", null, "Fwd: delete me", inner)],
        });
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("attached", r.Source);
    }

    [Fact]
    public void InlineForward_WinsOverAnAttachedMessage()
    {
        var r = Extract(new MailFacts
        {
            From = Colleague,
            Text = "---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\n\nThe attached shows you emailed me.",
            AttachedMessages = [new AttachedMessage("Newsletter <news@marketing.example>", null, "Offers", "...")],
        });
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("forwarded", r.Source);
    }

    [Fact]
    public void AttachedMessage_FromAnExternalAuthor_IsIgnoredWhenFromIsExternal()
    {
        var r = Extract(new MailFacts
        {
            From = "Jane <jane@example.com>",
            AttachedMessages = [new AttachedMessage("Someone <someone@else.example>", null, null, null)],
        });
        Assert.Equal("jane@example.com", r!.Email);
        Assert.Equal("from", r.Source);
    }

    // ---- Rule 4: nobody outside ----------------------------------------------------------------------------------

    [Fact]
    public void EveryoneInternal_GivesTheInternalAuthor_MarkedAsNoPerson()
    {
        var r = Extract(new MailFacts
        {
            From = Colleague,
            Text = "---------- Forwarded message ---------\nFrom: Carol <carol@jmlsoftware.co.uk>\n\nTest.",
            AttachedMessages = [new AttachedMessage("Dave <dave@jmlsoftware.co.uk>", null, null, "hi")],
        });
        Assert.Equal("bob@jmlsoftware.co.uk", r!.Email);
        Assert.Equal("from", r.Source);
        Assert.False(r.IsPerson);
    }

    // ---- Bounded and safe ----------------------------------------------------------------------------------------

    [Fact]
    public void HugeHostileBodies_Complete()
    {
        var fromLines = string.Concat(Enumerable.Repeat("From: ", 5 * 1024 * 1024 / 6));
        var fromLinesSplit = string.Concat(Enumerable.Repeat("From: \n", 5 * 1024 * 1024 / 7));
        var angles = new string('<', 5 * 1024 * 1024);
        var ats = string.Concat(Enumerable.Repeat("a@", 5 * 1024 * 1024 / 2));
        foreach (var body in new[] { fromLines, fromLinesSplit, angles, ats, "---------- Forwarded message ---------\n" + fromLinesSplit })
        {
            var r = Extract(new MailFacts
            {
                From = Colleague,
                Subject = "Fwd: " + body,
                Text = body,
                AttachedMessages = [new AttachedMessage(body, body, body, body)],
            });
            Assert.Equal("bob@jmlsoftware.co.uk", r!.Email);
        }

        Assert.Null(Extract(new MailFacts { From = angles, ReplyTo = fromLines, Text = angles }));
    }

    [Theory]
    [InlineData("<")]
    [InlineData(">")]
    [InlineData("<>")]
    [InlineData("<<<@>>>")]
    [InlineData("\"unterminated <jane@")]
    [InlineData("@@@@")]
    [InlineData("[mailto:")]
    [InlineData("[mailto:]")]
    [InlineData("a@b")]
    [InlineData("=?utf-8?q?broken")]
    [InlineData("Jane <jane@exa mple.com>")]
    [InlineData(",,,;;;")]
    public void GarbageAddresses_DoNotThrow(string garbage)
    {
        var body = "---------- Forwarded message ---------\nFrom: " + garbage + "\n________________________________\nFrom: " + garbage + "\nSent: x\nTo: y\n";
        var r = Extract(new MailFacts { From = garbage, ReplyTo = garbage, Text = body, AttachedMessages = [new AttachedMessage(garbage, garbage, garbage, body)] });
        Assert.True(r is null || RequesterExtractor.IsValidAddress(r.Email));
        var forwarded = ForwardedByColleague(body);
        Assert.Equal("bob@jmlsoftware.co.uk", forwarded.Email);
    }

    [Theory]
    [InlineData("jane@example.com", true)]
    [InlineData("jane.o'neil+dsr@example.co.uk", true)]
    [InlineData("jane@localhost", false)]
    [InlineData("not an address", false)]
    [InlineData("jane@example.com\r\nBcc: x@example.com", false)]
    [InlineData("Jane <jane@example.com>", false)]
    [InlineData("", false)]
    public void IsValidAddress(string email, bool valid) => Assert.Equal(valid, RequesterExtractor.IsValidAddress(email));

    private static string ReadSample(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Intake", "Forwards", name));
}
