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

    /// <summary>Staff ask the requester what the request is about (Art 12A: the clock stops).</summary>
    public const string Clarify = "clarify";

    /// <summary>Staff refuse a manifestly unfounded or excessive request (Art 12(5)).</summary>
    public const string Refuse = "refuse";

    /// <summary>Staff decide to lift a restriction; the requester is told before it lifts (Art 18(3)).</summary>
    public const string LiftRestriction = "lift-restriction";

    /// <summary>The requester answers a request for clarification.</summary>
    public const string Answer = "answer";

    /// <summary>Staff answer a complaint (DPA 2018 s 164A(4)(b)): the text is the outcome the complainant is sent.</summary>
    public const string Respond = "respond";

    /// <summary>Staff ask for a reasonable fee (Art 12(5)(a): manifestly unfounded or excessive, or further copies).</summary>
    public const string ChargeFee = "charge-fee";

    /// <summary>Staff record that the fee was paid: the clock runs from that day (Art 12A).</summary>
    public const string FeePaid = "fee-paid";

    /// <summary>
    /// Staff restart a request's workflow that the deadline watchdog found failed, terminated, missing or stuck: it starts again
    /// from the state the request index recorded.
    /// </summary>
    public const string RestartWorkflow = "restart-workflow";

    /// <summary>The requester gives another address or a customer, contract or licence number (Art 12(6): their address is on no record).</summary>
    public const string GiveIdentifiers = "give-identifiers";

    /// <summary>An agent gives the person's details and their signed authority to act.</summary>
    public const string GiveAuthority = "give-authority";

    /// <summary>Staff have reasonable doubts about identity and ask for ID, with the reason (Art 12(6); the month runs from the answer, Art 12A).</summary>
    public const string AskIdentity = "ask-identity";

    /// <summary>The decisions staff can take on a gathered request.</summary>
    public static IReadOnlyList<string> StaffDecisions { get; } = [Approve, Reject, Refuse, Extend, Clarify, ChargeFee, AskIdentity];

    /// <summary>Actions that need a reason typed on the page.</summary>
    public static bool NeedsReason(string action) => action is Reject or Extend or Clarify or Refuse or LiftRestriction or Answer or Respond or ChargeFee or AskIdentity;

    /// <summary>What the text box asks for.</summary>
    public static string ReasonLabel(string action) => action switch
    {
        Clarify => "What do you need the requester to tell you? Ask only where you genuinely need it, e.g. we hold a lot about them (ICO). They will see this.",
        Answer => "Your answer",
        Respond => "The outcome and what we did (the complainant will see this)",
        ChargeFee => "The fee, how to pay it and why it is charged (the requester will see this)",
        LiftRestriction => "Why the restriction is being lifted (the requester will see this)",
        AskIdentity => "Why identity is in reasonable doubt, and what you need (recorded in the evidence; ask only what you need, Art 12(6))",
        _ => "Reason (the requester will see this)",
    };

    public static string Label(string action) => action switch
    {
        ConfirmIdentity => "Confirm it is me",
        GiveIdentifiers => "Send these details",
        GiveAuthority => "Send the details and the authority",
        AskIdentity => "Ask the requester for ID (the month runs from their answer)",
        Approve => "Approve and send the response",
        Reject => "Reject the request",
        Extend => "Extend by two months",
        RetryGathering => "Retry the systems that failed",
        Clarify => "Ask the requester to clarify (stops the clock)",
        Refuse => "Refuse as manifestly unfounded or excessive",
        LiftRestriction => "Lift the restriction (tells the requester first)",
        Answer => "Send my answer",
        Respond => "Send the outcome to the complainant",
        ChargeFee => "Ask for a reasonable fee (stops the clock)",
        FeePaid => "Record that the fee was paid (the clock runs from today)",
        RestartWorkflow => "Restart the workflow from its recorded state",
        Download => "Download",
        _ => action,
    };
}
