using System.Text.Json;

namespace JmlDsr.Domain.Emails;

/// <summary>
/// One event from SendGrid's Event Webhook about an email JmlDsr sent, found by the custom arguments the
/// email carried (<c>dsr_reference</c>, <c>dsr_step</c>, <c>idempotency_key</c>). Any such event shows that SendGrid
/// took the send.
/// </summary>
/// <param name="Event">SendGrid's event name: processed, delivered, deferred, bounce, dropped, open, ...</param>
/// <param name="Reference">The request (or other sender key) the email belongs to.</param>
/// <param name="Step">The step of the request the email was sent for.</param>
/// <param name="At">When SendGrid says it happened.</param>
/// <param name="EventId">SendGrid's id of the event (sg_event_id): the same event posted twice has the same id.</param>
/// <param name="Kind">For a bounce: "bounce" or "blocked".</param>
/// <param name="Status">For a bounce: the SMTP status, such as 5.1.1.</param>
public sealed record MailEvent(string Event, string Reference, string Step, DateTimeOffset At, string? EventId, string? Kind, string? Status)
{
    /// <summary>The email did not and will not reach the person: dropped by SendGrid, or bounced or blocked by their server.</summary>
    public bool ShowsUndeliverable => Event is "bounce" or "dropped";

    /// <summary>
    /// The events in one Event Webhook post (a JSON array). Events without JmlDsr's custom arguments (mail sent
    /// by something else on the same SendGrid account) are left out.
    /// </summary>
    /// <exception cref="FormatException">The body is not a JSON array.</exception>
    public static IReadOnlyList<MailEvent> ParseBatch(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("The body is not JSON.", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The body is not a JSON array of events.");
            }

            var list = new List<MailEvent>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Object && From(e) is { } parsed)
                {
                    list.Add(parsed);
                }
            }

            return list;
        }
    }

    private static MailEvent? From(JsonElement e)
    {
        var name = Text(e, "event");
        var reference = Text(e, "dsr_reference");
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(reference))
        {
            return null;
        }

        var step = Text(e, "dsr_step");
        if (string.IsNullOrWhiteSpace(step) && Text(e, "idempotency_key") is { } key && key.StartsWith(reference + "/", StringComparison.Ordinal))
        {
            step = key[(reference.Length + 1)..];
        }

        if (string.IsNullOrWhiteSpace(step) || !IsKeySafe(reference) || !IsKeySafe(step))
        {
            return null;
        }

        var at = e.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var unix)
            && unix is > 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(unix)
            : DateTimeOffset.UnixEpoch;
        var kind = name == "bounce" ? Text(e, "type") ?? "bounce" : null;
        return new MailEvent(name, reference, step, at, Text(e, "sg_event_id"), kind, Text(e, "status"));
    }

    /// <summary>Fit to be a table key: no '/', '\', '#', '?' or control characters, and not too long.</summary>
    private static bool IsKeySafe(string s) =>
        s.Length <= 200 && !s.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
