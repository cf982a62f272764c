using System.Text;
using JmlDsr.Domain.Gathering;
using Xunit;

namespace JmlDsr.Domain.Tests.Gathering;

public sealed class SystemCallSignatureTests
{
    private const string Secret = "s3cret";
    private const string Body = """{"key":"email","value":"a@example.com"}""";
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1764590400);

    [Fact]
    public void TheSignature_IsTheDocumentedHmac_OverTimestampMethodPathAndBody()
    {
        // docs/http-connector.md's example, computed independently (Python's hmac module).
        Assert.Equal("v1=9cc15571d423a4db1ca63d9ff688475efed71668a25246c4c69ef64ba6a12e92",
            SystemCallSignature.Sign(Secret, "1764590400", "POST", "/dsr/find", Encoding.UTF8.GetBytes(Body)));
    }

    [Fact]
    public void ASignedCall_IsValid_AndAnyChangeToIt_IsForged()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var ts = SystemCallSignature.Timestamp(At);
        var signature = SystemCallSignature.Sign(Secret, ts, "POST", "/dsr/find", body);

        Assert.Equal(SystemCallSignature.Verdict.Valid, SystemCallSignature.Check(Secret, ts, signature, "post", "/dsr/find", body, At.AddMinutes(4)));
        Assert.Equal(SystemCallSignature.Verdict.Forged, SystemCallSignature.Check(Secret, ts, signature, "POST", "/dsr/erase", body, At));
        Assert.Equal(SystemCallSignature.Verdict.Forged, SystemCallSignature.Check(Secret, ts, signature, "POST", "/dsr/find", Encoding.UTF8.GetBytes(Body.Replace("a@", "b@", StringComparison.Ordinal)), At));
        Assert.Equal(SystemCallSignature.Verdict.Forged, SystemCallSignature.Check("another secret", ts, signature, "POST", "/dsr/find", body, At));
        Assert.Equal(SystemCallSignature.Verdict.Forged, SystemCallSignature.Check(Secret, "1764590401", signature, "POST", "/dsr/find", body, At));
    }

    [Theory]
    [InlineData(null, "v1=00", SystemCallSignature.Verdict.Missing)]
    [InlineData("1764590400", "", SystemCallSignature.Verdict.Missing)]
    [InlineData("soon", "v1=00", SystemCallSignature.Verdict.Malformed)]
    [InlineData("1764590400", "sha256=00", SystemCallSignature.Verdict.Malformed)]
    [InlineData("1764590400", "v1=not-hex", SystemCallSignature.Verdict.Malformed)]
    [InlineData("1764589000", "v1=00", SystemCallSignature.Verdict.Stale)]
    public void AnIncompleteOrOldCall_IsRefused_SayingWhy(string? timestamp, string signature, SystemCallSignature.Verdict expected) =>
        Assert.Equal(expected, SystemCallSignature.Check(Secret, timestamp, signature, "POST", "/dsr/find", Encoding.UTF8.GetBytes(Body), At));
}
