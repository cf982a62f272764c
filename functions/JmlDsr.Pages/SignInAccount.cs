namespace JmlDsr.Pages;

/// <summary>A development account the sign-in page offers: its id (what the form posts) and the name shown.</summary>
public sealed record SignInAccount(string Id, string Name);
