using JmlDsr.Domain.Intake;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

public sealed class MailTriageTests
{
    private static readonly OwnMailIdentity Us = new(["privacy@jmlsoftware.co.uk"], ["jmlsoftware.co.uk"]);

    private static MailFacts Mail(string from = "Jane Doe <jane@example.com>", string subject = "Subject access request", string text = "Please send me a copy of my personal data.", params (string Name, string Value)[] headers) =>
        new() { From = from, Subject = subject, Text = text, EnvelopeFrom = MailText.Address(from), Headers = headers.Select(h => new MailHeader(h.Name, h.Value)).ToList() };

    [Fact]
    public void PersonWriting_IsNotSetAside() => Assert.Null(MailTriage.Classify(Mail(), Us));

    [Theory]
    [InlineData("I am on annual leave until Monday but wanted to send this: please send me a copy of my personal data under GDPR.")]
    [InlineData("I'm currently away with the family. Could you erase my account please? Thanks, Jane")]
    public void PersonMentioningHoliday_InARequest_IsNotSetAside(string text) =>
        Assert.Null(MailTriage.Classify(Mail(subject: "Request", text: text), Us));

    [Fact]
    public void OurReferenceHeader_IsOwnMail()
    {
        var v = MailTriage.Classify(Mail(headers: [("X-JmlDsr-Reference", "DSR-2026-0042"), ("Auto-Submitted", "auto-generated")]), Us);
        Assert.Equal(SetAsideReason.OwnMail, v?.Reason);
    }

    [Fact]
    public void FromOurAddress_AutoSubmitted_IsOwnMail() =>
        Assert.Equal(SetAsideReason.OwnMail, MailTriage.Classify(Mail(from: "JML Privacy <privacy@jmlsoftware.co.uk>", headers: [("Auto-Submitted", "auto-generated")]), Us)?.Reason);

    [Fact]
    public void StaffForwardingACustomer_IsNotOwnMail() =>
        Assert.Null(MailTriage.Classify(Mail(from: "Sam <sam@jmlsoftware.co.uk>", subject: "FW: my data", text: "---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\nPlease send my data."), Us));

    [Fact]
    public void OurAddress_ForwardedByHand_IsLeftToTheRequesterRules() =>
        Assert.Null(MailTriage.Classify(Mail(from: "privacy@jmlsoftware.co.uk", subject: "Fwd: SAR", text: "-----Original Message-----\nFrom: jane@example.com\nmy data please"), Us));

    [Theory]
    [InlineData("auto-replied")]
    [InlineData("Auto-Generated")]
    [InlineData("auto-notified; owner-email=\"x@example.com\"")]
    [InlineData("auto-replied (zimbra; vacation)")]
    public void AutoSubmitted_OtherThanNo_IsAutoReply(string value) =>
        Assert.Equal(SetAsideReason.AutoReply, MailTriage.Classify(Mail(headers: [("Auto-Submitted", value)]), Us)?.Reason);

    [Fact]
    public void AutoSubmittedNo_IsAPerson() => Assert.Null(MailTriage.Classify(Mail(headers: [("Auto-Submitted", "no")]), Us));

    [Theory]
    [InlineData("X-Autoreply", "yes")]
    [InlineData("X-Autorespond", "Out of office")]
    [InlineData("X-Autoresponder", "true")]
    [InlineData("X-Auto-Reply", "1")]
    [InlineData("Precedence", "auto_reply")]
    [InlineData("X-Precedence", "auto_reply")]
    public void AutoresponderHeaders_AreAutoReply(string name, string value) =>
        Assert.Equal(SetAsideReason.AutoReply, MailTriage.Classify(Mail(headers: [(name, value)]), Us)?.Reason);

