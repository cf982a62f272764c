using System.Text.Json;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

/// <summary>The body of POST /api/requests: a request (or complaint) staff log from another channel.</summary>
public sealed class LoggedRequestParserTests
{
    // 24 November 2026, 12:00 UTC (GMT: UK time is UTC).
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static (LoggedRequest? Request, FieldError? Error) Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return LoggedRequestParser.Parse(doc.RootElement.Clone(), Now);
    }

    [Theory]
    [InlineData("access", RequestType.Access)]
    [InlineData("rectification", RequestType.Rectification)]
    [InlineData("restriction", RequestType.Restriction)]
    [InlineData("erasure", RequestType.Erasure)]
    [InlineData("Complaint", RequestType.Complaint)]
    public void EachType_IsAccepted(string wire, RequestType expected)
    {
        var (request, error) = Parse($$"""{"type": "{{wire}}", "requesterEmail": "carol@example.com", "receivedAt": "2026-11-02", "channel": "post"}""");
        Assert.Null(error);
        Assert.Equal(expected, request!.Type);
        Assert.Equal("carol@example.com", request.RequesterEmail);
        Assert.Equal("post", request.Channel);
        Assert.Null(request.AboutReference);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"access\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void ABodyThatIsNotAnObject_IsRefused(string json) => Assert.Equal("body", Parse(json).Error!.Field);

    [Theory]
    [InlineData("""{"type": "portability", "requesterEmail": "a@example.com"}""")]
    [InlineData("""{"type": "unclassified", "requesterEmail": "a@example.com"}""")]
    [InlineData("""{"requesterEmail": "a@example.com"}""")]
    [InlineData("""{"type": 15, "requesterEmail": "a@example.com"}""")]
    public void AnUnknownOrMissingType_IsRefused_NamingType(string json)
    {
        var error = Parse(json).Error!;
        Assert.Equal("type", error.Field);
        Assert.StartsWith("type must be one of access, rectification, restriction, erasure", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type": "access", "requesterEmail": "not-an-address"}""", "requesterEmail")]
    [InlineData("""{"type": "access", "requesterEmail": "a@"}""", "requesterEmail")]
    [InlineData("""{"type": "access"}""", "requesterEmail")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "requesterName": "Line one\nLine two"}""", "requesterName")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "channel": "fax"}""", "channel")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "channel": 3}""", "channel")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "details": ["a"]}""", "details")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": "yesterday"}""", "receivedAt")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": 20261102}""", "receivedAt")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": "2026-13-01"}""", "receivedAt")]
    public void AFieldOfTheWrongShape_IsRefused_NamingIt(string json, string field) => Assert.Equal(field, Parse(json).Error!.Field);

    [Theory]
    [InlineData("2999-01-01")]
    [InlineData("2026-11-25")]
    [InlineData("2026-11-24T12:30:00Z")]
    public void AReceiptInTheFuture_IsRefused(string when)
    {
        var error = Parse($$"""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": "{{when}}"}""").Error!;
        Assert.Equal("receivedAt", error.Field);
        Assert.Contains("future", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoReceivedAt_MeansNow()
    {
        var (request, _) = Parse("""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": null}""");
        Assert.Equal(Now, request!.ReceivedAt);
        Assert.Equal("email", request.Channel);
    }

    [Theory]
    [InlineData("2026-11-02", "2026-11-02T00:00:00+00:00")]            // a date alone: the start of that UK day (GMT)
    [InlineData("2026-07-02", "2026-07-02T00:00:00+01:00")]            // ... in summer time, BST
    [InlineData("2026-07-02T14:30:00", "2026-07-02T14:30:00+01:00")]   // no offset: UK local time
    [InlineData("2026-07-02T14:30:00Z", "2026-07-02T14:30:00+00:00")]  // Z: taken as given
    [InlineData("2026-07-02T14:30:00+02:00", "2026-07-02T14:30:00+02:00")]
    public void ReceivedAt_DateOnlyAndDateTime_AreReadAsStaffMeanThem(string given, string expected)
    {
        var (request, error) = Parse($$"""{"type": "access", "requesterEmail": "a@example.com", "receivedAt": "{{given}}"}""");
        Assert.Null(error);
        var want = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(want, request!.ReceivedAt);
        Assert.Equal(want.Offset, request.ReceivedAt.Offset);
    }

    [Fact]
    public void AComplaint_CarriesTheRequestItIsAbout_Normalised()
    {
        var (request, error) = Parse("""{"type": "complaint", "requesterEmail": "a@example.com", "channel": "phone", "aboutReference": " dsr-2026-000041 ", "details": "Unhappy that the copy was late."}""");
        Assert.Null(error);
        Assert.Equal(RequestType.Complaint, request!.Type);
        Assert.Equal("DSR-2026-000041", request.AboutReference);
        Assert.Equal("Unhappy that the copy was late.", request.Details);
    }

    [Theory]
    [InlineData("""{"type": "complaint", "requesterEmail": "a@example.com", "aboutReference": null}""")]
    [InlineData("""{"type": "complaint", "requesterEmail": "a@example.com", "aboutReference": ""}""")]
    [InlineData("""{"type": "complaint", "requesterEmail": "a@example.com"}""")]
    public void AComplaint_NeedNotNameARequest(string json)
    {
        var (request, error) = Parse(json);
        Assert.Null(error);
        Assert.Null(request!.AboutReference);
    }

    [Theory]
    [InlineData("""{"type": "complaint", "requesterEmail": "a@example.com", "aboutReference": "my last request"}""")]
    [InlineData("""{"type": "complaint", "requesterEmail": "a@example.com", "aboutReference": "DSR-2026-41"}""")]
    [InlineData("""{"type": "complaint", "requesterEmail": "a@example.com", "aboutReference": 41}""")]
    [InlineData("""{"type": "access", "requesterEmail": "a@example.com", "aboutReference": "DSR-2026-000041"}""")]
    public void ABadAboutReference_IsRefused_NamingIt(string json) => Assert.Equal("aboutReference", Parse(json).Error!.Field);

    [Fact]
    public void DetailsLongerThanTheLimit_AreRefused()
    {
        var details = new string('x', LoggedRequestParser.MaxDetails + 1);
        Assert.Equal("details", Parse($$"""{"type": "access", "requesterEmail": "a@example.com", "details": "{{details}}"}""").Error!.Field);
    }
}
