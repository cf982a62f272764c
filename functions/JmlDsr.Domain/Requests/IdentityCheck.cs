namespace JmlDsr.Domain.Requests;

/// <summary>What, if anything, JML needs from the requester before it acts (Art 12(6)).</summary>
public enum IdentityNeed
{
    /// <summary>Identity is not in doubt: nothing is asked, the month runs from receipt.</summary>
    NotInDoubt = 0,

    /// <summary>The address is on our records but the mail did not authenticate: the requester confirms by a link to that mailbox.</summary>
    ConfirmMailbox,

    /// <summary>The address is on no record: the requester may give another address, a customer or a licence number.</summary>
    OtherIdentifiers,

    /// <summary>Someone writes for another person: their authority and the person's details are needed first.</summary>
    Authority,
}

/// <summary>The identity check's verdict and the reason recorded in the evidence (no personal data).</summary>
public sealed record IdentityAssessment(IdentityNeed Need, string Reason)
{
    /// <summary>Whether the requester is asked for something (the clock then runs from their answer, Art 12A).</summary>
    public bool AsksRequester => Need != IdentityNeed.NotInDoubt;

    public string Wire => IdentityCheck.ToWire(Need);
}

/// <summary>
/// Proportionate identity (UK GDPR Art 12(6)): ask for information to confirm identity only where there are reasonable
/// doubts, and only what is needed. The ICO: a customer who writes from the address on their account, in mail that
/// authenticates, is not asked for ID; routine ID demands are a common complaint. Where JML does ask, the time limit runs
/// from receipt of what it asked for (Art 12A), and the reason for asking is recorded.
/// </summary>
public static class IdentityCheck
{
    /// <param name="authenticatedFrom">SendGrid's SPF or DKIM verdict passes and is aligned with the From domain.</param>
    /// <param name="addressOnRecord">The sender's address is the address of a website account, CRM contact or contract we hold.</param>
    /// <param name="agent">The request is made on someone else's behalf (recognised from its wording or marked by staff).</param>
    /// <param name="staffReason">Staff asked for ID at the decision step, with this reason.</param>
    public static IdentityAssessment Assess(bool authenticatedFrom, bool addressOnRecord, bool agent, string? staffReason = null)
    {
        if (agent)
        {
            return new(IdentityNeed.Authority,
                "The request is made on someone else's behalf: before responding to the sender we need their authority (signed authority, power of attorney) and the person's details (ICO: requests made on behalf of others).");
        }

        if (!string.IsNullOrWhiteSpace(staffReason))
        {
            return new(addressOnRecord ? IdentityNeed.ConfirmMailbox : IdentityNeed.OtherIdentifiers, $"Staff asked for ID: {staffReason.Trim().TrimEnd('.')}.");
        }

        if (!addressOnRecord)
        {
            return new(IdentityNeed.OtherIdentifiers,
                "The sender's address is on none of our records: we ask for another address, a customer or licence number before answering that we hold no data about them (Art 12(6)).");
        }

        return authenticatedFrom
            ? new(IdentityNeed.NotInDoubt,
                "The sender wrote from the address on their own record and the mail authenticated (SPF or DKIM aligned with From): identity is not in doubt, so nothing was asked and the month runs from receipt (Art 12(6), Art 12A).")
            : new(IdentityNeed.ConfirmMailbox,
                "The sender's address is on our records but the mail did not authenticate (no SPF or DKIM pass aligned with From): we ask them to confirm from that mailbox (Art 12(6)).");
    }

    /// <summary>
    /// Whether the mail proves who the requester is: it authenticated (SPF or DKIM aligned with From) and the requester is
    /// its From. A request found in a forwarded block, a Reply-To behind a web form's no-reply From, or an attached message
    /// was authenticated as someone else's mail, so it proves nothing about the requester.
    /// </summary>
    public static bool MailProvesSender(bool authenticated, string requesterSource) =>
        authenticated && string.Equals(requesterSource, "from", StringComparison.Ordinal);

    public static string ToWire(IdentityNeed need) => need switch
    {
        IdentityNeed.NotInDoubt => "not-in-doubt",
        IdentityNeed.ConfirmMailbox => "confirm-mailbox",
        IdentityNeed.OtherIdentifiers => "other-identifiers",
        IdentityNeed.Authority => "authority",
        _ => throw new ArgumentOutOfRangeException(nameof(need), need, null),
    };

    public static IdentityNeed FromWire(string? wire) => wire switch
    {
        "not-in-doubt" => IdentityNeed.NotInDoubt,
        "other-identifiers" => IdentityNeed.OtherIdentifiers,
        "authority" => IdentityNeed.Authority,
        _ => IdentityNeed.ConfirmMailbox,
    };
}
