using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>Failure drills at the front door: SendGrid retries, and posts that are not what they should be.</summary>
[Trait("Category", "Drill")]
public sealed class IntakeDrillTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task ThousandDuplicateWebhookPosts_SameMessageId_MakeOneRequest()
    {
        var before = await host.CountRequestsAsync();
        var references = new System.Collections.Concurrent.ConcurrentBag<string>();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
        {
            using var post = await host.Http.PostAsync(InboundPost.Url(host),
                InboundPost.Parsed("dup-storm@mail.example.com", "Alice Smith <alice.smith@example.com>", "Subject access request", "Please send me a copy of my personal data."), ct);
            statuses.Add(post.StatusCode);
            if (post.IsSuccessStatusCode)
            {
                references.Add((await post.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("reference").GetString()!);
            }
        });

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Single(references.Distinct());
        Assert.Equal(before + 1, await host.CountRequestsAsync());
        var reference = references.First();
        await host.WaitForMailAsync(reference, "alice.smith@example.com", "We have received your request");
        Assert.Single(await host.OutboxAsync("alice.smith@example.com", reference), m => m.GetProperty("subject").GetString()!.StartsWith("We have received", StringComparison.Ordinal));
    }

    public static TheoryData<string, HttpStatusCode> BadPosts() => new()
    {
        { "truncated", HttpStatusCode.BadRequest },
        { "wrong-boundary", HttpStatusCode.BadRequest },
        { "header-injection", HttpStatusCode.BadRequest },
        { "no-from", HttpStatusCode.BadRequest },
        { "not-multipart", HttpStatusCode.BadRequest },
        { "30mb", HttpStatusCode.RequestEntityTooLarge },
        { "30mb-no-length", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadPosts))]
    public async Task BadInput_GetsAClear4xx_TheRawBodyIsKept_AndTheHostCarriesOn(string kind, HttpStatusCode expected)
    {
        var before = await host.CountRequestsAsync();
        using var content = Build(kind);
        using var post = await host.Http.PostAsync(InboundPost.Url(host), content);
        Assert.Equal(expected, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        var problem = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        if (kind == "30mb")
        {
            // Refused from its Content-Length before it was read: there is nothing to keep.
            Assert.False(problem.TryGetProperty("rawBlob", out _));
        }
        else
        {
            Assert.True(await host.BlobExistsAsync("inbound-raw", problem.GetProperty("rawBlob").GetString()!), "the raw post must be kept");
        }

        Assert.Equal(before, await host.CountRequestsAsync());

        // Nothing crashed: a good post still goes through.
        using var good = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed($"after-{kind}@mail.example.com", "Bob Jones <bob.jones@example.org>", "SAR", "Please send me a copy of my personal data."));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task BytesThatDoNotFitTheNamedCharset_AreReadLeniently_AndTheEmailIsAccepted()
    {
        const string b = "xYzZY";
        var body = (byte[])[
            .. Encoding.ASCII.GetBytes($"--{b}\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nAlice Smith <alice.smith@example.com>\r\n"),
            .. Encoding.ASCII.GetBytes($"--{b}\r\nContent-Disposition: form-data; name=\"headers\"\r\n\r\nMessage-Id: <mislabelled-{Guid.NewGuid():N}@mail.example.com>\r\n\r\n"),
            .. Encoding.ASCII.GetBytes($"--{b}\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n"), 0x53, 0x41, 0x52, 0x20, 0x43, 0x61, 0x66, 0xE9, .. "\r\n"u8,
            .. Encoding.ASCII.GetBytes($"--{b}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nPlease send me a copy of my personal data.\r\n"),
            .. Encoding.ASCII.GetBytes($"--{b}\r\nContent-Disposition: form-data; name=\"charsets\"\r\n\r\n{{\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}}\r\n--{b}--\r\n"),
        ];
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={b}");
        using var post = await host.Http.PostAsync(InboundPost.Url(host), content);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
    }

    /// <summary>A body sent chunked, without a Content-Length.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    private static HttpContent Build(string kind)
    {
        static ByteArrayContent Raw(byte[] body, string boundary)
        {
            var c = new ByteArrayContent(body);
            c.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
            return c;
        }

        static byte[] Field(string boundary, string name, byte[] value) =>
            [.. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"), .. value, .. "\r\n"u8];

        const string b = "xYzZY";
        var from = Field(b, "from", "Alice Smith <alice.smith@example.com>"u8.ToArray());
        var end = Encoding.ASCII.GetBytes($"--{b}--\r\n");
        switch (kind)
        {
            case "truncated":
                var whole = (byte[])[.. from, .. Field(b, "text", "Please send me a copy of my data."u8.ToArray()), .. end];
                return Raw(whole[..(whole.Length / 2)], b);
            case "wrong-boundary":
                return Raw([.. from, .. end], "another-boundary");
            case "header-injection":
                return Raw([.. from, .. Field(b, "subject", "Access request\r\nBcc: attacker@example.net"u8.ToArray()), .. Field(b, "text", "Send me my data."u8.ToArray()), .. end], b);
            case "no-from":
                return Raw([.. Field(b, "subject", "Subject access request"u8.ToArray()), .. Field(b, "text", "Send me my data."u8.ToArray()), .. end], b);
            case "not-multipart":
                return new StringContent("{\"from\":\"alice.smith@example.com\"}", Encoding.UTF8, "application/json");
            case "30mb":
                var big = new byte[30 * 1024 * 1024];
                Array.Fill(big, (byte)'a');
                return Raw([.. from, .. Field(b, "text", big), .. end], b);
            case "30mb-no-length":
                var chunked = new byte[30 * 1024 * 1024];
                Array.Fill(chunked, (byte)'a');
                var unknown = new UnknownLengthContent([.. from, .. Field(b, "text", chunked), .. end]);
                unknown.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={b}");
                return unknown;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
