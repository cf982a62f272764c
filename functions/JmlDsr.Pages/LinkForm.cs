namespace JmlDsr.Pages;

/// <summary>
/// One action's form, on a link page or in the console: the action and its button, whether it uploads a file, what the
/// decision asks beyond the button (<see cref="Extra"/>), the agent's authority to check, and the reason's label if it needs one.
/// The identity step's fields follow from the action (<see cref="IdentityFields"/>).
/// </summary>
public sealed record LinkForm(string Action, string Button)
{
    public bool Multipart { get; init; }

    public DecisionExtra? Extra { get; init; }

    public AgentAuthority? Authority { get; init; }

    public string? ReasonLabel { get; init; }

    /// <summary>The button's look in the console ("primary", "secondary"); the link pages have one look.</summary>
    public string? ButtonClass { get; init; }
}

/// <summary>A form with the single-use token it posts: the console signs one per action.</summary>
public sealed record SignedLinkForm(string Token, LinkForm Form);

/// <summary>The decision waiting on staff at a request's step, as the console offers it (none when <see cref="Step"/> is null).</summary>
public sealed record ConsoleDecision(string? Step, IReadOnlyList<SignedLinkForm> Forms, string ReturnTo)
{
    public static ConsoleDecision None(string returnTo) => new(null, [], returnTo);
}

/// <summary>What a decision asks beyond its button.</summary>
public abstract record DecisionExtra;

/// <summary>
/// Approving an access request: other people's information found in the records, proposed for redaction from the copy
/// (Art 15(4)), and room for more by hand with the reason.
/// </summary>
public sealed record RedactionOffer(IReadOnlyList<RedactionChoice> Proposed, string Marker, int ManualMaxLength, int ReasonMaxLength) : DecisionExtra;

public sealed record RedactionChoice(string Text, string Kind, string Reason);

/// <summary>Approving a rectification: every field held about the person, with what each system holds, decided one by one (Art 16).</summary>
public sealed record CorrectionOffer(string RequesterWrote, IReadOnlyList<HeldField> Fields, int MaxLength) : DecisionExtra;

public sealed record HeldField(string Name, IReadOnlyList<string> Values);

/// <summary>Deciding an objection (Art 21): stop, compelling legitimate grounds (told to the requester), or direct marketing after all.</summary>
public sealed record ObjectionOffer(string RequesterWrote, bool ReadAsMarketing, int MaxLength) : DecisionExtra;

/// <summary>An agent's request: who acts for whom and where the authority is, for staff to check before approving.</summary>
public sealed record AgentAuthority(string AgentKind, string? AgentName, string AgentEmail, string? SubjectName, string? SubjectEmail, string Document);
