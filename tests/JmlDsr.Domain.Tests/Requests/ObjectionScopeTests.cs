using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Requests;

/// <summary>To direct marketing (absolute, Art 21(2)-(3): no decision) or to other processing (Art 21(1): staff decide).</summary>
public sealed class ObjectionScopeTests
{
    [Theory]
    [InlineData("Marketing", "Please stop sending me marketing emails.", ObjectionScope.Marketing)]
    [InlineData("", "unsubscribe me from everything", ObjectionScope.Marketing)]
    [InlineData("STOP SPAMMING ME", "Stop spamming me.", ObjectionScope.Marketing)]
    [InlineData("Stop sending any emails to my email address", "I have asked you before.", ObjectionScope.Marketing)]
    [InlineData("Objection", "I object to profiling of my data for direct marketing.", ObjectionScope.Marketing)] // both: the marketing part stops in any case
    [InlineData("Renewals", "Don't contact me about renewals or events any more.", ObjectionScope.Marketing)]
    [InlineData("Right to object", "I am exercising my right to object.", ObjectionScope.Marketing)] // names nothing but the mail it gets
    [InlineData("Objection under Article 21(1)", "I object to the processing of my data based on your legitimate interests.", ObjectionScope.Other)]
    [InlineData("", "I object to you sharing my contact details with your partners. Please confirm by email to me.", ObjectionScope.Other)]
    [InlineData("Analytics", "I object to my product usage being used for your analytics and research.", ObjectionScope.Other)]
    public void Scope_IsReadFromTheWording(string subject, string body, string expected)
    {
        var reading = ObjectionScope.Of(subject, body);
        Assert.Equal(expected, reading.Scope);
        Assert.Contains("Art 21(", reading.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ObjectionScope.Marketing, true)]
    [InlineData(ObjectionScope.Other, true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("Marketing", false)]
    public void OnlyTheTwoScopesAreValid(string? scope, bool valid) => Assert.Equal(valid, ObjectionScope.IsValid(scope));

    [Fact]
    public void Objection_IsARight_UnderArt21_WithItsWireName()
    {
        Assert.True(RequestType.Objection.IsRight());
        Assert.Equal("objection", RequestType.Objection.ToWire());
        Assert.Equal(RequestType.Objection, RequestTypes.FromWire("objection"));
        Assert.Equal("Art 21", RequestType.Objection.Article());
        Assert.Equal("Objection to processing", RequestType.Objection.Title());
    }
}
