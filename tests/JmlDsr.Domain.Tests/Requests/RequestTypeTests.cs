using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Requests;

public sealed class RequestTypeTests
{
    [Theory]
    [InlineData(RequestType.Access, "access")]
    [InlineData(RequestType.Rectification, "rectification")]
    [InlineData(RequestType.Restriction, "restriction")]
    [InlineData(RequestType.Erasure, "erasure")]
    [InlineData(RequestType.Complaint, "complaint")]
    [InlineData(RequestType.Unclassified, "unclassified")]
    public void WireNames_RoundTrip(RequestType type, string wire)
    {
        Assert.Equal(wire, type.ToWire());
        Assert.True(RequestTypes.TryParseWire(" " + wire.ToUpperInvariant() + " ", out var parsed));
        Assert.Equal(type, parsed);
    }

    [Fact]
    public void EveryType_HasATitleAndAnArticle() =>
        Assert.All(Enum.GetValues<RequestType>().Where(t => t != RequestType.Unclassified), t =>
        {
            Assert.NotEqual("Unclassified request", t.Title());
            Assert.NotEqual("—", t.Article());
        });

    [Fact]
    public void Complaint_IsDpa2018S164A_AndNotOneOfTheFourRights()
    {
        Assert.Equal("DPA 2018 s 164A", RequestType.Complaint.Article());
        Assert.Equal("Complaint about our handling of personal data", RequestType.Complaint.Title());
        Assert.False(RequestType.Complaint.IsRight());
        Assert.False(RequestType.Unclassified.IsRight());
        Assert.All([RequestType.Access, RequestType.Rectification, RequestType.Restriction, RequestType.Erasure], t => Assert.True(t.IsRight()));
    }

    [Fact]
    public void ComplaintStatuses_OnlyTheAnsweredOneIsClosed_AndNeitherStopsAClock()
    {
        Assert.True(RequestStatus.IsClosed(RequestStatus.ComplaintClosed));
        Assert.False(RequestStatus.IsClosed(RequestStatus.ComplaintOpen));
        Assert.False(RequestStatus.IsPaused(RequestStatus.ComplaintOpen));
    }

    [Theory]
    [InlineData("portability")]
    [InlineData("")]
    [InlineData(null)]
    public void UnknownWireNames_AreRefused(string? wire) => Assert.False(RequestTypes.TryParseWire(wire, out _));
}
