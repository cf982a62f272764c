using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace JmlDsr.Local;

/// <summary>
/// Local only: writes every span and log line the app exports, after redaction, as JSON lines to the file named by
/// <c>Telemetry:CaptureFile</c>, so a test can read exactly what would leave the process for Application Insights.
/// </summary>
public sealed class TelemetryCapture(string path) : IDisposable
{
    public const string Setting = "Telemetry:CaptureFile";

    private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    private readonly Lock _gate = new();

    public BaseExporter<Activity> Spans => new SpanExporter(this);

    public BaseExporter<LogRecord> Logs => new LogExporter(this);

    public void Dispose() => _writer.Dispose();

    private void Write(object line)
    {
        var json = JsonSerializer.Serialize(line);
        lock (_gate)
        {
            _writer.WriteLine(json);
        }
    }

    private sealed class SpanExporter(TelemetryCapture capture) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var a in batch)
            {
                capture.Write(new
                {
                    kind = "span",
                    name = a.DisplayName,
                    source = a.Source.Name,
                    spanKind = a.Kind.ToString(),
                    traceId = a.TraceId.ToString(),
                    status = a.Status.ToString(),
                    statusDescription = a.StatusDescription,
                    durationMs = a.Duration.TotalMilliseconds,
                    tags = a.TagObjects.ToDictionary(t => t.Key, t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)),
                    events = a.Events.Select(e => new { e.Name, tags = e.Tags.ToDictionary(t => t.Key, t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)) }),
                });
            }

            return ExportResult.Success;
        }
    }

    private sealed class LogExporter(TelemetryCapture capture) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var r in batch)
            {
                capture.Write(new
                {
                    kind = "log",
                    category = r.CategoryName,
                    level = r.LogLevel.ToString(),
                    eventName = r.EventId.Name,
                    traceId = r.TraceId.ToString(),
                    message = r.FormattedMessage ?? r.Body,
                    attributes = r.Attributes?.ToDictionary(t => t.Key, t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)),
                    exception = r.Exception is { } e
                        ? new { type = e is JmlDsr.Functions.Telemetry.RedactedException x ? x.OriginalType : e.GetType().FullName, message = e.Message, stack = e.ToString() }
                        : null,
                });
            }

            return ExportResult.Success;
        }
    }
}
