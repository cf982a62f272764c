using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Emails;
using Xunit;
using static JmlDsr.Domain.Emails.EventWebhookSignature;

namespace JmlDsr.Domain.Tests.Emails;

public sealed class EventWebhookSignatureTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""[{"event":"delivered","dsr_reference":"R","dsr_step":"s"}]""");
    private readonly ECDsa _sendGrid = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private string PublicKey => Convert.ToBase64String(_sendGrid.ExportSubjectPublicKeyInfo());

    private static string Stamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _sendGrid.Dispose();
        _other.Dispose();
    }

    [Fact]
    public void APostSignedWithSendGridsKey_IsValid()
    {
        var ts = Stamp(Now.AddSeconds(-30));
        Assert.Equal(Verdict.Valid, Check(PublicKey, ts, Sign(_sendGrid, ts, Body), Body, Now));
    }

    [Fact]
    public void AnAlteredBody_IsForged()
    {
        var ts = Stamp(Now);
        var signature = Sign(_sendGrid, ts, Body);
        var altered = Encoding.UTF8.GetBytes("""[{"event":"delivered","dsr_reference":"R","dsr_step":"t"}]""");
        Assert.Equal(Verdict.Forged, Check(PublicKey, ts, signature, altered, Now));
    }

    [Fact]
    public void AnAlteredTimestamp_IsForged()
    {
        var signature = Sign(_sendGrid, Stamp(Now), Body);
        Assert.Equal(Verdict.Forged, Check(PublicKey, Stamp(Now.AddSeconds(1)), signature, Body, Now));
    }

    [Fact]
    public void AnotherKeysSignature_IsForged()
    {
        var ts = Stamp(Now);
        Assert.Equal(Verdict.Forged, Check(PublicKey, ts, Sign(_other, ts, Body), Body, Now));
    }

    [Fact]
    public void AnOldPost_ReplayedLater_IsStale()
    {
        var ts = Stamp(Now - Tolerance - TimeSpan.FromMinutes(1));
        Assert.Equal(Verdict.Stale, Check(PublicKey, ts, Sign(_sendGrid, ts, Body), Body, Now));
    }

    [Theory]
    [InlineData(null, "1", "c2ln")]
    [InlineData("a2V5", null, "c2ln")]
    [InlineData("a2V5", "1", "")]
    public void AMissingPart_IsMissing(string? key, string? ts, string? signature) =>
        Assert.Equal(Verdict.Missing, Check(key, ts, signature, Body, Now));

    [Fact]
    public void NonsenseHeadersOrKey_AreMalformed()
    {
        var ts = Stamp(Now);
        var signature = Sign(_sendGrid, ts, Body);
        Assert.Equal(Verdict.Malformed, Check(PublicKey, "yesterday", signature, Body, Now));
        Assert.Equal(Verdict.Malformed, Check(PublicKey, "-1", signature, Body, Now));
        Assert.Equal(Verdict.Malformed, Check(PublicKey, ts, "not base64!", Body, Now));
        Assert.Equal(Verdict.Malformed, Check("bm90IGEga2V5", ts, signature, Body, Now));
    }

    [Fact]
    public void ASignatureOfTheWrongShape_IsForged_NotAnError()
    {
        var ts = Stamp(Now);
        Assert.Equal(Verdict.Forged, Check(PublicKey, ts, Convert.ToBase64String(new byte[64]), Body, Now));
    }
}
