using JmlDsr.Domain.Intake;

namespace JmlDsr.Domain.Emails;

/// <summary>What the mail guard decided about one email about to be sent.</summary>
public enum MailGuardVerdict
{
    /// <summary>Send it.</summary>
    Send,

    /// <summary>A customer-facing email addressed to one of JML's own addresses or domains: never sent (it would loop).</summary>
    InternalRecipient,

    /// <summary>Too many emails to this address in the last hour: the circuit breaker is open.</summary>
    CircuitOpen,
}

/// <summary>
/// The last line of defence against mail loops. The product never answers its own mail (intake sets it aside), and on
/// top of that: no customer-facing email goes to a JML address as a "requester", and no address gets more than a set
/// number of emails an hour (a loop through some other mailbox would otherwise grow every round).
/// </summary>
public static class MailGuard
{
    /// <summary>Staff addresses (the privacy team, the DPO) may receive this many times the per-address limit: a busy day is not a loop.</summary>
    public const int StaffLimitFactor = 10;

    /// <param name="to">The recipient.</param>
    /// <param name="staffAddresses">The privacy team's and the DPO's addresses: the only JML addresses the product mails.</param>
    /// <param name="internalDomains">JML's own mail domains.</param>
    /// <param name="sentThisHour">Emails already sent to <paramref name="to"/> in the current hour.</param>
    /// <param name="perAddressLimit">The most emails one (non-staff) address may get in an hour.</param>
    public static MailGuardVerdict Decide(string to, IReadOnlyCollection<string> staffAddresses, IReadOnlyCollection<string> internalDomains, int sentThisHour, int perAddressLimit)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(staffAddresses);
        var staff = staffAddresses.Any(s => string.Equals(s.Trim(), to.Trim(), StringComparison.OrdinalIgnoreCase));
        if (!staff && RequesterExtractor.IsInternal(to.Trim(), internalDomains))
        {
            return MailGuardVerdict.InternalRecipient;
        }

        var limit = staff ? perAddressLimit * StaffLimitFactor : perAddressLimit;
        return sentThisHour >= limit ? MailGuardVerdict.CircuitOpen : MailGuardVerdict.Send;
    }

    /// <summary>The hour bucket an email counts in (UTC, yyyyMMddHH).</summary>
    public static string HourBucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A key for an address that does not store the address (SHA-256, hex, lower-cased input).</summary>
    public static string AddressKey(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(address.Trim().ToLowerInvariant()));
        return Convert.ToHexString(bytes, 0, 16).ToLowerInvariant();
    }
}
