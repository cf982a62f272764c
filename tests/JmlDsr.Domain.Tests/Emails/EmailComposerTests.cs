using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Emails;

public sealed class EmailComposerTests
{
    private const string Ref = "DSR-2026-000042";
    private static readonly DateOnly Due = new(2026, 12, 24);

    public static TheoryData<string, EmailMessage> CustomerEmails() => new()
    {
        { "ack", EmailComposer.Acknowledgement("a@example.com", "A", Ref, RequestType.Access, new DateOnly(2026, 11, 24), Due) },
        { "verify", EmailComposer.VerificationRequest("a@example.com", "A", Ref, "https://x/api/links?token=t", Due) },
        { "ack-not-in-doubt", EmailComposer.Acknowledgement("a@example.com", "A", [new(Ref, RequestType.Access, Due)], new DateOnly(2026, 11, 24), IdentityNeed.NotInDoubt) },
        { "ack-two", EmailComposer.Acknowledgement("a@example.com", "A", [new(Ref, RequestType.Access, Due), new("DSR-2026-000043", RequestType.Erasure, Due)], new DateOnly(2026, 11, 24), IdentityNeed.NotInDoubt) },
        { "identifiers", EmailComposer.IdentifiersRequest("a@example.com", "A", Ref, "https://x/api/links?token=i", Due) },
        { "authority", EmailComposer.AuthorityRequest("a@example.com", "A", Ref, "https://x/api/links?token=a", Due) },
        { "identity-by-link", EmailComposer.IdentityAnswerByLink("a@example.com", "A", Ref, "https://x/api/links?token=r", Due, saysTooLittle: false) },
        { "merged", EmailComposer.Merged("a@example.com", "A", Ref, "DSR-2026-000041") },
        { "no-data", EmailComposer.NoDataHeld("a@example.com", "A", Ref, RequestType.Access, ["Website accounts", "CRM"]) },
        { "unverified", EmailComposer.ClosedUnverified("a@example.com", "A", Ref, noReply: true) },
        { "unknown", EmailComposer.ClosedUnverified("a@example.com", "A", Ref, noReply: false) },
        { "rejected", EmailComposer.Rejected("a@example.com", "A", Ref, RequestType.Erasure, "Manifestly unfounded") },
        { "extension", EmailComposer.ExtensionNotice("a@example.com", "A", Ref, Due, "Many systems") },
        { "fulfilled", EmailComposer.AccessFulfilled("a@example.com", "A", Ref, new EmailLink("PDF", "https://x/api/exports?token=t&format=pdf"), new EmailLink("Open", "https://x/api/exports?token=t"), DateTimeOffset.UnixEpoch.AddYears(57), []) },
        { "rectified", EmailComposer.RectificationDone("a@example.com", "A", Ref, [PhoneChange], [], [Northwind]) },
        { "rectified-partly", EmailComposer.RectificationDone("a@example.com", "A", Ref, [PhoneChange], [new RefusedChange(NameChange, "Our records are accurate.")], []) },
        { "restricted", EmailComposer.RestrictionApplied("a@example.com", "A", Ref, ["CRM"], [Northwind]) },
        { "lift-notice", EmailComposer.RestrictionLiftNotice("a@example.com", "A", Ref, "We have checked the accuracy of your data.", LiftOn) },
        { "lifted", EmailComposer.RestrictionLifted("a@example.com", "A", Ref) },
        { "erased", EmailComposer.ErasureDone("a@example.com", "A", Ref, ErasureLines, [Northwind]) },
        { "erased-later", EmailComposer.ErasureScheduledDone("a@example.com", "A", Ref, [ErasureLines[2]]) },
        { "clarify", EmailComposer.ClarificationRequest("a@example.com", "A", Ref, "Which product are you asking about?", "https://x/api/links?token=c", Due) },
        { "no-clarification", EmailComposer.ClosedNoClarification("a@example.com", "A", Ref) },
        { "refused", EmailComposer.RefusedUnfoundedOrExcessive("a@example.com", "A", Ref, "The fifth identical request this month.") },
        { "complaint-ack", EmailComposer.ComplaintAcknowledged("a@example.com", "A", Ref, "DSR-2026-000041") },
        { "complaint-outcome", EmailComposer.ComplaintOutcome("a@example.com", "A", Ref, "We agree; we have corrected your address.") },
    };

