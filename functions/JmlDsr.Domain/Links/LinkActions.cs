namespace JmlDsr.Domain.Links;

/// <summary>The actions a signed link can carry.</summary>
public static class LinkActions
{
    public const string ConfirmIdentity = "confirm-identity";
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string Extend = "extend";
    public const string RetryGathering = "retry-gathering";
    public const string Download = "download";

    /// <summary>Actions that need a reason typed on the page.</summary>
    public static bool NeedsReason(string action) => action is Reject or Extend;

    public static string Label(string action) => action switch
    {
        ConfirmIdentity => "Confirm it is me",
        Approve => "Approve and send the response",
        Reject => "Reject the request",
        Extend => "Extend by two months",
        RetryGathering => "Retry the systems that failed",
        Download => "Download",
        _ => action,
    };
}
