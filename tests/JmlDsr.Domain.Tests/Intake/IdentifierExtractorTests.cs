using JmlDsr.Domain.Intake;
using Xunit;

namespace JmlDsr.Domain.Tests.Intake;

public sealed class IdentifierExtractorTests
{
    private static readonly string[] Ours = ["jmlsoftware.co.uk"];

    [Theory]
    [InlineData("Hi, I used alice.smith@example.com when I bought the licence.", "alice.smith@example.com", null)]
    [InlineData("My licence key is JLP-7781-XXXX, thanks", null, "JLP-7781-XXXX")]
    [InlineData("Contract c-2023-0042 and my old address Alice.Smith@Example.com.", "alice.smith@example.com", "C-2023-0042")]
    [InlineData("Reply about DSR-2026-000017: my licence is JLP-7781-XXXX", null, "JLP-7781-XXXX")]
    [InlineData("I wrote to privacy@jmlsoftware.co.uk before from me@new.example", null, null)]
    [InlineData("Sorry, I have nothing else.\n\nOn Mon, 30 Nov 2026 at 09:12 JML Privacy Team <privacy@jmlsoftware.co.uk> wrote:\nGive us a customer number such as C-0000-0000 or another@example.org", null, null)]
    [InlineData("> Give us another address, e.g. someone@example.org\nHere: a.smith@example.net", "a.smith@example.net", null)]
    public void ReadsTheReplysOwnLines_NotOurQuotedEmail_NorTheSender_NorOurReferences(string text, string? email, string? number)
    {
        var given = IdentifierExtractor.Extract(text, "me@new.example", Ours);

        Assert.Equal(email, given.OtherEmail);
        Assert.Equal(number, given.Number);
    }

    [Fact]
    public void NothingGiven_IsEmpty() => Assert.True(IdentifierExtractor.Extract(null, "me@new.example", Ours).IsEmpty);
}