    [Fact]
    public void Acknowledgement_WhenIdentityIsNotInDoubt_SaysNothingIsNeeded_AndPromisesNoConfirmationEmail()
    {
        var mail = EmailComposer.Acknowledgement("a@example.com", "A", [new(Ref, RequestType.Access, Due)], new DateOnly(2026, 11, 24), IdentityNeed.NotInDoubt);

        Assert.Contains("we do not need anything more to confirm who you are", mail.Text, StringComparison.Ordinal);
        Assert.Contains("runs from the day we received your message", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("separate email", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Thursday 24 December 2026", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Acknowledgement_OfTwoRights_ListsEachWithItsReferenceAndDueDate_AndSaysTheCopyComesFirst()
    {
        var mail = EmailComposer.Acknowledgement("a@example.com", "A",
            [new(Ref, RequestType.Access, Due), new("DSR-2026-000043", RequestType.Erasure, new DateOnly(2026, 12, 29))], new DateOnly(2026, 11, 24), IdentityNeed.ConfirmMailbox);

        Assert.Contains($"{Ref}: Access to personal data (Art 15 UK GDPR), response by Thursday 24 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains("DSR-2026-000043: Erasure of personal data (Art 17 UK GDPR), response by Tuesday 29 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains("copy of your data first", mail.Text, StringComparison.Ordinal);
        Assert.Contains(Ref, mail.Subject, StringComparison.Ordinal);
        Assert.Contains("DSR-2026-000043", mail.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void NoDataHeld_ForAccess_IsTheArt15_1Confirmation_NotARefusal()
    {
        var mail = EmailComposer.NoDataHeld("a@example.com", "A", Ref, RequestType.Access, ["Website accounts", "CRM"]);

        Assert.Contains("We searched Website accounts, CRM", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 15(1)", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("closed", mail.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void VerificationRequest_AskedByStaff_SaysWhy() =>
        Assert.Contains("Why we ask: The name differs from the account's.", EmailComposer.VerificationRequest("a@example.com", "A", Ref, "https://x/l", Due, "The name differs from the account's.").Text, StringComparison.Ordinal);

    private const string Northwind = "Northwind Implementation Partners";
    private static readonly DateOnly LiftOn = new(2026, 12, 4);
    private static readonly FieldChange PhoneChange = new("crm", "CRM", "Phone", "01632 960123", "01632 960999");
    private static readonly FieldChange NameChange = new("crm", "CRM", "Name", "Alice Smith", "Alicia Smith");

    private static readonly ErasureLine[] ErasureLines =
    [
        new("Website accounts and cookies", "cookie log-in", 2, "erased", "No law requires us to keep this.", null),
        new("Customer feedback", "feedback answer", 1, "anonymised", "We keep only the rating and the month.", null),
        new("Contracts and licences", "contract", 1, "retained", "Limitation Act 1980 s 5; UK GDPR Art 17(3)(e).", new DateOnly(2033, 3, 31)),
        new("CRM", "customer contact", 1, "retained", "A legal hold applies (UK GDPR Art 17(3)(e)).", null),
    ];

    private static string[] Paragraphs(EmailMessage mail) => mail.Text.Split(Environment.NewLine + Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [MemberData(nameof(CustomerEmails))]
    public void EveryCustomerEmail_EndsWithTheComplaintsParagraph_JmlFirstThenTheIco(string name, EmailMessage mail)
    {
        var paragraphs = Paragraphs(mail);
        var complaints = Array.FindLastIndex(paragraphs, p => p.StartsWith("If you are unhappy with how we have handled your request", StringComparison.Ordinal));
        Assert.True(complaints > 0, name);
        var paragraph = paragraphs[complaints];
        Assert.True(paragraph.IndexOf("enquiries@jmlsoftware.co.uk", StringComparison.Ordinal) < paragraph.IndexOf("Information Commissioner", StringComparison.Ordinal), name);

        // Only the links and the signature come after it.
        Assert.All(paragraphs[(complaints + 1)..], p => Assert.True(p.Contains(": https://", StringComparison.Ordinal) || p.StartsWith("Privacy team, ", StringComparison.Ordinal), p));
    }

    [Fact]
    public void AccessFulfilled_OffersThePdfFirst_ThenTheWebPage_AndSaysWhenTheLinksEnd()
    {
        var mail = EmailComposer.AccessFulfilled("a@example.com", "Alice", Ref,
            new EmailLink("Your personal data as a PDF document", "https://x/api/exports?token=t&format=pdf"),
            new EmailLink("Open your personal data in a web browser", "https://x/api/exports?token=t"),
            new DateTimeOffset(2026, 12, 24, 9, 0, 0, TimeSpan.Zero), [new SystemSummary("crm", "CRM", 2, true, null)]);

        var pdf = mail.Text.IndexOf("Your personal data as a PDF document: https://x/api/exports?token=t&format=pdf", StringComparison.Ordinal);
        var page = mail.Text.IndexOf("Open your personal data in a web browser: https://x/api/exports?token=t", StringComparison.Ordinal);
        Assert.True(pdf >= 0 && page > pdf, "the PDF link comes first, then the page");
        Assert.Contains("PDF document", mail.Text, StringComparison.Ordinal);
        Assert.Contains("24 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Equal(["https://x/api/exports?token=t&format=pdf", "https://x/api/exports?token=t"], mail.Body.Links.Select(l => l.Url));
    }

    [Fact]
    public void RectificationDone_SaysWhatChangedWhere_AndWhoWasTold()
    {
        var mail = EmailComposer.RectificationDone("a@example.com", "Alice", Ref, [PhoneChange, new FieldChange("crm", "CRM", "Role", null, "Director")], [], [Northwind, "Fabrikam Feedback Services"]);

        Assert.Contains("CRM: Phone changed from “01632 960123” to “01632 960999”", mail.Text, StringComparison.Ordinal);
        Assert.Contains("CRM: Role added as “Director”", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 16", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Northwind Implementation Partners; Fabrikam Feedback Services (UK GDPR Art 19)", mail.Text, StringComparison.Ordinal);
        Assert.Contains("who received your data", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("courts", mail.Text, StringComparison.Ordinal); // nothing refused
    }

    [Fact]
    public void RectificationDone_GivesReasonsForRefusedChanges_AndTheRightsToComplainAndGoToCourt()
    {
        var mail = EmailComposer.RectificationDone("a@example.com", "Alice", Ref, [], [new RefusedChange(NameChange, "Our contract records show the name as signed.")], []);

        Assert.Contains("CRM: Name changed from “Alice Smith” to “Alicia Smith” — not made: Our contract records show the name as signed.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 12(4)", mail.Text, StringComparison.Ordinal);
        Assert.Contains("courts", mail.Text, StringComparison.Ordinal);
        Assert.Contains("We have not changed any of your data.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("no one else to tell", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void RestrictionApplied_ExplainsArt18_2_StopsMarketing_AndPromisesNoticeBeforeLifting()
    {
        var mail = EmailComposer.RestrictionApplied("a@example.com", "Alice", Ref, ["Customer relationship management (CRM)", "Contracts and licences"], [Northwind]);

        foreach (var fact in new[] { "Customer relationship management (CRM)", "Contracts and licences", "Art 18(2)", "legal claims", "your consent", "protect the rights of another person", "marketing and product notices", "Art 18(3)", Northwind, "Art 19" })
        {
            Assert.Contains(fact, mail.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RestrictionLiftNotice_GivesTheReasonAndTheDate_BeforeLifting()
    {
        var mail = EmailComposer.RestrictionLiftNotice("a@example.com", "Alice", Ref, "We have finished checking the accuracy of your data.", LiftOn);

        Assert.Contains("Friday 4 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains("4 December 2026", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("We have finished checking the accuracy of your data.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 18(3)", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void RestrictionLifted_SaysSo_AndCitesArt18_3()
    {
        var mail = EmailComposer.RestrictionLifted("a@example.com", "Alice", Ref);
        Assert.Contains("lifted", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Art 18(3)", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ErasureDone_ListsWhatWasErasedAnonymisedAndRetained_WithReasonsAndDates()
    {
        var mail = EmailComposer.ErasureDone("a@example.com", "Alice", Ref, ErasureLines, [Northwind]);

        Assert.Contains("Website accounts and cookies — cookie log-in (2 records): erased.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Customer feedback — feedback answer (1 record): anonymised. We keep only the rating and the month.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Contracts and licences — contract (1 record): retained until Thursday 31 March 2033. Limitation Act 1980 s 5", mail.Text, StringComparison.Ordinal);
        Assert.Contains("CRM — customer contact (1 record): retained until the legal hold is lifted.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 17(3)", mail.Text, StringComparison.Ordinal);
        Assert.Contains("erase it automatically", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Northwind Implementation Partners (UK GDPR Art 19)", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ErasureDone_WithNothingRetained_DoesNotTalkAboutScheduledErasure()
    {
        var mail = EmailComposer.ErasureDone("a@example.com", "Alice", Ref, [ErasureLines[0]], []);
        Assert.DoesNotContain("automatically", mail.Text, StringComparison.Ordinal);
        Assert.Contains("no one else to tell", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ErasureScheduledDone_SaysTheRetentionEnded_AndNamesWhatWasErased()
    {
        var mail = EmailComposer.ErasureScheduledDone("a@example.com", "Alice", Ref, [ErasureLines[2] with { Outcome = "erased" }]);
        Assert.Contains("Contracts and licences — contract (1 record): erased.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("has now ended", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 17(1)", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ClarificationRequest_AsksTheQuestion_AndSaysTheClockIsPausedUntilTheAnswer()
    {
        var mail = EmailComposer.ClarificationRequest("a@example.com", "Alice", Ref, "Which product are you asking about?", "https://x/api/links?token=c", Due);

        Assert.Contains("Which product are you asking about?", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 12A", mail.Text, StringComparison.Ordinal);
        Assert.Contains("paused from today until we receive your answer", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Thursday 24 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Equal("https://x/api/links?token=c", Assert.Single(mail.Body.Links).Url);
    }

    [Fact]
    public void ClosedNoClarification_SaysItWasClosed_AndTheyCanAskAgain()
    {
        var mail = EmailComposer.ClosedNoClarification("a@example.com", "Alice", Ref);
        Assert.Contains("closed", mail.Text, StringComparison.Ordinal);
        Assert.Contains("make the request again", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusedUnfoundedOrExcessive_GivesReasons_AndTheRightsToComplainAndGoToCourt()
    {
        var mail = EmailComposer.RefusedUnfoundedOrExcessive("a@example.com", "Alice", Ref, "The fifth identical request this month.");

        foreach (var fact in new[] { "manifestly unfounded or excessive", "Art 12(5)", "The fifth identical request this month.", "Art 12(4)", "courts", "Information Commissioner" })
        {
            Assert.Contains(fact, mail.Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("rectification", "correct", "Art 16")]
    [InlineData("restriction", "restrict", "Art 18(2)")]
    [InlineData("erasure", "erase", "Art 17")]
    public void PartnerNotice_TellsTheRecipientWhatToDo_UnderItsTerms_WithoutTheCustomerComplaintsParagraph(string action, string verb, string article)
    {
        var mail = EmailComposer.PartnerNotice(new Domain.Gathering.Partner(Northwind, "privacy@northwind-partners.example", "Partner confidentiality agreement 2022"), Ref, action, ["Phone: now 01632 960999"]);

        Assert.Equal("privacy@northwind-partners.example", mail.To);
        Assert.Contains(Ref, mail.Subject, StringComparison.Ordinal);
        Assert.Contains($"please {verb} shared data", mail.Subject, StringComparison.Ordinal);
        Assert.StartsWith("Dear colleagues at Northwind Implementation Partners,", mail.Text, StringComparison.Ordinal);
        foreach (var fact in new[] { Ref, "Art 19", article, "Phone: now 01632 960999", "Partner confidentiality agreement 2022", "privacy@jmlsoftware.co.uk" })
        {
            Assert.Contains(fact, mail.Text, StringComparison.Ordinal);
        }

        Assert.EndsWith("Privacy team, JML Software Solutions Ltd", mail.Text.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("If you are unhappy", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ico.org.uk", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void PartnerNotice_RejectsAnUnknownAction() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EmailComposer.PartnerNotice(new Domain.Gathering.Partner("Someone", "p@example.com", string.Empty), Ref, "access", []));

    [Theory]
    [InlineData(7, "7 days left")]
    [InlineData(1, "1 day left")]
    public void StaffReminder_GivesTheDueDate_DaysLeft_AndStatus(int daysLeft, string left)
    {
        var mail = EmailComposer.StaffReminder("privacy@jmlsoftware.co.uk", Ref, RequestType.Erasure, Due, daysLeft, RequestStatus.AwaitingApproval);

        Assert.Contains(Ref, mail.Subject, StringComparison.Ordinal);
        Assert.Contains("due 24 December 2026", mail.Subject, StringComparison.Ordinal);
        Assert.Contains(left, mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Thursday 24 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains("waiting for a staff decision", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 17", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void StaffUndeliverable_NamesTheEmailAndWhy_AndAsksStaffToReachThePersonAnotherWay()
    {
        var mail = EmailComposer.StaffUndeliverable("privacy@jml.example", Ref, "Your personal data — reference " + Ref, "the recipient's mail server refused it (bounce, status 5.1.1)");

        Assert.StartsWith($"[{Ref}] Email not delivered: Your personal data", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("status 5.1.1", mail.Text, StringComparison.Ordinal);
        Assert.Contains("another way", mail.Text, StringComparison.Ordinal);
        Assert.Equal("privacy@jml.example", mail.To);
    }

    [Fact]
    public void ComplaintAcknowledged_CitesS164A_NamesTheRequest_AndSaysWhatHappensNext()
    {
        var mail = EmailComposer.ComplaintAcknowledged("a@example.com", "Alice", Ref, "DSR-2026-000041");
        Assert.Contains("s 164A", mail.Text, StringComparison.Ordinal);
        Assert.Contains("about request DSR-2026-000041", mail.Text, StringComparison.Ordinal);
        Assert.Contains("tell you the outcome", mail.Text, StringComparison.Ordinal);

        var general = EmailComposer.ComplaintAcknowledged("a@example.com", "Alice", Ref, null);
        Assert.DoesNotContain("about request", general.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ComplaintOutcome_GivesTheOutcome_AndTheRightToComplainToTheIco()
    {
        var mail = EmailComposer.ComplaintOutcome("a@example.com", "Alice", Ref, "We agree; we have corrected your address.");
        Assert.Contains("Outcome: We agree; we have corrected your address.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Art 77", mail.Text, StringComparison.Ordinal);
        Assert.Contains("s 164A", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void StaffComplaint_NamesTheRequest_TheAcknowledgementDate_AndCarriesTheRespondLink_WithoutTheFullAddress()
    {
        var link = new EmailLink("Send the outcome to the complainant", "https://x/api/links?token=r");
        var mail = EmailComposer.StaffComplaint("privacy@jmlsoftware.co.uk", Ref, EmailComposer.Mask("alice@example.com"), "DSR-2026-000041",
            new DateOnly(2026, 11, 24), new DateOnly(2026, 12, 24), link, new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero));

        Assert.Contains(Ref, mail.Subject, StringComparison.Ordinal);
        Assert.Contains("about DSR-2026-000041", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("s 164A", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Thursday 24 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains("without undue delay", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Send the outcome to the complainant: https://x/api/links?token=r", mail.Text, StringComparison.Ordinal);
        Assert.Contains("a***@example.com", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("alice@example.com", mail.Text, StringComparison.Ordinal);

        var general = EmailComposer.StaffComplaint("privacy@jmlsoftware.co.uk", Ref, "a***@example.com", null, new DateOnly(2026, 11, 24), new DateOnly(2026, 12, 24), link, DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain("about DSR", general.Subject, StringComparison.Ordinal);
        Assert.Contains("does not name one of our requests", general.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CustomerEmails))]
    public void EveryCustomerEmail_CarriesTheReference_AndHowToComplain(string name, EmailMessage mail)
    {
        Assert.False(string.IsNullOrEmpty(name));
        Assert.Contains(Ref, mail.Subject, StringComparison.Ordinal);
        Assert.Contains(Ref, mail.Text, StringComparison.Ordinal);
        Assert.Contains("Information Commissioner", mail.Text, StringComparison.Ordinal);
        Assert.Contains("enquiries@jmlsoftware.co.uk", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejection_GivesReasons_AndTheRightToAJudicialRemedy()
    {
        var mail = EmailComposer.Rejected("a@example.com", null, Ref, RequestType.Access, "Manifestly excessive: the fifth identical request this month.");
        Assert.Contains("Manifestly excessive", mail.Text, StringComparison.Ordinal);
        Assert.Contains("courts", mail.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jane@example.com", "j***@example.com")]
    [InlineData("j@example.com", "***@example.com")]
    public void Mask_HidesTheLocalPart(string email, string masked) => Assert.Equal(masked, EmailComposer.Mask(email));

    [Fact]
    public void StaffApproval_NeverShowsTheFullAddress()
    {
        var mail = EmailComposer.StaffApprovalRequest("privacy@jmlsoftware.co.uk", Ref, RequestType.Access, EmailComposer.Mask("jane@example.com"), Due,
            [new SystemSummary("crm", "CRM", 2, true, null), new SystemSummary("feedback", "Feedback", 0, false, "timeout")], [new EmailLink("Approve", "https://x")], DateTimeOffset.UnixEpoch.AddYears(57));
        Assert.DoesNotContain("jane@example.com", mail.Text, StringComparison.Ordinal);
        Assert.Contains("FAILED", mail.Text, StringComparison.Ordinal);
    }

    private static readonly JmlDsr.Domain.Gathering.UnreachableRecipient Contoso = new("Contoso Events Ltd",
    [
        new("Contoso Events Ltd", false, "partner share", "name, email", "2026-01-10", "Event partner terms 2025", "partner-shares", new string('a', 64), DateTimeOffset.UnixEpoch),
    ]);

    [Theory]
    [InlineData("rectification", "rectification", "Art 16")]
    [InlineData("restriction", "restriction", "Art 18(2)")]
    [InlineData("restriction-lifted", "lifting of the restriction", "Art 18(3)")]
    [InlineData("erasure", "erasure", "Art 17")]
    public void StaffPartnersNotTold_NamesTheRequestThePartnerTheActionAndWhatTheyMustBeTold(string action, string what, string article)
    {
        var mail = EmailComposer.StaffPartnersNotTold("privacy@jmlsoftware.co.uk", Ref, action, [Contoso], 0);

        Assert.Equal("privacy@jmlsoftware.co.uk", mail.To);
        Assert.Equal($"[{Ref}] Action needed: a partner not told of the {what} (UK GDPR Art 19)", mail.Subject);
        Assert.StartsWith("Privacy team,", mail.Text, StringComparison.Ordinal);
        foreach (var fact in new[] { Ref, "Art 19", article, "Contoso Events Ltd — no address in the partner directory", "It received: name, email on 2026-01-10 under Event partner terms 2025", "What they must be told", "disproportionate effort" })
        {
            Assert.Contains(fact, mail.Text, StringComparison.Ordinal);
        }

    }

    [Fact]
    public void StaffPartnersNotTold_ForARectification_NamesTheFieldsButNotTheirValues()
    {
        var mail = EmailComposer.StaffPartnersNotTold("privacy@jmlsoftware.co.uk", Ref, "rectification", [Contoso], 0, ["Phone", "Company"]);

        Assert.Contains("The fields corrected: Phone, Company", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(PhoneChange.NewValue, mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(PhoneChange.OldValue!, mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void StaffPartnersNotTold_SeveralRecipients_AndSharesThatCannotBeTraced()
    {
        var other = Contoso with { Partner = "Litware Resellers" };
        var mail = EmailComposer.StaffPartnersNotTold("privacy@jmlsoftware.co.uk", Ref, "erasure", [Contoso, other], 2);

        Assert.Contains("partners not told of the erasure", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Litware Resellers — no address", mail.Text, StringComparison.Ordinal);
        Assert.Contains("2 partner-sharing records of this person could not be traced to a partner", mail.Text, StringComparison.Ordinal);

        var untracedOnly = EmailComposer.StaffPartnersNotTold("privacy@jmlsoftware.co.uk", Ref, "erasure", [], 1);
        Assert.Contains("a partner not told", untracedOnly.Subject, StringComparison.Ordinal);
        Assert.Contains("1 partner-sharing record of this person could not be traced", untracedOnly.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void StaffPartnersNotTold_CarriesNoPersonalDataOfTheRequester_TheReferenceIsEnough()
    {
        // Nothing about the person goes in: the composer is given only the reference, partners, categories and field names.
        var mail = EmailComposer.StaffPartnersNotTold("privacy@jmlsoftware.co.uk", Ref, "erasure", [Contoso], 0);
        Assert.DoesNotContain("@example", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Open the request in the console for the person's details", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void StaffPartnersNotTold_RejectsAnUnknownAction() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EmailComposer.StaffPartnersNotTold("p@example.com", Ref, "access", [Contoso], 0));

    [Theory]
    [InlineData(true, "The statutory clock keeps running. Until the workflow runs again, the watchdog sends the reminders and the due-date escalation itself")]
    [InlineData(false, "The statutory clock is stopped at this step")]
    public void StaffWorkflowNotWatched_SaysWhatIsWrong_WhereTheRequestStands_AndCarriesTheRestartLink_WithNothingAboutThePerson(bool clockRuns, string clock)
    {
        var link = new EmailLink("Restart the workflow", "https://x/api/links?token=w");
        var mail = EmailComposer.StaffWorkflowNotWatched("dpo@jmlsoftware.co.uk", Ref, RequestType.Access, "terminated",
            "its workflow was terminated at 2026-12-02 10:00 UTC while the index says awaiting-approval", RequestStatus.AwaitingApproval, Due, clockRuns, link,
            new DateTimeOffset(2026, 12, 16, 10, 0, 0, TimeSpan.Zero));

        Assert.Equal("dpo@jmlsoftware.co.uk", mail.To);
        Assert.Equal($"[{Ref}] Action needed: workflow terminated, not under watch", mail.Subject);
        Assert.Contains("its workflow was terminated at 2026-12-02 10:00 UTC while the index says awaiting-approval.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("waiting for a staff decision, due on Thursday 24 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains(clock, mail.Text, StringComparison.Ordinal);
        Assert.Contains("starts again from the state it recorded, and nothing already sent is sent again", mail.Text, StringComparison.Ordinal);
        Assert.Contains("single-use and expires on Wednesday 16 December 2026", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Restart the workflow: https://x/api/links?token=w", mail.Text, StringComparison.Ordinal);
        Assert.Equal("https://x/api/links?token=w", Assert.Single(mail.Body.Links).Url);

        // Our own automatic staff mail: the staff greeting and signature, no customer paragraphs, no one's address or name.
        Assert.StartsWith("Privacy team,", mail.Text, StringComparison.Ordinal);
        Assert.Contains("JmlDsr", mail.Text.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("ico.org.uk", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("@", mail.Text.Replace("https://x/api/links?token=w", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectionToMarketing_SaysWhereTheAddressItselfIsKept_WhenTheMailingServiceKeepsIt()
    {
        var plain = EmailComposer.ObjectionMarketingDone("a@example.com", "A", Ref, []);
        var withSendGrid = EmailComposer.ObjectionMarketingDone("a@example.com", "A", Ref, [], ["Marketing mailing lists (SendGrid): your email address alone"]);

        Assert.DoesNotContain("its own suppression list", plain.Text, StringComparison.Ordinal);
        Assert.Contains("Our email service keeps your address on its own suppression list too", withSendGrid.Text, StringComparison.Ordinal);
        Assert.Contains("Marketing mailing lists (SendGrid): your email address alone", withSendGrid.Text, StringComparison.Ordinal);
        Assert.False(withSendGrid.Marketing);
        Assert.True(EmailComposer.ProductNotice("a@example.com", "News", "Ledger Pro 6").Marketing);
    }
}
