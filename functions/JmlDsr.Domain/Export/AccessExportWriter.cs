using System.Text.Json;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Domain.Export;

/// <summary>The response to an access request, with the supplementary information Art 15 requires.</summary>
public sealed record AccessExportHeader(string Reference, string SubjectEmail, string? SubjectName, DateTimeOffset GeneratedAt, DateOnly ReceivedOn);

/// <summary>
/// Writes the copy of the personal data (Art 15(3)) in commonly used formats: JSON for machines, and an HTML and a PDF
/// document for people (JML's privacy policy names PDF), each with the supplementary information of Art 15(1)(a)–(h) and
/// 15(2) per system. The HTML and PDF copies draw the same <see cref="AccessExportDocument"/> blocks, fields under their
/// <see cref="FieldLabels"/>. All are written forward-only, so a subject with many records never has to fit in memory
/// (the PDF holds one part's pages at most).
/// </summary>
public static class AccessExportWriter
{
    public const string AutomatedDecisions =
        "We do not make decisions about you based solely on automated processing, including profiling (Art 22).";

    public const string InternationalTransfers =
        "We do not transfer your personal data outside the UK. If that changes, we will tell you the safeguards used (Art 15(2), Art 46).";

    public const string YourRights =
        "You have the right to ask us to rectify inaccurate data (Art 16), to erase it (Art 17), to restrict how we use it (Art 18), and to object to our use of it, including for direct marketing at any time (Art 21).";

    public const string Complaints =
        "If you are unhappy, please tell us first at enquiries@jmlsoftware.co.uk. You have the right to complain to the Information Commissioner's Office (ico.org.uk/make-a-complaint, 0303 123 1113) (Art 15(1)(f), Art 77).";

    public const string ThirdPartyNotice =
        "We have removed information about other people from this copy, where sharing it with you would affect their rights (Art 15(4); Data Protection Act 2018 Sch 2 para 16). Each removal is marked \"" + ThirdPartyRedactor.Marker + "\".";

