using System.Diagnostics;
using JmlDsr.Functions.Telemetry;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using Xunit;

namespace JmlDsr.Functions.Tests.Telemetry;

/// <summary>The processors that run before every exporter: what an exporter receives from a span and a log line with something to hide.</summary>
public sealed class RedactingProcessorsTests
{
    private const string Address = "ada.lovelace@example.org";

    [Fact]
    public void ASpan_LosesItsQueryStringAndAddresses_AndTakesItsParentsReference()
    {
        var exported = new List<Activity>();
        using var source = new ActivitySource("JmlDsr.Tests." + Guid.NewGuid().ToString("N"));
        using (var provider = Sdk.CreateTracerProviderBuilder().AddSource(source.Name)
            .AddProcessor(new RedactingSpanProcessor()).AddProcessor(new SimpleActivityExportProcessor(new Collect<Activity>(exported))).Build())
        {
            using var parent = source.StartActivity("GET /api/links")!;
            DsrTelemetry.Reference("DSR-2026-000001");
            using (var child = source.StartActivity($"GET https://api.sendgrid.com/v3/mail/send?to={Address}")!)
            {
                child.SetTag("url.full", "https://jml.example/api/links?token=abc.def");
                child.SetTag("url.query", "token=abc.def");
                child.SetTag("note", $"to {Address}");
                child.SetStatus(ActivityStatusCode.Error, $"{Address} bounced");
            }
        }

        var span = exported.First(s => s.DisplayName.StartsWith("GET https", StringComparison.Ordinal));
        Assert.Equal("GET https://api.sendgrid.com/v3/mail/send", span.DisplayName);
        Assert.Equal("https://jml.example/api/links", span.GetTagItem("url.full"));
        Assert.Null(span.GetTagItem("url.query"));
        Assert.Equal("to [email]", span.GetTagItem("note"));
        Assert.Equal("[email] bounced", span.StatusDescription);
        Assert.Equal("DSR-2026-000001", span.GetTagItem(DsrTelemetry.ReferenceTag));
    }

    [Fact]
    public void ALogLine_LosesAddressesAndTokens_KeepsTheStack_AndCarriesTheReference()
    {
        var exported = new List<(string? Message, IReadOnlyList<KeyValuePair<string, object?>>? Attributes, Exception? Exception)>();
        using (var factory = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
               {
                   o.IncludeFormattedMessage = true;
                   o.AddProcessor(new RedactingLogProcessor());
                   o.AddProcessor(new SimpleLogRecordExportProcessor(new CollectLogs(exported)));
               })))
        {
            var logger = factory.CreateLogger("Test");
            Exception failure;
            try
            {
                throw new InvalidOperationException($"Could not send to {Address} with Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln");
            }
            catch (InvalidOperationException e)
            {
                failure = e;
            }

#pragma warning disable CA1848, CA2254 // The test writes the kind of line a library would.
            logger.LogError(failure, "Send for {Reference} to {To} failed at /api/links?token=abc", "DSR-2026-000002", Address);
#pragma warning restore CA1848, CA2254
        }

        var (message, attributes, exception) = Assert.Single(exported);
        Assert.Equal("Send for DSR-2026-000002 to [email] failed at /api/links", message);
        Assert.Contains(new KeyValuePair<string, object?>("To", "[email]"), attributes!);
        Assert.Contains(new KeyValuePair<string, object?>(DsrTelemetry.ReferenceTag, "DSR-2026-000002"), attributes!);
        var redacted = Assert.IsType<RedactedException>(exception);
        Assert.Equal(typeof(InvalidOperationException).FullName, redacted.OriginalType);
        Assert.Equal("Could not send to [email] with Bearer [redacted]", redacted.Message);
        Assert.Contains(nameof(ALogLine_LosesAddressesAndTokens_KeepsTheStack_AndCarriesTheReference), redacted.StackTrace, StringComparison.Ordinal);
        Assert.DoesNotContain(Address, redacted.ToString(), StringComparison.Ordinal);
    }

    private sealed class Collect<T>(List<T> into) : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch)
        {
            foreach (var item in batch)
            {
                into.Add(item);
            }

            return ExportResult.Success;
        }
    }

    private sealed class CollectLogs(List<(string?, IReadOnlyList<KeyValuePair<string, object?>>?, Exception?)> into) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var r in batch)
            {
                into.Add((r.FormattedMessage, r.Attributes?.ToList(), r.Exception));
            }

            return ExportResult.Success;
        }
    }
}