    [Theory]
    [InlineData("Automatic reply: Subject access request")]
    [InlineData("Automatische Antwort: Ihre Anfrage")]
    [InlineData("Réponse automatique : votre demande")]
    [InlineData("Respuesta automática: solicitud")]
    [InlineData("Risposta automatica: richiesta")]
    [InlineData("Autosvar: forespørsel")]
    [InlineData("Automatisch antwoord: verzoek")]
    [InlineData("Out of Office: request")]
    [InlineData("Out of the office")]
    [InlineData("OOO: back Monday")]
    [InlineData("Abwesenheitsnotiz: Anfrage")]
    [InlineData("RE: Your request (Automatic Response)")]
    [InlineData("AUTO: Jane Doe is out of the office (returning 05/01/2026)")]
    public void AutoReplySubjects_WithoutHeaders_AreAutoReply(string subject) =>
        Assert.Equal(SetAsideReason.AutoReply, MailTriage.Classify(Mail(subject: subject, text: "Thanks for your email."), Us)?.Reason);

    [Fact]
    public void ShortOutOfOfficeBody_WithoutHeadersOrSubject_IsAutoReply() =>
        Assert.Equal(SetAsideReason.AutoReply, MailTriage.Classify(Mail(subject: "Re: hello", text: "I am out of the office until 3 March with limited access to email."), Us)?.Reason);

    [Theory]
    [InlineData("multipart/report", "delivery-status", null)]
    [InlineData("text/plain", null, "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1")]
    public void DeliveryStatusReports_AreBounces(string contentType, string? reportType, string? dsn)
    {
        var facts = Mail(from: "Mail Delivery System <MAILER-DAEMON@mx.example.com>", subject: "Undelivered Mail Returned to Sender") with
        {
            ContentType = contentType,
            ReportType = reportType,
            DeliveryStatus = dsn,
            EnvelopeFrom = "",
        };

        var v = MailTriage.Classify(facts, Us);

        Assert.Equal(SetAsideReason.Bounce, v?.Reason);
        if (dsn is not null)
        {
            Assert.Equal(["gone@example.org"], v!.FailedRecipients);
        }
    }

    [Theory]
    [InlineData("Undeliverable: Your subject access request")]
    [InlineData("Delivery Status Notification (Failure)")]
    [InlineData("Mail delivery failed: returning message to sender")]
    [InlineData("Returned mail: see transcript for details")]
    [InlineData("failure notice")]
    [InlineData("Unzustellbar: Ihre Anfrage")]
    public void BounceSubjects_AreBounces(string subject) =>
        Assert.Equal(SetAsideReason.Bounce, MailTriage.Classify(Mail(from: "Microsoft Outlook <outlook@example.com>", subject: subject, text: "Your message couldn't be delivered."), Us)?.Reason);

    [Fact]
    public void CustomerForwardingABounce_IsAPerson() =>
        Assert.Null(MailTriage.Classify(Mail(subject: "Fwd: Undeliverable: my request", text: "I tried to email you and got this. Please send me my data.\n---------- Forwarded message ---------\nDelivery has failed to these recipients or distribution lists:"), Us));

    [Fact]
    public void ExchangeInboxRuleAutoReply_IsAutoReply()
    {
        // The header set of a real Exchange 2013 rule-based autoreply (Selwyn District Council, published in a PHP test).
        var facts = Mail(subject: "Selwyn Autoreply", text: "Thank you for your email.", headers:
        [
            ("x-autoreply", "yes"), ("X-MS-Exchange-Inbox-Rules-Loop", "buildingadmin_designdocument@selwyn.govt.nz"),
            ("auto-submitted", "auto-generated"), ("x-ms-exchange-generated-message-source", "Mailbox Rules Agent"),
        ]);

        Assert.Equal(SetAsideReason.AutoReply, MailTriage.Classify(facts, Us)?.Reason);
    }

    [Fact]
    public void NullReturnPath_Alone_IsABounce() =>
        Assert.Equal(SetAsideReason.Bounce, MailTriage.Classify(Mail(subject: "Notification", text: "Something happened.") with { EnvelopeFrom = "" }, Us)?.Reason);

    [Fact]
    public void HelpdeskAcknowledgement_IsAutoAcknowledgement()
    {
        var facts = Mail(
            from: "Acme Support <support@acme.example>",
            subject: "[Ticket #12345] We've received your request",
            text: "##- Please type your reply above this line -##\n\nThank you for contacting us. Your request (12345) has been received and is being reviewed by our support staff.",
            headers: [("X-Zendesk-From-Account-Id", "1a2b3c"), ("Auto-Submitted", "auto-generated")]);

        Assert.Equal(SetAsideReason.AutoAcknowledgement, MailTriage.Classify(facts, Us)?.Reason);
    }

