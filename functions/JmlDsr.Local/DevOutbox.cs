using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Local;

/// <summary>
/// The local stand-in for SendGrid: POST /v3/mail/send takes exactly what the SendGrid client sends
/// and keeps it in the DevOutbox table; GET /api/dev/outbox lists it. Local host only.
/// </summary>
public sealed class DevOutbox(DsrStorage storage, TimeProvider time)
{
    public const string Table = "DevOutbox";

    public async Task<IResult> CaptureAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Results.Json(new { errors = new[] { new { message = "authorization required" } } }, statusCode: 401);
        }

        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return Results.Json(new { errors = new[] { new { message = "invalid JSON" } } }, statusCode: 400);
        }

        var now = time.GetUtcNow();
        var id = string.Create(CultureInfo.InvariantCulture, $"{now.UtcTicks:D19}-{Guid.NewGuid():N}");
        await storage.Table(Table).AddEntityAsync(new TableEntity("mail", id) { ["Body"] = json, ["ReceivedAt"] = now }, ct);
        return Results.StatusCode(202);
    }

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken ct)
    {
        var to = request.Query["to"].ToString();
        var reference = request.Query["reference"].ToString();
        var list = new List<object>();
        await foreach (var row in storage.Table(Table).QueryAsync<TableEntity>(e => e.PartitionKey == "mail", cancellationToken: ct))
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

    public sealed record CapturedMail(string Id, DateTimeOffset? ReceivedAt, string? From, string? To, string? Subject, string? Text, string? Html, string? Reference, string? IdempotencyKey);

    private static CapturedMail Describe(string id, DateTimeOffset? at, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
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

        var args = root.TryGetProperty("custom_args", out var ca) ? ca : (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("custom_args", out var pca) ? pca : default);
        return new CapturedMail(id, at, root.TryGetProperty("from", out var f) ? S(f, "email") : null, to,
            S(p, "subject") ?? S(root, "subject"), text, html, S(args, "dsr_reference"), S(args, "idempotency_key"));
    }
}
