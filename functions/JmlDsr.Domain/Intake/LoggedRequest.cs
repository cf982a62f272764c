using System.Globalization;
using System.Text.Json;
using JmlDsr.Domain.Requests;

namespace JmlDsr.Domain.Intake;

/// <summary>A request that reached JML by post, phone, in person or to another mailbox, as staff log it.</summary>
/// <param name="AboutReference">For a complaint (DPA 2018 s 164A), the request it is about, if any.</param>
public sealed record LoggedRequest(RequestType Type, string RequesterEmail, string? RequesterName, DateTimeOffset ReceivedAt, string Channel, string? Details, string? AboutReference = null);

/// <summary>What is wrong with a logged request: the JSON field and a sentence for the problem details.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Reads the body of POST /api/requests. A request is valid in any channel (ICO: "a request received is a
/// request received"), and the clock counts from when JML first received it, so receivedAt may be in the past,
/// never in the future. A complaint about JML's handling of personal data (DPA 2018 s 164A) is logged the same way, with
/// type "complaint" and optionally the reference of the request it is about.
/// </summary>
public static class LoggedRequestParser
{
    public static IReadOnlyList<string> Channels { get; } = ["email", "post", "phone", "in-person"];

    public const int MaxDetails = 16_000;

    public static (LoggedRequest? Request, FieldError? Error) Parse(JsonElement body, DateTimeOffset now)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Fail("body", "The body must be a JSON object.");
        }

        var typeText = String(body, "type");
        if (!RequestTypes.TryParseWire(typeText, out var type) || type == RequestType.Unclassified)
        {
            return Fail("type", "type must be one of access, rectification, restriction, erasure, complaint.");
        }

        var email = String(body, "requesterEmail")?.Trim();
        if (!Intake.RequesterExtractor.IsValidAddress(email))
        {
            return Fail("requesterEmail", "requesterEmail must be a valid email address, like name@example.com.");
        }

        var name = String(body, "requesterName")?.Trim();
        if (name is { Length: > 200 } || (name is not null && name.Any(char.IsControl)))
        {
            return Fail("requesterName", "requesterName must be at most 200 characters, on one line.");
        }

        DateTimeOffset receivedAt;
        if (!body.TryGetProperty("receivedAt", out var receivedElement) || receivedElement.ValueKind == JsonValueKind.Null)
        {
            receivedAt = now;
        }
        else if (receivedElement.ValueKind != JsonValueKind.String || !TryParseWhen(receivedElement.GetString()!, out receivedAt))
        {
            return Fail("receivedAt", "receivedAt must be a date (yyyy-MM-dd) or an ISO 8601 date-time, e.g. 2026-11-02 or 2026-11-02T14:30:00Z.");
        }

        if (receivedAt > now)
        {
            return Fail("receivedAt", "receivedAt is in the future: give the date and time JML first received the request.");
        }

        var channel = String(body, "channel")?.Trim().ToLowerInvariant() ?? "email";
        if (!Channels.Contains(channel))
        {
            return Fail("channel", "channel must be one of email, post, phone, in-person.");
        }

        var details = String(body, "details");
        if (details is { Length: > MaxDetails })
        {
            return Fail("details", $"details must be at most {MaxDetails} characters.");
        }

        if (HasWrongKind(body, "type", "requesterEmail", "requesterName", "channel", "details", "aboutReference") is { } wrong)
        {
            return Fail(wrong, $"{wrong} must be a string.");
        }

        var about = String(body, "aboutReference")?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(about))
        {
            about = null;
        }
        else if (!RequestReference.IsValid(about))
        {
            return Fail("aboutReference", "aboutReference must be a request reference like DSR-2026-000041.");
        }
        else if (type != RequestType.Complaint)
        {
            return Fail("aboutReference", "aboutReference is only for a complaint (type complaint): it names the request the complaint is about.");
        }

        return (new LoggedRequest(type, email!, string.IsNullOrEmpty(name) ? null : name, receivedAt, channel, details, about), null);
    }

    /// <summary>
    /// A date alone is the start of that UK day; a date-time without an offset is UK local time (what staff see on a
    /// postmark or a call log); with an offset or Z it is taken as given.
    /// </summary>
    public static bool TryParseWhen(string text, out DateTimeOffset when)
    {
        when = default;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            when = FromUkLocal(date.ToDateTime(TimeOnly.MinValue));
            return true;
        }

        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) || !text.Contains('T', StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (parsed.Kind == DateTimeKind.Unspecified)
        {
            when = FromUkLocal(parsed);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out when);
    }

    private static readonly TimeZoneInfo UkZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static DateTimeOffset FromUkLocal(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, UkZone.GetUtcOffset(unspecified));
    }

    private static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static string? HasWrongKind(JsonElement body, params string[] names) =>
        names.FirstOrDefault(n => body.TryGetProperty(n, out var e) && e.ValueKind is not (JsonValueKind.String or JsonValueKind.Null));

    private static (LoggedRequest?, FieldError?) Fail(string field, string message) => (null, new FieldError(field, message));
}
