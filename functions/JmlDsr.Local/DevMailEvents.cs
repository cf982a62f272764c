using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Local;

/// <summary>
/// The local SendGrid's Event Webhook: posts what became of each captured email (processed, then delivered; a
/// bounce for an address under the reserved .invalid domain; dropped, for an address on the stand-in's global suppression list
/// that the mail did not bypass) to the app's api/events/sendgrid, signed as SendGrid
/// signs, in batches a moment after the emails, as SendGrid does. The pending events live in the DevOutbox table
/// next to their email, so events of emails captured just before a crash are posted after the restart.
/// </summary>
public sealed partial class DevMailEvents(MailCaptureStorage storage, DevEventSigner signer, Uri webhook, IHttpClientFactory http, ILogger<DevMailEvents> logger)
    : BackgroundService
{
    /// <summary>How long events gather before a post (SendGrid batches too).</summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(500);

    /// <summary>Pending events are looked for at least this often, without a signal.</summary>
    public static readonly TimeSpan Sweep = TimeSpan.FromSeconds(10);

    private const int BatchSize = 100;
    private readonly WakeSignal _wake = new();

    /// <summary>An email was captured: post its events soon.</summary>
    public void Signal() => _wake.Signal();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await PostBatchAsync(stoppingToken))
                {
                }
            }
            // The Azure SDK throws an AggregateException when every retry failed to reach storage (an outage), not a RequestFailedException.
            catch (Exception e) when (e is RequestFailedException or HttpRequestException or InvalidOperationException or AggregateException && !stoppingToken.IsCancellationRequested)
            {
                PostFailed(logger, e.Message);
            }

            try
            {
                if (await _wake.WaitAsync(Sweep, stoppingToken))
                {
                    await Task.Delay(BatchWindow, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Posts up to one batch of pending events; true when there may be more.</summary>
    private async Task<bool> PostBatchAsync(CancellationToken ct)
    {
        var table = storage.Outbox;
        var pending = new List<TableEntity>();
        var filter = $"PartitionKey eq '{DevOutbox.Partition}' and RowKey ge '{DevOutbox.PendingPrefix}' and RowKey lt 'event.'";
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: BatchSize, cancellationToken: ct).AsPages())
        {
            pending.AddRange(page.Values);
            break;
        }

        if (pending.Count == 0)
        {
            return false;
        }

        var body = Events(pending);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var post = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(body) };
        post.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        post.Headers.Add(EventWebhookSignature.TimestampHeader, timestamp);
        post.Headers.Add(EventWebhookSignature.SignatureHeader, EventWebhookSignature.Sign(signer.Key, timestamp, body));
        using var response = await http.CreateClient(nameof(DevMailEvents)).SendAsync(post, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The event webhook answered HTTP {(int)response.StatusCode}.");
        }

        // Posted: the events are SendGrid's no longer. (Deleting twice after a crash is harmless: posting is idempotent.)
        await table.SubmitTransactionAsync(pending.Select(p => new TableTransactionAction(TableTransactionActionType.Delete, p, ETag.All)), ct);
        return pending.Count == BatchSize;
    }

    private static byte[] Events(IReadOnlyList<TableEntity> pending)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var p in pending)
            {
                var id = p.GetString("MailId") ?? p.RowKey;
                var to = p.GetString("To") ?? string.Empty;
                var at = (p.GetDateTimeOffset("ReceivedAt") ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
                if (p.GetString("Dropped") is { Length: > 0 })
                {
                    Event(w, p, id, to, at, "dropped");
                    continue;
                }

                var bounce = to.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase);
                Event(w, p, id, to, at, "processed");
                Event(w, p, id, to, at + 1, bounce ? "bounce" : "delivered");
            }

            w.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static void Event(Utf8JsonWriter w, TableEntity pending, string id, string to, long at, string name)
    {
        w.WriteStartObject();
        w.WriteString("email", to);
        w.WriteNumber("timestamp", at);
        w.WriteString("event", name);
        w.WriteString("sg_event_id", Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(id + "/" + name)))[..22]);
        w.WriteString("sg_message_id", id);
        if (name == "dropped")
        {
            w.WriteString("reason", pending.GetString("Dropped"));
        }

        if (name == "bounce")
        {
            w.WriteString("type", "bounce");
            w.WriteString("status", "5.1.2");
            w.WriteString("reason", "550 5.1.2 Host unknown: the domain does not exist");
        }

        using var args = JsonDocument.Parse(pending.GetString("Args") ?? "{}");
        foreach (var a in args.RootElement.EnumerateObject())
        {
            a.WriteTo(w);
        }

        w.WriteEndObject();
    }

    [LoggerMessage(1910, LogLevel.Warning, "Posting the local SendGrid's events failed; trying again shortly: {Error}")]
    private static partial void PostFailed(ILogger logger, string error);
}

/// <summary>The local SendGrid's event signing key: made afresh at each start, its public half given to the app.</summary>
public sealed class DevEventSigner : IDisposable
{
    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string PublicKey => Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo());

    public void Dispose() => Key.Dispose();
}