    /// <summary>Writes the JSON copy.</summary>
    /// <param name="redact">Other people's information to remove from every field value (Art 15(4)); see
    /// <see cref="ThirdPartyRedactor"/>. Null or empty: nothing is removed.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068:CancellationToken parameters must come last",
        Justification = "redact was added as a trailing optional parameter so that existing callers keep compiling.")]
    public static async Task WriteJsonAsync(Stream output, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, CancellationToken ct = default, IReadOnlyCollection<string>? redact = null)
    {
        await using var json = new JsonSink(output, header, redact is { Count: > 0 });
        await WriteAsync([json], systems, redact, ct);
    }

    /// <summary>Writes the HTML copy.</summary>
    /// <param name="redact">Other people's information to remove from every field value (Art 15(4)); when
    /// given, the document says near the top that it was removed. Null or empty: nothing is removed.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068:CancellationToken parameters must come last",
        Justification = "redact was added as a trailing optional parameter so that existing callers keep compiling.")]
    public static async Task WriteHtmlAsync(TextWriter output, IHtmlCopyFormat format, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, CancellationToken ct = default, IReadOnlyCollection<string>? redact = null)
    {
        await using var html = new HtmlSink(output, format, header, redact is { Count: > 0 });
        await WriteAsync([html], systems, redact, ct);
    }

    /// <summary>
    /// Writes both copies in one pass over <paramref name="systems"/>: each system's records are read (and redacted)
    /// once, and each record goes to the JSON and the HTML copy as it is read.
    /// </summary>
    public static async Task WriteJsonAndHtmlAsync(Stream json, TextWriter html, IHtmlCopyFormat format, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact = null, CancellationToken ct = default)
    {
        var redacting = redact is { Count: > 0 };
        await using var jsonSink = new JsonSink(json, header, redacting);
        await using var htmlSink = new HtmlSink(html, format, header, redacting);
        await WriteAsync([jsonSink, htmlSink], systems, redact, ct);
    }

    /// <summary>How many pages one part of the PDF copy has at most (see <see cref="PdfPartTarget"/>).</summary>
    public const int PdfPagesPerPart = 5000;

    /// <summary>Writes the PDF copy: the same blocks as the HTML copy, into one or more parts. Returns the number of parts.</summary>
    public static async Task<int> WritePdfAsync(PdfPartTarget pdf, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact = null, CancellationToken ct = default) =>
        await WritePdfAsync(pdf, header, systems, redact, PdfPagesPerPart, ct);

    internal static async Task<int> WritePdfAsync(PdfPartTarget pdf, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact, int pagesPerPart, CancellationToken ct)
    {
        await using var sink = new PdfSink(pdf, header, redact is { Count: > 0 }, pagesPerPart);
        await WriteAsync([sink], systems, redact, ct);
        return sink.Parts;
    }

    /// <summary>
    /// Writes all three copies in one pass over <paramref name="systems"/>: each system's records are read (and redacted)
    /// once, and each record goes to the JSON, the HTML and the PDF copy as it is read. Returns the number of PDF parts.
    /// </summary>
    public static async Task<int> WriteAllAsync(Stream json, TextWriter html, IHtmlCopyFormat format, PdfPartTarget pdf, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact = null, CancellationToken ct = default)
    {
        var redacting = redact is { Count: > 0 };
        await using var jsonSink = new JsonSink(json, header, redacting);
        await using var htmlSink = new HtmlSink(html, format, header, redacting);
        await using var pdfSink = new PdfSink(pdf, header, redacting, PdfPagesPerPart);
        await WriteAsync([jsonSink, htmlSink, pdfSink], systems, redact, ct);
        return pdfSink.Parts;
    }

    private static async Task WriteAsync(IReadOnlyList<ExportSink> sinks, IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systems);
        var redacting = redact is { Count: > 0 };
        foreach (var sink in sinks)
        {
            await sink.StartAsync(ct);
        }

        await foreach (var (system, search, records) in systems.WithCancellation(ct))
        {
            foreach (var sink in sinks)
            {
                await sink.BeginSystemAsync(system, search, ct);
            }

            var count = 0;
            await foreach (var record in records.WithCancellation(ct))
            {
                var shown = redacting ? Redacted(record, redact!) : record;
                foreach (var sink in sinks)
                {
                    await sink.RecordAsync(system, shown, count, ct);
                }

                count++;
            }

            foreach (var sink in sinks)
            {
                await sink.EndSystemAsync(system, count, ct);
            }
        }

        foreach (var sink in sinks)
        {
            await sink.EndAsync(ct);
        }
    }

    private static PersonalRecord Redacted(PersonalRecord record, IReadOnlyCollection<string> redact) =>
        record with { Fields = record.Fields.ToDictionary(f => f.Key, f => ThirdPartyRedactor.Redact(f.Value, redact)) };

    /// <summary>One copy being written: told of each system and record in turn, in the order they are read.</summary>
    private abstract class ExportSink : IAsyncDisposable
    {
        public abstract Task StartAsync(CancellationToken ct);

        public abstract Task BeginSystemAsync(SystemDescriptor system, SystemSearch search, CancellationToken ct);

        /// <param name="index">The record's place in its system, from 0.</param>
        public abstract Task RecordAsync(SystemDescriptor system, PersonalRecord record, int index, CancellationToken ct);

        public abstract Task EndSystemAsync(SystemDescriptor system, int count, CancellationToken ct);

        public abstract Task EndAsync(CancellationToken ct);

        public abstract ValueTask DisposeAsync();
    }

    private sealed class JsonSink(Stream output, AccessExportHeader header, bool redacting) : ExportSink
    {
        private readonly Utf8JsonWriter _w = new(output, new JsonWriterOptions { Indented = true });

        // The field names this system's records used, described after its records with their labels (few: one per kind of field).
        private readonly SortedSet<string> _fields = new(StringComparer.Ordinal);

        public override Task StartAsync(CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(header);
            _w.WriteStartObject();
            _w.WriteString("reference", header.Reference);
            _w.WriteString("controller", EmailComposer.Company);
            _w.WriteString("subjectEmail", header.SubjectEmail);
            _w.WriteString("generatedAt", header.GeneratedAt);
            _w.WriteString("requestReceivedOn", header.ReceivedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            _w.WriteString("automatedDecisionMaking", AutomatedDecisions);
            _w.WriteString("internationalTransfers", InternationalTransfers);
            _w.WriteString("yourRights", YourRights);
            _w.WriteString("complaints", Complaints);
            if (redacting)
            {
                _w.WriteString("thirdPartyInformation", ThirdPartyNotice);
            }

            _w.WriteStartArray("systems");
            return Task.CompletedTask;
        }

        public override Task BeginSystemAsync(SystemDescriptor system, SystemSearch search, CancellationToken ct)
        {
            _w.WriteStartObject();
            _w.WriteString("id", system.Id);
            _w.WriteString("name", system.Name);
            _w.WriteString("purposes", system.Purposes);
            _w.WriteString("lawfulBasis", system.LawfulBasis);
            WriteArray(_w, "categories", system.Categories);
            WriteArray(_w, "recipients", system.Recipients);
            _w.WriteString("retention", system.Retention);
            _w.WriteString("source", system.Source);
            _w.WriteString("searchedAt", search.SearchedAt);
            _w.WriteString("searchedBy", search.SearchedBy);
            _w.WriteStartArray("records");
            return Task.CompletedTask;
        }

        public override async Task RecordAsync(SystemDescriptor system, PersonalRecord record, int index, CancellationToken ct)
        {
            _w.WriteStartObject();
            _w.WriteString("category", record.Category);
            foreach (var (key, value) in record.Fields)
            {
                _w.WriteString(key, value);
                _fields.Add(key);
            }

            _w.WriteEndObject();
            if (_w.BytesPending > 32 * 1024)
            {
                await _w.FlushAsync(ct);
            }
        }

        public override async Task EndSystemAsync(SystemDescriptor system, int count, CancellationToken ct)
        {
            _w.WriteEndArray();
            _w.WriteNumber("recordCount", count);
            _w.WriteStartObject("fieldLabels");
            foreach (var field in _fields)
            {
                _w.WriteString(field, FieldLabels.For(system, field));
            }

            _w.WriteEndObject();
            _fields.Clear();
            _w.WriteEndObject();
            await _w.FlushAsync(ct);
        }

        public override async Task EndAsync(CancellationToken ct)
        {
            _w.WriteEndArray();
            _w.WriteEndObject();
            await _w.FlushAsync(ct);
        }

        public override ValueTask DisposeAsync() => _w.DisposeAsync();
    }

    /// <summary>The HTML copy: <see cref="AccessExportDocument"/>'s blocks drawn by the components of <see cref="IHtmlCopyFormat"/>.</summary>
    private sealed class HtmlSink(TextWriter output, IHtmlCopyFormat format, AccessExportHeader header, bool redacting) : ExportSink
    {
        private IHtmlCopyWriter? _html;

        public override async Task StartAsync(CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(output);
            ArgumentNullException.ThrowIfNull(format);
            ArgumentNullException.ThrowIfNull(header);
            _html = await format.BeginAsync(output, AccessExportDocument.DocumentTitle(header), ct);
            await _html.DrawAsync(AccessExportDocument.Opening(header, redacting), ct);
        }

        public override Task BeginSystemAsync(SystemDescriptor system, SystemSearch search, CancellationToken ct) =>
            _html!.DrawAsync(AccessExportDocument.SystemOpening(system), ct);

        // One row per record, as it is read: the document streams however many there are.
        public override Task RecordAsync(SystemDescriptor system, PersonalRecord record, int index, CancellationToken ct) =>
            _html!.DrawAsync(AccessExportDocument.Record(system, record, index), ct);

        public override Task EndSystemAsync(SystemDescriptor system, int count, CancellationToken ct) =>
            _html!.DrawAsync(AccessExportDocument.SystemClosing(count), ct);

        public override async Task EndAsync(CancellationToken ct)
        {
            await _html!.EndAsync(ct);
            await output.FlushAsync(ct);
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The PDF copy: draws the same blocks as the HTML copy, with PDFsharp.</summary>
    private sealed class PdfSink(PdfPartTarget target, AccessExportHeader header, bool redacting, int pagesPerPart) : ExportSink
    {
        private PdfCopyWriter? _pdf;

        public int Parts => _pdf?.Parts ?? 0;

        public override Task StartAsync(CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(target);
            ArgumentNullException.ThrowIfNull(header);
            ExportFonts.Ensure();
            _pdf = new PdfCopyWriter(header, target, pagesPerPart);
            return _pdf.DrawAsync(AccessExportDocument.Opening(header, redacting), ct);
        }

        public override Task BeginSystemAsync(SystemDescriptor system, SystemSearch search, CancellationToken ct) =>
            _pdf!.DrawAsync(AccessExportDocument.SystemOpening(system), ct);

        public override Task RecordAsync(SystemDescriptor system, PersonalRecord record, int index, CancellationToken ct) =>
            _pdf!.DrawAsync(AccessExportDocument.Record(system, record, index), ct);

        public override Task EndSystemAsync(SystemDescriptor system, int count, CancellationToken ct) =>
            _pdf!.DrawAsync(AccessExportDocument.SystemClosing(count), ct);

        public override Task EndAsync(CancellationToken ct) => _pdf!.FinishAsync(ct);

        public override ValueTask DisposeAsync()
        {
            _pdf?.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