    // Zendesk's default "Notify requester of received request" trigger text and the headers Zendesk documents on every
    // outbound email (Auto-Submitted: auto-generated, X-Auto-Response-Suppress: All, X-Mailer: Zendesk Mailer,
    // X-Zendesk-From-Account-Id), as found in Zendesk's help-centre text and real Zendesk mail in public repositories.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ZendeskDefaultAcknowledgement_IsAutoAcknowledgement(bool withHeaders)
    {
        (string, string)[] headers = withHeaders
            ? [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All"), ("X-Mailer", "Zendesk Mailer"), ("X-Zendesk-From-Account-Id", "68b8aed")]
            : [];
        var facts = Mail(
            from: "Acme Support <support@acme.example>",
            subject: "[Request received] Subject access request",
            text: "##- Please type your reply above this line -##\n\nYour request (115344) has been received, and is being reviewed by our support staff.\n\nTo add additional comments, reply to this email.",
            headers: headers);

        Assert.Equal(SetAsideReason.AutoAcknowledgement, MailTriage.Classify(facts, Us)?.Reason);
    }

    [Fact]
    public void AcknowledgementWording_WithoutHeaders_NeedsTwoSignals()
    {
        var one = Mail(subject: "Hello", text: "Thank you for your email. I would like a copy of my personal data.");
        Assert.Null(MailTriage.Classify(one, Us));

        var two = Mail(from: "no-reply@council.example", subject: "Enquiry received", text: "This is an automated response. Thank you for contacting us; your reference number is 778812. We aim to respond within 10 working days.");
        Assert.Equal(SetAsideReason.AutoAcknowledgement, MailTriage.Classify(two, Us)?.Reason);
    }

    [Fact]
    public void OurWebFormRelay_IsNotAnAcknowledgement()
    {
        var facts = Mail(
            from: "Web form <noreply@jmlsoftware.co.uk>",
            subject: "Request received from website",
            text: "Name: Jane Doe\nEmail: jane@example.com\nRequest: I want a copy of my personal data. My reference number is 4471.") with
        {
            ReplyTo = "Jane <jane@example.com>",
        };

        Assert.Null(MailTriage.Classify(facts, Us));
    }

    [Theory]
    [InlineData("Precedence", "bulk")]
    [InlineData("Precedence", "list")]
    [InlineData("Precedence", "junk")]
    [InlineData("List-Id", "<news.example.com>")]
    [InlineData("List-Unsubscribe", "<https://example.com/unsub>")]
    public void BulkMail_IsBulk(string name, string value) =>
        Assert.Equal(SetAsideReason.Bulk, MailTriage.Classify(Mail(subject: "Our spring newsletter", text: "News.", headers: [(name, value)]), Us)?.Reason);

    [Fact]
    public void RelayedByOurOwnGoogleGroup_IsStillAPerson()
    {
        var facts = Mail(headers:
        [
            ("Precedence", "list"), ("Mailing-list", "list privacy@jmlsoftware.co.uk; contact privacy+owners@jmlsoftware.co.uk"),
            ("List-ID", "<privacy.jmlsoftware.co.uk>"), ("X-BeenThere", "privacy@jmlsoftware.co.uk"),
        ]);

        Assert.Null(MailTriage.Classify(facts, Us));
    }

    [Fact]
    public void LongBody_IsReadOnlyInABoundedPrefix()
    {
        var text = new string('a', 2_000_000) + " i am out of the office";
        var started = DateTime.UtcNow;
        Assert.Null(MailTriage.Classify(Mail(subject: "Hi", text: text), Us));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(SetAsideReason.OwnMail, "own-mail")]
    [InlineData(SetAsideReason.AutoAcknowledgement, "auto-acknowledgement")]
    public void Reasons_HaveKebabWireNames(SetAsideReason reason, string wire) => Assert.Equal(wire, reason.ToWire());
}
