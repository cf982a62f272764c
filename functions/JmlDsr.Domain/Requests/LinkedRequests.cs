namespace JmlDsr.Domain.Requests;

/// <summary>
/// Requests opened from one message ("send me a copy of my data, then delete it"): each is dealt with in its own right
/// (ICO), and an erasure beside an access request runs only after the access is answered and the person has had their copy.
/// </summary>
public static class LinkedRequests
{
    /// <summary>Days before the erasure's own due date at which it runs even if the copy was never opened: the erasure must still be on time.</summary>
    public const int ErasureLeadDays = 7;

    /// <summary>
    /// Whether an erasure waits for the access request opened beside it, and why (null: it runs now). It waits while the
    /// access is open; once answered, until the person has opened their copy (an erasure would delete it with the rest) or
    /// until <see cref="ErasureLeadDays"/> before the erasure is due, whichever is first.
    /// </summary>
    /// <param name="accessOpen">The linked access request is not yet answered.</param>
    /// <param name="copyOpened">The person opened the copy the access request sent them (or no copy was sent).</param>
    public static string? ErasureWaitsFor(string accessReference, bool accessOpen, bool copyOpened, DateOnly today, DateOnly erasureDue)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessReference);
        if (accessOpen)
        {
            return $"the access request {accessReference} from the same message is answered first";
        }

        if (!copyOpened && today < erasureDue.AddDays(-ErasureLeadDays))
        {
            return $"the person opens the copy sent for {accessReference} (at the latest until {erasureDue.AddDays(-ErasureLeadDays):yyyy-MM-dd}, so the erasure is on time)";
        }

        return null;
    }
}
