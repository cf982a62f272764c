namespace JmlDsr.Domain.Emails;

/// <summary>An email ready to send: who to, the subject, and the same content as text and HTML.</summary>
public sealed record EmailMessage(string To, string Subject, string Text, string Html);
