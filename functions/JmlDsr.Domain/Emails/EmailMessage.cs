using System.Text;

namespace JmlDsr.Domain.Emails;

/// <summary>An email ready to send: who to, the subject, and what it says (sent as text and as HTML drawn from the same body).</summary>
public sealed record EmailMessage(string To, string Subject, EmailBody Body)
{
    public string Text => Body.ToText();

    /// <summary>
    /// Marketing (a product notice): it obeys every unsubscribe and suppression list. Everything else is correspondence the
    /// law requires (a request's answers, partners' notices), which a marketing suppression must not stop.
    /// </summary>
    public bool Marketing { get; init; }
}

/// <summary>
/// What an email says: a greeting, paragraphs, labelled links and a signature. The text part is written here; the HTML
/// part is drawn from the same body by a component (JmlDsr.Pages.EmailHtml), so the two never say different things.
/// </summary>
public sealed record EmailBody(string Greeting, IReadOnlyList<string> Paragraphs, IReadOnlyList<EmailLink> Links, string Signature)
{
    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(Greeting).AppendLine();
        foreach (var p in Paragraphs)
        {
            text.AppendLine(p).AppendLine();
        }

        foreach (var link in Links)
        {
            text.Append(link.Label).Append(": ").AppendLine(link.Url);
        }

        if (Links.Count > 0)
        {
            text.AppendLine();
        }

        return text.AppendLine(Signature).ToString();
    }
}
