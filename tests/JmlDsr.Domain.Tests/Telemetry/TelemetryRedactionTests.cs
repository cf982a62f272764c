using JmlDsr.Domain.Telemetry;
using Xunit;

namespace JmlDsr.Domain.Tests.Telemetry;

public sealed class TelemetryRedactionTests
{
    [Theory]
    [InlineData("GET http://127.0.0.1:7071/api/links?t=abc.def&x=1 answered 200", "GET http://127.0.0.1:7071/api/links answered 200")]
    [InlineData("POST /api/inbound/sendgrid?key=dev-inbound-key-0123456789abcdef", "POST /api/inbound/sendgrid")]
    [InlineData("Request starting HTTP/1.1 GET /api/exports?t=eyJhbGciOiJIUzI1NiJ9.eyJyIjoiRFNSIn0.sig - -", "Request starting HTTP/1.1 GET /api/exports - -")]
    public void QueryStrings_AreRemoved(string text, string expected) => Assert.Equal(expected, TelemetryRedaction.Text(text));

    [Theory]
    [InlineData("Could not send to ada.lovelace@example.org: mailbox full", "Could not send to [email]: mailbox full")]
    [InlineData("From: \"Ada\" <o'brien+dsr@mail.example.co.uk>", "From: \"Ada\" <[email]>")]
    [InlineData("search=ada%40example.org", "search=[email]")]
    public void EmailAddresses_AreRemoved(string text, string expected) => Assert.Equal(expected, TelemetryRedaction.Text(text));

    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "Authorization: Bearer [redacted]")]
    [InlineData("Basic ZGV2OmRldi1pbmJvdW5kLWtleQ== refused", "Basic [redacted] refused")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJyIjoiRFNSIn0.abcdef was spent", "token [redacted] was spent")]
    [InlineData("x-functions-key: dev-staff-key-0123456789abcdef", "x-functions-key: [redacted]")]
    [InlineData("AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqF==;", "AccountName=devstoreaccount1;AccountKey=[redacted];")]
    [InlineData("the link's token=RFNSLTIwMjYtMDAwMDAxfGFwcHJvdmFsLTF8YXBwcm92ZQ", "the link's token=[redacted]")]
    [InlineData("opaque RFNSLTIwMjYtMDAwMDAxfGFwcHJvdmFsLTF8YXBwcm92ZQ.kX9 in a message", "opaque [redacted].kX9 in a message")]
    public void Tokens_AreRemoved(string text, string expected) => Assert.Equal(expected, TelemetryRedaction.Text(text));

    [Theory]
    [InlineData("Email acknowledgement sent for DSR-2026-000123")]
    [InlineData("Inbound email stored as inbound-raw/2026/12/02/3f2b8c0d9e4a4b1c8d7e6f5a4b3c2d1e.eml became request DSR-2026-000001 (Access)")]
    [InlineData("System.InvalidOperationException: The request DSR-2026-000004 is closed.\n   at JmlDsr.Functions.Http.RequestsHandler.GetAsync(HttpRequest request, String reference) in /src/RequestsHandler.cs:line 42")]
    [InlineData("Does it apply? Yes")]
    public void WhatSupportNeeds_Stays(string text) => Assert.Equal(text, TelemetryRedaction.Text(text));

    [Fact]
    public void UrlAttributes_LoseQueryAndFragment() =>
        Assert.Equal("https://jml-dsr.azurewebsites.net/api/links", TelemetryRedaction.Attribute("url.full", "https://jml-dsr.azurewebsites.net/api/links?t=abc#top"));

    [Fact]
    public void QueryAndCredentialAttributes_AreDropped()
    {
        Assert.Null(TelemetryRedaction.Attribute("url.query", "t=abc"));
        Assert.Null(TelemetryRedaction.Attribute("http.request.header.authorization", "Bearer x"));
    }

    [Fact]
    public void OtherAttributes_AreRedactedAsText() =>
        Assert.Equal("to [email]", TelemetryRedaction.Attribute("Detail", "to ada@example.org"));
}
