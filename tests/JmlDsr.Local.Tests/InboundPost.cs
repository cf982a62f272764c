using System.Net.Http.Headers;
using System.Text;

namespace JmlDsr.Local.Tests;

/// <summary>Builds a post the way SendGrid Inbound Parse sends one (parsed mode, multipart/form-data).</summary>
public static class InboundPost
{
    public static MultipartFormDataContent Parsed(string messageId, string from, string subject, string text, string envelopeFrom = "bounces+123@relay.example.net", string? replyTo = null, string extraHeaders = "", string dkim = "{@example.com : pass}", string spf = "pass")
    {
        var headers = new StringBuilder()
            .Append("Received: from relay.example.net by mx.sendgrid.net\r\n")
            .Append("Message-Id: <").Append(messageId).Append(">\r\n")
            .Append("From: ").Append(from).Append("\r\n")
            .Append("To: privacy@jmlsoftware.co.uk\r\n");
        if (replyTo is not null)
        {
            headers.Append("Reply-To: ").Append(replyTo).Append("\r\n");
        }

        headers.Append("Subject: ").Append(subject).Append("\r\n").Append(extraHeaders);
        var content = new MultipartFormDataContent("xYzZY");
        void Add(string name, string value) => content.Add(new StringContent(value, Encoding.UTF8) { Headers = { ContentType = null } }, name);
        Add("headers", headers.ToString());
        Add("dkim", dkim);
        Add("to", "privacy@jmlsoftware.co.uk");
        Add("from", from);
        Add("subject", subject);
        Add("text", text);
        Add("html", "<p>" + System.Net.WebUtility.HtmlEncode(text) + "</p>");
        Add("sender_ip", "198.51.100.7");
        Add("envelope", $"{{\"to\":[\"privacy@jmlsoftware.co.uk\"],\"from\":\"{envelopeFrom}\"}}");
        Add("attachments", "0");
        Add("charsets", "{\"to\":\"UTF-8\",\"html\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}");
        Add("SPF", spf);
        return content;
    }

    /// <summary>
    /// A post whose mail did not authenticate (no SPF or DKIM pass aligned with From): a customer on our records is then asked
    /// to confirm by link (Art 12(6)), as tests of the confirmation step need.
    /// </summary>
    public static MultipartFormDataContent Unauthenticated(string messageId, string from, string subject, string text, string envelopeFrom = "bounces+123@relay.example.net", string? replyTo = null, string extraHeaders = "") =>
        Parsed(messageId, from, subject, text, envelopeFrom, replyTo, extraHeaders, dkim: "none", spf: "none");

    /// <summary>The older Inbound Parse URL, with the key in its query (still accepted).</summary>
    public static string Url(LocalHostFixture host, string key = LocalHostFixture.InboundKey) =>
        $"{host.BaseUrl}/api/inbound/sendgrid?key={Uri.EscapeDataString(key)}";

    /// <summary>
    /// The post SendGrid makes for an Inbound Parse URL with basic auth (<c>https://sendgrid:KEY@host/api/inbound/sendgrid</c>):
    /// the URL without the key, the key as the password of an Authorization header.
    /// </summary>
    public static HttpRequestMessage WithBasicAuth(LocalHostFixture host, HttpContent content, string key = LocalHostFixture.InboundKey) => new(HttpMethod.Post, $"{host.BaseUrl}/api/inbound/sendgrid")
    {
        Content = content,
        Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("sendgrid:" + key))) },
    };

    public static MediaTypeHeaderValue FormData => new("multipart/form-data");
}
