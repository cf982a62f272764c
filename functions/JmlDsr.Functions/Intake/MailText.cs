using System.Globalization;
using System.Text;
using MimeKit.Text;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// Turns the bytes of a field or part into text the way real mail needs: the charset it names when that fits, else a
/// lenient reading (mislabelled UTF-8 falls back to windows-1252, unknown charsets to UTF-8 with replacement
/// characters). Never throws on bad bytes: an email is never refused for its charset.
/// </summary>
internal static class MailText
{
    /// <summary>The most text intake keeps of one body (characters). The request record keeps far less.</summary>
    public const int MaxTextChars = 256 * 1024;

    private static readonly Encoding Windows1252;

    static MailText()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    /// <summary>The encoding a charset name stands for (including "cp850" style names), or null when unknown.</summary>
    public static Encoding? EncodingFor(string? charset)
    {
        var name = charset?.Trim().Trim('"').Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            // "cp850", "cp-1252", "windows1252": the code page number is what the mailer meant.
            var digits = new string(name.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length is > 2 and < 6 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var codePage))
            {
                try
                {
                    return Encoding.GetEncoding(codePage);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    return null;
                }
            }

            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The encoding to read <paramref name="bytes"/> with: the named charset, except that bytes named (or assumed) UTF-8
    /// which are not valid UTF-8 are read as windows-1252, the usual truth of a mislabelled Western European email.
    /// </summary>
    public static Encoding Choose(ReadOnlySpan<byte> bytes, string? charset)
    {
        var named = EncodingFor(charset);
        if (named is null || named.CodePage == Encoding.UTF8.CodePage)
        {
            return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8 : Windows1252;
        }

        if (named.CodePage == 20127 && !System.Text.Ascii.IsValid(bytes))
        {
            // Declared US-ASCII with 8-bit bytes in it.
            return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8 : Windows1252;
        }

        return named;
    }

    /// <summary>The text of <paramref name="bytes"/> in <paramref name="charset"/>, leniently (see <see cref="Choose"/>).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset) => Choose(bytes, charset).GetString(bytes);

    /// <summary>At most <paramref name="max"/> characters of a reader, without reading the rest.</summary>
    public static string ReadBounded(TextReader reader, int max)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var buffer = new char[Math.Min(max, 16 * 1024)];
        var text = new StringBuilder();
        while (text.Length < max)
        {
            var read = reader.Read(buffer, 0, Math.Min(buffer.Length, max - text.Length));
            if (read == 0)
            {
                break;
            }

            text.Append(buffer, 0, read);
        }

        return text.ToString();
    }

    /// <summary>At most <paramref name="max"/> characters of a string.</summary>
    public static string? Cap(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}

/// <summary>
/// HTML to plain text for classifying a message that came only as HTML, with MimeKit's HTML tokenizer: a state machine,
/// linear in the input whatever it holds (no regular expression on sender text). Script and style are skipped, block
/// elements become line breaks, character references are decoded, and the output stops at a cap.
/// </summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr",
        "section", "article", "header", "footer", "address", "dd", "dt", "td", "th",
    };

    public static string ToPlainText(string html, int maxChars = MailText.MaxTextChars)
    {
        using var reader = new StringReader(html);
        return ToPlainText(reader, maxChars);
    }

    public static string ToPlainText(TextReader html, int maxChars = MailText.MaxTextChars)
    {
        var tokenizer = new HtmlTokenizer(html) { DecodeCharacterReferences = true, IgnoreTruncatedTags = true };
        var text = new StringBuilder();
        var skipping = false; // inside <style> or <title> (the tokenizer keeps <script> content as script data)
        while (text.Length < maxChars && tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Name.Equals("style", StringComparison.OrdinalIgnoreCase) || tag.Name.Equals("title", StringComparison.OrdinalIgnoreCase):
                    skipping = !tag.IsEndTag && !tag.IsEmptyElement;
                    break;
                case HtmlTagToken tag when Blocks.Contains(tag.Name):
                    if (text.Length > 0 && text[^1] != '\n')
                    {
                        text.Append('\n');
                    }

                    break;
                case HtmlScriptDataToken:
                case HtmlCommentToken:
                case HtmlDocTypeToken:
                    break;
                case HtmlDataToken data when !skipping:
                    AppendCollapsed(text, data.Data, maxChars);
                    break;
            }
        }

        return MailText.Cap(text.ToString().Trim(), maxChars)!;
    }

    /// <summary>HTML whitespace collapses: runs of spaces and line breaks in the source are one space.</summary>
    private static void AppendCollapsed(StringBuilder text, string data, int maxChars)
    {
        foreach (var c in data)
        {
            if (text.Length >= maxChars)
            {
                return;
            }

            if (char.IsWhiteSpace(c) && c != '\u00A0')
            {
                if (text.Length > 0 && text[^1] is not (' ' or '\n'))
                {
                    text.Append(' ');
                }
            }
            else
            {
                text.Append(c);
            }
        }
    }
}
