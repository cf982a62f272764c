using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace JmlDsr.Local;

/// <summary>
/// The local stand-in for SendGrid: POST /v3/mail/send takes exactly what the SendGrid client sends
/// and keeps it in the DevOutbox table; GET /api/dev/outbox lists it (filters: to, reference, and since, an ISO 8601 time). Like SendGrid, it then reports
/// what became of each email to the Event Webhook (<see cref="DevMailEvents"/>): the email and its
/// pending events are written in one transaction, so a crash cannot keep one without the other. The table lives in
/// the mail capture's own Azurite account (<see cref="MailCaptureStorage"/>), not the product's. Local host only.
/// </summary>
public sealed class DevOutbox(MailCaptureStorage storage, DevMailEvents events, DevSendGridMarketing marketing, TimeProvider time)
{
    public const string Table = "DevOutbox";
    public const string Partition = "mail";

    /// <summary>Mail rows are keyed by ticks (digits); pending event rows sort after them.</summary>
    public const string PendingPrefix = "event-";

    public async Task<IResult> CaptureAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Results.Json(new { errors = new[] { new { message = "authorization required" } } }, statusCode: 401);
        }

        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return Results.Json(new { errors = new[] { new { message = "invalid JSON" } } }, statusCode: 400);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("personalizations", out var ps) || ps.ValueKind != JsonValueKind.Array || ps.GetArrayLength() == 0)
            {
                return Results.Json(new { errors = new[] { new { message = "personalizations required", field = "personalizations" } } }, statusCode: 400);
            }

            var now = time.GetUtcNow();
            var id = string.Create(CultureInfo.InvariantCulture, $"{now.UtcTicks:D19}-{Guid.NewGuid():N}");
            var args = CustomArgsOf(root);
            var to = Describe(id, now, root).To;
            // As SendGrid does: mail to an address on the global suppression list is dropped, unless it bypasses unsubscribes.
            var dropped = to is not null && !Bypasses(root) && await marketing.IsSuppressedAsync(to, ct) ? "Unsubscribed Address" : null;
            await storage.Outbox.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Partition, id) { ["Body"] = json, ["ReceivedAt"] = now }),
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Partition, PendingPrefix + id)
                {
                    // SendGrid copies the email's custom_args into every event about it.
                    ["MailId"] = id, ["To"] = to, ["ReceivedAt"] = now, ["Dropped"] = dropped,
                    ["Args"] = args.ValueKind == JsonValueKind.Object ? args.GetRawText() : "{}",
                }),
            ], ct);
        }

        events.Signal();
        return Results.StatusCode(202);
    }

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken ct)
    {
        var to = request.Query["to"].ToString();
        var reference = request.Query["reference"].ToString();
        var since = request.Query["since"].ToString();
        var from = "0";
        if (since.Length > 0)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return Results.Problem(statusCode: 400, title: "since must be a date and time (ISO 8601).");
            }

            from = string.Create(CultureInfo.InvariantCulture, $"{at.UtcTicks:D19}");
        }

        var list = new List<object>();
        await foreach (var row in storage.Outbox.QueryAsync<TableEntity>($"PartitionKey eq '{Partition}' and RowKey ge '{from}' and RowKey lt 'a'", cancellationToken: ct))
        {
            var mail = Describe(row.RowKey, row.GetDateTimeOffset("ReceivedAt"), row.GetString("Body") ?? "{}");
            if ((to.Length == 0 || string.Equals(mail.To, to, StringComparison.OrdinalIgnoreCase))
                && (reference.Length == 0 || mail.Reference == reference))
            {
                list.Add(mail);
            }
        }

        return Results.Json(new { count = list.Count, messages = list });
    }

    private static readonly string[] BypassSettings = ["bypass_unsubscribe_management", "bypass_list_management"];

    /// <summary>True when the mail asks SendGrid to send it past unsubscribes and suppressions (mail_settings).</summary>
    private static bool Bypasses(JsonElement root) =>
        root.TryGetProperty("mail_settings", out var settings) && settings.ValueKind == JsonValueKind.Object
        && BypassSettings.Any(name =>
            settings.TryGetProperty(name, out var s) && s.ValueKind == JsonValueKind.Object && s.TryGetProperty("enable", out var e) && e.ValueKind == JsonValueKind.True);

    /// <summary>One captured email as the outbox lists it; Headers are the custom headers the product set (Auto-Submitted, X-JmlDsr-Reference…).</summary>
    public sealed record CapturedMail(string Id, DateTimeOffset? ReceivedAt, string? From, string? To, string? Subject, string? Text, string? Html, string? Reference, string? IdempotencyKey,
        IReadOnlyDictionary<string, string> Headers);

    private static CapturedMail Describe(string id, DateTimeOffset? at, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Describe(id, at, doc.RootElement);
    }

    private static CapturedMail Describe(string id, DateTimeOffset? at, JsonElement root)
    {
        string? S(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var p = root.TryGetProperty("personalizations", out var ps) && ps.GetArrayLength() > 0 ? ps[0] : default;
        var to = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("to", out var tos) && tos.GetArrayLength() > 0 ? S(tos[0], "email") : null;
        string? text = null, html = null;
        if (root.TryGetProperty("content", out var content))
        {
            foreach (var c in content.EnumerateArray())
            {
                if (S(c, "type") == "text/plain")
                {
                    text = S(c, "value");
                }
                else if (S(c, "type") == "text/html")
                {
                    html = S(c, "value");
                }
            }
        }

        var args = CustomArgsOf(root);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in new[] { root, p })
        {
            if (source.ValueKind == JsonValueKind.Object && source.TryGetProperty("headers", out var hs) && hs.ValueKind == JsonValueKind.Object)
            {
                foreach (var h in hs.EnumerateObject().Where(h => h.Value.ValueKind == JsonValueKind.String))
                {
                    headers[h.Name] = h.Value.GetString()!;
                }
            }
        }

        return new CapturedMail(id, at, root.TryGetProperty("from", out var f) ? S(f, "email") : null, to,
            S(p, "subject") ?? S(root, "subject"), text, html, S(args, "dsr_reference"), S(args, "idempotency_key"), headers);
    }

    /// <summary>The email's custom_args: the message's own, else its first personalization's (none: an undefined element).</summary>
    private static JsonElement CustomArgsOf(JsonElement root)
    {
        if (root.TryGetProperty("custom_args", out var ca) && ca.ValueKind == JsonValueKind.Object)
        {
            return ca;
        }

        var p = root.TryGetProperty("personalizations", out var ps) && ps.ValueKind == JsonValueKind.Array && ps.GetArrayLength() > 0 ? ps[0] : default;
        return p.ValueKind == JsonValueKind.Object && p.TryGetProperty("custom_args", out var pca) && pca.ValueKind == JsonValueKind.Object ? pca : default;
    }
}
