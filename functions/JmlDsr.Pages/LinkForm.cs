using Microsoft.AspNetCore.Components;

namespace JmlDsr.Pages;

/// <summary>
/// One action's form on a link page: the action, whether it uploads a file, its fields (the decision's and the identity
/// step's, rendered by their components), the reason's label if it needs one, and the button.
/// </summary>
public sealed record LinkForm(string Action, bool Multipart, MarkupString Fields, string? ReasonLabel, string Button);
