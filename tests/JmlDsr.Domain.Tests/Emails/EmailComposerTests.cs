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
        { "unverified", EmailComposer.ClosedUnverified("a@example.com", "A", Ref, noReply: true) },
        { "unknown", EmailComposer.ClosedUnverified("a@example.com", "A", Ref, noReply: false) },
        { "rejected", EmailComposer.Rejected("a@example.com", "A", Ref, RequestType.Erasure, "Manifestly unfounded") },
        { "extension", EmailComposer.ExtensionNotice("a@example.com", "A", Ref, Due, "Many systems") },
        { "fulfilled", EmailComposer.AccessFulfilled("a@example.com", "A", Ref, new EmailLink("Open", "https://x/api/exports?token=t"), DateTimeOffset.UnixEpoch.AddYears(57), []) },
    };

    [Theory]
    [MemberData(nameof(CustomerEmails))]
    public void EveryCustomerEmail_CarriesTheReference_AndHowToComplain(string name, EmailMessage mail)
    {
        Assert.False(string.IsNullOrEmpty(name));
        Assert.Contains(Ref, mail.Subject, StringComparison.Ordinal);
        foreach (var body in new[] { mail.Text, mail.Html })
        {
            Assert.Contains(Ref, body, StringComparison.Ordinal);
            Assert.Contains("Information Commissioner", body, StringComparison.Ordinal);
            Assert.Contains("enquiries@jmlsoftware.co.uk", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rejection_GivesReasons_AndTheRightToAJudicialRemedy()
    {
        var mail = EmailComposer.Rejected("a@example.com", null, Ref, RequestType.Access, "Manifestly excessive: the fifth identical request this month.");
        Assert.Contains("Manifestly excessive", mail.Text, StringComparison.Ordinal);
        Assert.Contains("courts", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_IsEncoded()
    {
        var mail = EmailComposer.Acknowledgement("a@example.com", "<script>alert(1)</script>", Ref, RequestType.Access, new DateOnly(2026, 11, 24), Due);
        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", mail.Html, StringComparison.Ordinal);
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
}
