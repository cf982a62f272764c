using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Requests;

public sealed class RequestReferenceTests
{
    [Theory]
    [InlineData("Complaint about DSR-2026-000041", "DSR-2026-000041")]
    [InlineData("Re: We have received your request — reference DSR-2026-000041", "DSR-2026-000041")]
    [InlineData("my request (dsr-2026-000041) was never answered", "DSR-2026-000041")]
    [InlineData("reference DSR–2026–000041.", "DSR-2026-000041")]
    [InlineData("see DSR-2026-1234567 and DSR-2026-000002", "DSR-2026-1234567")]
    [InlineData("first DSR-2025-000009 then DSR-2026-000001", "DSR-2025-000009")]
    public void FindIn_ReturnsTheFirstQuotedReference_Normalised(string text, string expected) =>
        Assert.Equal(expected, RequestReference.FindIn(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("I made a request in March and heard nothing.")]
    [InlineData("Order ABC-2026-000041")]
    [InlineData("XDSR-2026-000041")]
    [InlineData("DSR-2026-00004")]
    [InlineData("DSR-26-000041")]
    [InlineData("reference DSR 2026 000041, sent in May")]
    public void FindIn_ReturnsNull_WhenNoReferenceIsQuoted(string? text) => Assert.Null(RequestReference.FindIn(text));

    [Fact]
    public void FindAllIn_ListsEachReferenceOnce_InOrder() =>
        Assert.Equal(["DSR-2026-000003", "DSR-2026-000001"], RequestReference.FindAllIn("DSR-2026-000003, dsr-2026-000001 and again DSR-2026-000003"));

    [Fact]
    public void FoundReferences_AreValid() =>
        Assert.True(RequestReference.IsValid(RequestReference.FindIn("about dsr-2026-000041")));

    [Theory]
    [InlineData("DSR-2026-000041", 2026, 41L)]
    [InlineData("DSR-2027-1234567", 2027, 1234567L)]
    public void TryParse_ReadsYearAndNumber_OfAWellFormedReference(string reference, int year, long number)
    {
        Assert.True(RequestReference.TryParse(reference, out var y, out var n));
        Assert.Equal((year, number), (y, n));
        Assert.Equal(reference, RequestReference.Format(y, n));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("dsr-2026-000041")]
    [InlineData("DSR-2026-41")]
    [InlineData("DSR-20X6-000041")]
    public void TryParse_RefusesAnythingElse(string? reference) => Assert.False(RequestReference.TryParse(reference, out _, out _));

    [Fact]
    public void FindAllIn_LooksUpAtMostAHandful_OfAHostileText()
    {
        var text = string.Concat(Enumerable.Range(1, 200_000).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"DSR-2026-{i:D6} ")));
        var found = RequestReference.FindAllIn(text);
        Assert.Equal(RequestReference.MaxQuoted, found.Count);
        Assert.Equal("DSR-2026-000001", found[0]);
    }
}
