using System.Diagnostics;
using JmlDsr.Domain.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace JmlDsr.Functions.Telemetry;

/// <summary>
/// Runs before every exporter: span names, attributes and status descriptions lose query strings, tokens and email
/// addresses (<see cref="TelemetryRedaction"/>); a span without a request reference takes its parent's.
/// </summary>
public sealed class RedactingSpanProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.DisplayName = TelemetryRedaction.Text(data.DisplayName);
        foreach (var (name, value) in data.TagObjects.ToList())
        {
            if (value is string or Uri)
            {
                var text = value.ToString();
                var redacted = TelemetryRedaction.Attribute(name, text);
                if (!string.Equals(redacted, text, StringComparison.Ordinal))
                {
                    data.SetTag(name, redacted);
                }
            }
        }

        if (data.StatusDescription is { } description && TelemetryRedaction.HasPersonalOrSecret(description))
        {
            data.SetStatus(data.Status, TelemetryRedaction.Text(description));
        }

        if (data.GetTagItem(DsrTelemetry.ReferenceTag) is null && DsrTelemetry.ReferenceOf(data.Parent) is { } reference)
        {
            data.SetTag(DsrTelemetry.ReferenceTag, reference);
        }
    }
}

/// <summary>
/// Runs before every exporter: log messages, attributes and exception messages lose query strings, tokens and email
/// addresses (the stack stays); every line gets the request reference of its attributes or its span.
/// </summary>
public sealed class RedactingLogProcessor : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.FormattedMessage = TelemetryRedaction.Text(data.FormattedMessage);
        data.Body = TelemetryRedaction.Text(data.Body);
        string? reference = null;
        if (data.Attributes is { } attributes)
        {
            var redacted = new List<KeyValuePair<string, object?>>(attributes.Count + 1);
            foreach (var (name, value) in attributes)
            {
                if (name == "Reference" && value is string r)
                {
                    reference = r;
                }

                if (value is null or bool or int or long or double or float or decimal or DateTime or DateTimeOffset or TimeSpan or Enum)
                {
                    redacted.Add(new(name, value));
                }
                else if (TelemetryRedaction.Attribute(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)) is { } text)
                {
                    redacted.Add(new(name, text));
                }
            }

            data.Attributes = redacted;
        }

        reference ??= DsrTelemetry.CurrentReference();
        if (reference is not null)
        {
            data.Attributes = [.. data.Attributes ?? [], new(DsrTelemetry.ReferenceTag, reference)];
        }

        if (data.Exception is { } e && TelemetryRedaction.HasPersonalOrSecret(e.ToString()))
        {
            data.Exception = new RedactedException(e);
        }
    }
}

/// <summary>
/// An exception as it may leave the process: the original's type name, its message redacted, its stack trace (and its
/// inner exceptions', redacted the same way) kept. Used only when the original's text holds something to remove.
/// </summary>
public sealed class RedactedException : Exception
{
    private readonly string _text;

    public RedactedException()
        : this(new InvalidOperationException())
    {
    }

    public RedactedException(string message)
        : this(new InvalidOperationException(message))
    {
    }

    public RedactedException(string message, Exception innerException)
        : this(new InvalidOperationException(message, innerException))
    {
    }

    public RedactedException(Exception original)
        : base(TelemetryRedaction.Text((original ?? throw new ArgumentNullException(nameof(original))).Message))
    {
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
        _text = TelemetryRedaction.Text(original.ToString());
        StackTrace = original.StackTrace;
    }

    /// <summary>The type of the exception this stands for.</summary>
    public string OriginalType { get; } = string.Empty;

    public override string? StackTrace { get; }

    public override string ToString() => _text;
}
