namespace JmlDsr.Domain.Requests;

/// <summary>Where a request is. Wire names are the lower-case-hyphen forms used by the API.</summary>
public static class RequestStatus
{
    public const string Received = "received";
    public const string AwaitingIdentity = "awaiting-identity";
    public const string Gathering = "gathering";
    public const string GatheringFailed = "gathering-failed";
    public const string AwaitingApproval = "awaiting-approval";
    public const string Fulfilling = "fulfilling";
    public const string Completed = "completed";
    public const string Rejected = "rejected";
    public const string ClosedUnverified = "closed-unverified";
    public const string NeedsTriage = "needs-triage";

    /// <summary>Waiting for the requester to say what the request is about; the clock is stopped (Art 12A).</summary>
    public const string AwaitingClarification = "awaiting-clarification";

    /// <summary>Refused as manifestly unfounded or excessive (Art 12(5)), with reasons (Art 12(4)).</summary>
    public const string Refused = "refused";

    /// <summary>No answer to the request for clarification within the window: closed with a letter.</summary>
    public const string ClosedNoClarification = "closed-no-clarification";

    /// <summary>Restriction in place (Art 18): the request was answered; the restriction lasts until staff lift it.</summary>
    public const string Restricted = "restricted";

    /// <summary>Staff decided to lift a restriction; the requester was told first (Art 18(3)) and it lifts on the date given.</summary>
    public const string LiftPending = "restriction-lift-pending";

    /// <summary>A complaint (DPA 2018 s 164A) acknowledged and waiting for staff to look into it and send the outcome.</summary>
    public const string ComplaintOpen = "complaint-open";

    /// <summary>Waiting for a fee staff asked for (Art 12(5)(a)); the clock has not started (Art 12A).</summary>
    public const string AwaitingFee = "awaiting-fee";

    /// <summary>The fee asked for was not paid within the window: closed with a letter.</summary>
    public const string ClosedFeeUnpaid = "closed-fee-unpaid";

    /// <summary>A complaint answered: the complainant was told the outcome and their right to complain to the ICO.</summary>
    public const string ComplaintClosed = "complaint-closed";

    /// <summary>Closed by staff as part of another request (the same request made twice, or read as two when it is one).</summary>
    public const string Merged = "merged";

    /// <summary>Closed by staff as not a request to answer (one of a campaign sent without the person, a test, spam), with the reason audited.</summary>
    public const string SetAside = "set-aside";

    /// <summary>Statuses in which the statutory clock is stopped.</summary>
    public static bool IsPaused(string status) => status is AwaitingIdentity or AwaitingClarification or AwaitingFee;

    /// <summary>Answered (or closed): the statutory deadline no longer applies.</summary>
    public static bool IsClosed(string status) =>
        status is Completed or Rejected or ClosedUnverified or Refused or ClosedNoClarification or Restricted or LiftPending or ComplaintClosed or ClosedFeeUnpaid or Merged or SetAside;
}
