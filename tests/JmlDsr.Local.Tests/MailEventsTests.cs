using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Mail;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// SendGrid's Event Webhook on the local host: a send a crash interrupted is settled by SendGrid's events
/// (not sent twice, not lost), forged posts change nothing, and an email to a requester that bounces is
/// put in front of the privacy team.
/// </summary>
public sealed class MailEventsTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(4);

    private DsrStorage Storage => new(new TableServiceClient(host.StorageConnectionString), new BlobServiceClient(host.StorageConnectionString));

    private SendGridClient SendGrid => new(new HttpClient(), new SendGridClientOptions { ApiKey = "SG.test", Host = host.BaseUrl });

    /// <summary>The app's mailer, in this process, on the host's storage and its SendGrid stand-in.</summary>
    private Mailer Mailer(TimeSpan grace) => new(SendGrid, Storage, new AuditLog(Storage),
        Options.Create(new DsrOptions { FromAddress = "privacy@jmlsoftware.co.uk", FromName = "JML Privacy Team" }),
        Options.Create(new SendGridOptions { ApiKey = "SG.test", EventWebhookPublicKey = "the host's key", ConfirmationGrace = grace }),
        TimeProvider.System, NullLogger<Mailer>.Instance, JmlDsr.Pages.PageRenderer.For(null));

    private async Task RecordInterruptedAttemptAsync(string reference, string step, string subject) =>
        await Storage.Table(DsrStorage.SendsTable).UpsertEntityAsync(new TableEntity(reference, step)
        {
            [SendRow.Sent] = false, [SendRow.Subject] = subject, [SendRow.Attempts] = 1, [SendRow.AttemptedAt] = DateTimeOffset.UtcNow,
        }, TableUpdateMode.Replace);

    [Fact]
    public async Task ASendThatSendGridTookBeforeTheCrash_IsNotSentAgain()
    {
        const string reference = "MAILTEST-TAKEN";
        const string subject = "Your personal data — reference MAILTEST-TAKEN";
        await RecordInterruptedAttemptAsync(reference, "fulfilment", subject);
        // The attempt reached SendGrid, with the custom arguments every JmlDsr email carries, then the process died.
        var mail = MailHelper.CreateSingleEmail(new EmailAddress("privacy@jmlsoftware.co.uk"), new EmailAddress("taken@example.com"), subject, "text", "<p>html</p>");
        mail.AddCustomArg("dsr_reference", reference);
        mail.AddCustomArg("dsr_step", "fulfilment");
        mail.AddCustomArg("idempotency_key", reference + "/fulfilment");
        Assert.True((await SendGrid.SendEmailAsync(mail)).IsSuccessStatusCode);

        var sent = await Mailer(TimeSpan.FromMinutes(2)).SendOnceAsync(reference, "fulfilment", new EmailMessage("taken@example.com", subject, new EmailBody("Hello,", ["text"], [], "JML")));

        Assert.False(sent);
        Assert.Single(await host.OutboxAsync("taken@example.com", reference));
        var row = (await Storage.Table(DsrStorage.SendsTable).GetEntityAsync<TableEntity>(reference, "fulfilment")).Value;
        Assert.True(row.GetBoolean(SendRow.Sent));
        Assert.Equal(1, row.GetInt32(SendRow.Attempts));
    }

    [Fact]
    public async Task ASendThatNeverReachedSendGrid_IsSentOnce_AfterTheGrace()
    {
        const string reference = "MAILTEST-LOST";
        const string subject = "We have received your request — reference MAILTEST-LOST";
        await RecordInterruptedAttemptAsync(reference, "ack", subject);
        var attempted = DateTimeOffset.UtcNow;

        var sent = await Mailer(Grace).SendOnceAsync(reference, "ack", new EmailMessage("lost@example.com", subject, new EmailBody("Hello,", ["text"], [], "JML")));

        Assert.True(sent);
        var mail = Assert.Single(await host.OutboxAsync("lost@example.com", reference));
        Assert.True(mail.GetProperty("receivedAt").GetDateTimeOffset() >= attempted + Grace - TimeSpan.FromSeconds(1), "The retry sent before SendGrid's events could settle the earlier attempt.");
        var row = (await Storage.Table(DsrStorage.SendsTable).GetEntityAsync<TableEntity>(reference, "ack")).Value;
        Assert.Equal(2, row.GetInt32(SendRow.Attempts));
        await host.WaitUntilAsync(async () => (await Storage.Table(DsrStorage.SendsTable).GetEntityAsync<TableEntity>(reference, "ack")).Value.GetString(SendRow.LastEvent) == "delivered",
            TimeSpan.FromSeconds(30), "SendGrid's delivered event");

        // And a third call, with the email sent, sends nothing.
        Assert.False(await Mailer(Grace).SendOnceAsync(reference, "ack", new EmailMessage("lost@example.com", subject, new EmailBody("Hello,", ["text"], [], "JML"))));
        Assert.Single(await host.OutboxAsync("lost@example.com", reference));
    }

    [Fact]
    public async Task UnsignedForgedOrStaleEventPosts_AreRefused_AndChangeNothing()
    {
        var body = Encoding.UTF8.GetBytes("""[{"event":"delivered","timestamp":1764000000,"dsr_reference":"MAILTEST-FORGED","dsr_step":"ack"}]""");
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var old = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var posts = new (string? Timestamp, string? Signature)[]
        {
            (null, null),
            (now, EventWebhookSignature.Sign(attacker, now, body)),
            (now, Convert.ToBase64String(new byte[70])),
            (old, EventWebhookSignature.Sign(attacker, old, body)),
        };

        foreach (var (timestamp, signature) in posts)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, $"{host.BaseUrl}/api/events/sendgrid") { Content = new ByteArrayContent(body) };
            if (timestamp is not null)
            {
                post.Headers.Add(EventWebhookSignature.TimestampHeader, timestamp);
                post.Headers.Add(EventWebhookSignature.SignatureHeader, signature);
            }

            using var response = await host.Http.SendAsync(post);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.False((await Storage.Table(DsrStorage.SendsTable).GetEntityIfExistsAsync<TableEntity>("MAILTEST-FORGED", "ack")).HasValue);
    }

    [Fact]
    public async Task AnOversizedEventPost_Is413_WhateverItsLengthHeaderSays()
    {
        var huge = new byte[MailEventsHandler.MaxBodyBytes + 10];
        using var chunked = new StreamContent(new MemoryStream(huge));
        using var post = new HttpRequestMessage(HttpMethod.Post, $"{host.BaseUrl}/api/events/sendgrid") { Content = chunked };
        post.Headers.TransferEncodingChunked = true;

        using var response = await host.Http.SendAsync(post);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnAcknowledgementThatBounces_IsInTheAuditTrail_AndThePrivacyTeamIsTold()
    {
        const string zed = "zed@nowhere.invalid";
        using var post = await host.Http.PostAsync(InboundPost.Url(host),
            InboundPost.Parsed("bounce-1@mail.example.net", $"Zed Quinn <{zed}>", "Subject access request", "Please send me a copy of all the personal data you hold about me."));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var reference = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;

        var alert = await host.WaitForMailAsync(reference, "privacy@jmlsoftware.co.uk", "Email not delivered: We have received your request");

        Assert.Contains("status 5.1.2", alert.GetProperty("text").GetString(), StringComparison.Ordinal);
        var timeline = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Contains(timeline, t => t.GetProperty("step").GetString()!.StartsWith("undeliverable-", StringComparison.Ordinal)
            && t.GetProperty("actor").GetString() == "sendgrid");
        // Once: SendGrid's processed and bounce events, and any repeat of the post, make one alert.
        await host.WaitForMailAsync(reference, zed, "Help us find your records");
        await host.WaitForMailAsync(reference, "privacy@jmlsoftware.co.uk", "Email not delivered: Help us find your records");
        Assert.Single(await host.OutboxAsync("privacy@jmlsoftware.co.uk", reference), m => m.GetProperty("subject").GetString()!.Contains("We have received", StringComparison.Ordinal));
    }
}
