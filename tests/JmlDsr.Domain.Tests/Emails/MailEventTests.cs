using JmlDsr.Domain.Emails;
using Xunit;

namespace JmlDsr.Domain.Tests.Emails;

public sealed class MailEventTests
{
    [Fact]
    public void Events_AreFoundByTheCustomArguments_SendGridCopiesIntoThem()
    {
        const string json = """
            [
              {"email":"a@example.com","timestamp":1764000000,"event":"processed","sg_event_id":"e1","sg_message_id":"m1",
               "dsr_reference":"DSR-2026-000042","dsr_step":"ack","idempotency_key":"DSR-2026-000042/ack"},
              {"email":"a@example.com","timestamp":1764000005,"event":"bounce","type":"blocked","status":"5.7.1","reason":"550 blocked",
               "sg_event_id":"e2","dsr_reference":"DSR-2026-000042","idempotency_key":"DSR-2026-000042/fulfilment"}
            ]
            """;

        var events = MailEvent.ParseBatch(json);

        Assert.Equal(2, events.Count);
        Assert.Equal(new MailEvent("processed", "DSR-2026-000042", "ack", DateTimeOffset.FromUnixTimeSeconds(1764000000), "e1", null, null), events[0]);
        // Older emails carried only the idempotency key: the step is what follows the reference.
        Assert.Equal("fulfilment", events[1].Step);
        Assert.Equal("blocked", events[1].Kind);
        Assert.Equal("5.7.1", events[1].Status);
        Assert.True(events[1].ShowsUndeliverable);
        Assert.False(events[0].ShowsUndeliverable);
    }

    [Theory]
    [InlineData("dropped", true)]
    [InlineData("bounce", true)]
    [InlineData("delivered", false)]
    [InlineData("deferred", false)]
    [InlineData("open", false)]
    public void OnlyBouncesAndDrops_AreUndeliverable(string name, bool undeliverable)
    {
        var e = Assert.Single(MailEvent.ParseBatch($$"""[{"event":"{{name}}","timestamp":1,"dsr_reference":"R","dsr_step":"s"}]"""));
        Assert.Equal(undeliverable, e.ShowsUndeliverable);
    }

    [Theory]
    [InlineData("""[{"event":"delivered","timestamp":1}]""")]
    [InlineData("""[{"event":"delivered","dsr_reference":"R"}]""")]
    [InlineData("""[{"event":"delivered","dsr_reference":"R","idempotency_key":"OTHER/step"}]""")]
    [InlineData("""[{"event":"delivered","dsr_reference":"R/x","dsr_step":"s"}]""")]
    [InlineData("""[{"event":"delivered","dsr_reference":"R","dsr_step":"a#b"}]""")]
    [InlineData("""[{"dsr_reference":"R","dsr_step":"s"}]""")]
    [InlineData("""[42, "text", null]""")]
    public void EventsNotAboutOurEmails_OrUnfitForKeys_AreLeftOut(string json) =>
        Assert.Empty(MailEvent.ParseBatch(json));

    [Theory]
    [InlineData("{}")]
    [InlineData("not json")]
    [InlineData("")]
    public void ABodyThatIsNotAnArray_IsRefused(string json) =>
        Assert.Throws<FormatException>(() => MailEvent.ParseBatch(json));

    [Fact]
    public void AMissingOrNonsenseTimestamp_CountsAsTheEpoch_NotAsNow()
    {
        var events = MailEvent.ParseBatch("""[{"event":"delivered","dsr_reference":"R","dsr_step":"s"},{"event":"delivered","timestamp":-5,"dsr_reference":"R","dsr_step":"s"}]""");
        Assert.All(events, e => Assert.Equal(DateTimeOffset.UnixEpoch, e.At));
    }
}
