using System.Net;
using System.Text.Json;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Domain.Export;

/// <summary>The response to an access request, with the supplementary information Art 15 requires.</summary>
public sealed record AccessExportHeader(string Reference, string SubjectEmail, string? SubjectName, DateTimeOffset GeneratedAt, DateOnly ReceivedOn);

/// <summary>
/// Writes the copy of the personal data (Art 15(3)) in two commonly used formats: JSON for machines and
/// an HTML document for people, each with the supplementary information of Art 15(1)(a)–(h) and 15(2)
/// per system. Both are written forward-only to a stream, so a subject with many records never has
/// to fit in memory.
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
    public static async Task WriteHtmlAsync(TextWriter output, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, CancellationToken ct = default, IReadOnlyCollection<string>? redact = null)
    {
        await using var html = new HtmlSink(output, header, redact is { Count: > 0 });
        await WriteAsync([html], systems, redact, ct);
    }

    /// <summary>
    /// Writes both copies in one pass over <paramref name="systems"/>: each system's records are read (and redacted)
    /// once, and each record goes to the JSON and the HTML copy as it is read.
    /// </summary>
    public static async Task WriteJsonAndHtmlAsync(Stream json, TextWriter html, AccessExportHeader header, IAsyncEnumerable<SystemRecords> systems, IReadOnlyCollection<string>? redact = null, CancellationToken ct = default)
    {
        var redacting = redact is { Count: > 0 };
        await using var jsonSink = new JsonSink(json, header, redacting);
        await using var htmlSink = new HtmlSink(html, header, redacting);
        await WriteAsync([jsonSink, htmlSink], systems, redact, ct);
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

    private sealed class HtmlSink(TextWriter output, AccessExportHeader header, bool redacting) : ExportSink
    {
        public override async Task StartAsync(CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(output);
            ArgumentNullException.ThrowIfNull(header);
            await output.WriteAsync($$"""
                <!doctype html>
                <html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Your personal data — {{E(header.Reference)}}</title>
                <style>
                body{font-family:"Segoe UI",Arial,sans-serif;color:#1b1b1b;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
                h1{font-size:1.6rem} h2{font-size:1.3rem;border-bottom:2px solid #0b5cad;padding-bottom:.2rem;margin-top:2rem}
                table{border-collapse:collapse;width:100%;margin:.5rem 0} th,td{border:1px solid #b0b0b0;padding:.3rem .5rem;text-align:left;vertical-align:top}
                th{background:#eef3f9} dl{display:grid;grid-template-columns:14rem 1fr;gap:.2rem 1rem} dt{font-weight:600}
                </style></head><body>
                <h1>Your personal data held by {{E(EmailComposer.Company)}}</h1>
                <p>Reference <strong>{{E(header.Reference)}}</strong>. Request received on {{E(EmailComposer.LongDate(header.ReceivedOn))}}; this copy was produced on {{E(header.GeneratedAt.ToString("d MMMM yyyy HH:mm 'UTC'", System.Globalization.CultureInfo.GetCultureInfo("en-GB")))}} for {{E(header.SubjectEmail)}}.</p>
                <p>This is a copy of your personal data under Article 15 of the UK GDPR. For each system we searched, you will find what we hold and why, who receives it, how long we keep it and where it came from.</p>
                {{(redacting ? $"<p class=\"third-party\"><strong>{E(ThirdPartyNotice)}</strong></p>\n" : "")}}            <h2>About all of your data</h2>
                <dl>
                <dt>Automated decisions</dt><dd>{{E(AutomatedDecisions)}}</dd>
                <dt>International transfers</dt><dd>{{E(InternationalTransfers)}}</dd>
                <dt>Your rights</dt><dd>{{E(YourRights)}}</dd>
                <dt>Complaints</dt><dd>{{E(Complaints)}}</dd>
                </dl>

                """);
        }

        public override async Task BeginSystemAsync(SystemDescriptor system, SystemSearch search, CancellationToken ct) =>
            await output.WriteAsync($"""
                <section><h2>{E(system.Name)}</h2>
                <dl>
                <dt>Why we use it</dt><dd>{E(system.Purposes)}</dd>
                <dt>Lawful basis</dt><dd>{E(system.LawfulBasis)}</dd>
                <dt>Categories</dt><dd>{E(string.Join(", ", system.Categories))}</dd>
                <dt>Who receives it</dt><dd>{E(system.Recipients.Count == 0 ? "No one outside JML." : string.Join("; ", system.Recipients))}</dd>
                <dt>How long we keep it</dt><dd>{E(system.Retention)}</dd>
                <dt>Where it came from</dt><dd>{E(system.Source)}</dd>
                </dl>

                """);

        // One row per record, written as it is read: the document streams however many there are.
        public override async Task RecordAsync(SystemDescriptor system, PersonalRecord record, int index, CancellationToken ct)
        {
            if (index == 0)
            {
                await output.WriteAsync($"<table><caption>What {E(system.Name)} holds about you</caption><thead><tr><th scope=\"col\">Kind of record</th><th scope=\"col\">What it says</th></tr></thead><tbody>\n");
            }

            await output.WriteAsync($"<tr><td>{E(record.Category)}</td><td>");
            var first = true;
            foreach (var (key, value) in record.Fields)
            {
                await output.WriteAsync($"{(first ? "" : "<br>")}<strong>{E(key)}</strong>: {E(value)}");
                first = false;
            }

            await output.WriteAsync("</td></tr>\n");
        }

        public override async Task EndSystemAsync(SystemDescriptor system, int count, CancellationToken ct)
        {
            await output.WriteAsync(count == 0
                ? "<p>We hold no personal data about you in this system.</p>\n"
                : $"</tbody></table>\n<p>Records found: {count}.</p>\n");
            await output.WriteAsync("</section>\n");
        }

        public override async Task EndAsync(CancellationToken ct)
        {
            await output.WriteAsync("</body></html>\n");
            await output.FlushAsync(ct);
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
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

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);
}
