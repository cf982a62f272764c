using System.Text;
using JmlDsr.Domain.Links;
using Xunit;

namespace JmlDsr.Domain.Tests.Links;

public sealed class LinkTokenSignerTests
{
    private const string Key = "test-link-signing-key-0123456789abcdef";
    private const string OldKey = "old-link-signing-key-0123456789abcdef!";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static LinkClaims Claims(DateTimeOffset expires) => new("DSR-2026-000001", "approval-1", ["approve"], expires.ToUnixTimeSeconds(), "n1");

    [Fact]
    public void SignedToken_VerifiesWithItsClaims()
    {
        var signer = new LinkTokenSigner(Key);
        var check = signer.Verify(signer.Sign(Claims(Now.AddDays(1))), Now);
        Assert.Equal(TokenVerdict.Valid, check.Verdict);
        Assert.Equal("DSR-2026-000001", check.Claims!.Reference);
        Assert.True(check.Claims.Allows("approve"));
        Assert.False(check.Claims.Allows("reject"));
    }

    [Fact]
    public void AlteredPayload_IsRefused()
    {
        var signer = new LinkTokenSigner(Key);
        var token = signer.Sign(Claims(Now.AddDays(1)));
        var forgedPayload = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"r\":\"DSR-2026-000002\",\"s\":\"approval-1\",\"a\":[\"approve\"],\"e\":9999999999,\"n\":\"n1\"}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(TokenVerdict.BadSignature, signer.Verify(forgedPayload + token[token.IndexOf('.', StringComparison.Ordinal)..], Now).Verdict);
    }

    [Fact]
    public void AlteredSignature_OrAnotherKey_IsRefused()
    {
        var token = new LinkTokenSigner(Key).Sign(Claims(Now.AddDays(1)));
        var flipped = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        Assert.Equal(TokenVerdict.BadSignature, new LinkTokenSigner(Key).Verify(flipped, Now).Verdict);
        Assert.Equal(TokenVerdict.BadSignature, new LinkTokenSigner("another-key-entirely-0123456789abcdef").Verify(token, Now).Verdict);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("%%%.###")]
    public void Garbage_IsMalformed(string token) =>
        Assert.Equal(TokenVerdict.Malformed, new LinkTokenSigner(Key).Verify(token, Now).Verdict);

    [Fact]
    public void ExpiredToken_IsRefused_ButSaysWhoseItWas()
    {
        var signer = new LinkTokenSigner(Key);
        var check = signer.Verify(signer.Sign(Claims(Now.AddSeconds(-1))), Now);
        Assert.Equal(TokenVerdict.Expired, check.Verdict);
        Assert.Equal("DSR-2026-000001", check.Claims!.Reference);
    }

    [Fact]
    public void DuringRotation_ThePreviousKeyStillVerifies_ButNewTokensUseTheCurrentKey()
    {
        var oldToken = new LinkTokenSigner(OldKey).Sign(Claims(Now.AddDays(1)));
        var rotated = new LinkTokenSigner(Key, OldKey);
        Assert.Equal(TokenVerdict.Valid, rotated.Verify(oldToken, Now).Verdict);
        var newToken = rotated.Sign(Claims(Now.AddDays(1)));
        Assert.Equal(TokenVerdict.Valid, new LinkTokenSigner(Key).Verify(newToken, Now).Verdict);
        Assert.Equal(TokenVerdict.BadSignature, new LinkTokenSigner(OldKey).Verify(newToken, Now).Verdict);
    }

    [Fact]
    public void ShortKey_IsRefused() => Assert.Throws<ArgumentException>(() => new LinkTokenSigner("short"));
}
