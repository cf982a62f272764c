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

    public static bool IsClosed(string status) =>
        status is Completed or Rejected or ClosedUnverified;
}
