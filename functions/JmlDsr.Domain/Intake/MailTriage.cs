namespace JmlDsr.Domain.Intake;

/// <summary>Why an inbound email is set aside rather than opened as a request. Wire names are kebab-case.</summary>
public enum SetAsideReason
{
    /// <summary>The product's own outgoing mail come back (our header, our sending address).</summary>
    OwnMail,

    /// <summary>An auto-reply: out of office, vacation, autoresponder (RFC 3834 and the forms without its headers).</summary>
    AutoReply,

    /// <summary>A delivery status notification: a bounce or delay report.</summary>
    Bounce,

    /// <summary>Another organisation's automatic acknowledgement ("we have received your request, ticket #…").</summary>
    AutoAcknowledgement,

    /// <summary>Bulk or list mail: newsletters, Precedence bulk/junk/list.</summary>
    Bulk,

    /// <summary>Only JML addresses: no outside person to answer (e.g. a forward whose block names no one outside).</summary>
    Internal,

    /// <summary>A forward from a JML address whose own mail did not authenticate: the forwarded block cannot be trusted.</summary>
    UnauthenticatedForward,

    /// <summary>More new requests from one sender in 24 hours than the configured limit.</summary>
    SenderRate,
}

/// <summary>The verdict on one email: set aside (with a reason and a staff-readable explanation), or null for a person's mail.</summary>
public sealed record TriageVerdict(SetAsideReason Reason, string Explanation)
{
    /// <summary>For a bounce: the recipients whose delivery failed (from the DSN), lower case; may be empty.</summary>
    public IReadOnlyList<string> FailedRecipients { get; init; } = [];
}

/// <summary>Who "we" are, for recognising our own mail.</summary>
public sealed record OwnMailIdentity(IReadOnlyCollection<string> OwnAddresses, IReadOnlyCollection<string> InternalDomains)
{
    /// <summary>The header every email the product sends carries, naming the request.</summary>
    public const string ReferenceHeader = "X-JmlDsr-Reference";
}

/// <summary>
/// Decides whether an inbound email is a person writing (null) or mail no one should answer: our own, auto-replies,
/// bounces, automatic acknowledgements, bulk. Pure and bounded: reads only a prefix of the body, no backtracking regex.
/// </summary>
public static class MailTriage
{
    public static TriageVerdict? Classify(MailFacts facts, OwnMailIdentity us)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(us);
        throw new NotImplementedException("Filled in by the mail-triage work.");
    }

    public static string ToWire(this SetAsideReason reason) => reason switch
    {
        SetAsideReason.OwnMail => "own-mail",
        SetAsideReason.AutoReply => "auto-reply",
        SetAsideReason.Bounce => "bounce",
        SetAsideReason.AutoAcknowledgement => "auto-acknowledgement",
        SetAsideReason.Bulk => "bulk",
        SetAsideReason.Internal => "internal",
        SetAsideReason.UnauthenticatedForward => "unauthenticated-forward",
        SetAsideReason.SenderRate => "sender-rate",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
