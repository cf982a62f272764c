using System.Runtime.CompilerServices;
using System.Text;
using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Export;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Writes the access response to exports/{ref}/: a JSON copy, a readable HTML document and the same document as a PDF
/// (<see cref="PdfBlobName"/>; more than one part only for a copy of thousands of pages), all with the Art 15
/// supplementary information. Streams from the gathered blobs, so size does not matter. Rewriting the same blobs makes a
/// retry harmless. Every copy lives under the request's prefix, so it ends with the others (housekeeping, erasure).
/// </summary>
public sealed class BuildAccessExport(RequestRepository requests, DsrStorage storage, DecisionStore decisions, AuditLog audit, IHtmlCopyFormat htmlCopy, DataMap map) : IDsrActivity<ExportInput, ExportResult>
{
    [Function(nameof(BuildAccessExport))]
    public Task<ExportResult> Run([ActivityTrigger] ExportInput input) => RunAsync(input);

    public async Task<ExportResult> RunAsync(ExportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var header = new AccessExportHeader(r.RowKey, r.PersonEmail(), r.SubjectName ?? r.RequesterName, input.At, StatutoryClock.UkDate(r.ReceivedAt));
        var exports = storage.Container(DsrStorage.ExportsContainer);

        // Art 15(4): other people's information staff chose on the approval page is redacted in both copies.
        var redact = input.DecisionStep is null ? [] : (await decisions.GetAsync(input.Reference, input.DecisionStep)).Redactions;

        // All copies in one pass: each gathered blob is read once, and each record goes to each copy as it is read.
        var jsonName = $"{input.Reference}/personal-data.json";
        var htmlName = $"{input.Reference}/personal-data.html";
        var json = new BlobWriteStream(exports.GetBlobClient(jsonName), "application/json; charset=utf-8");
        var html = new BlobWriteStream(exports.GetBlobClient(htmlName), "text/html; charset=utf-8");
        var pdfs = new List<BlobWriteStream>();
        Task<Stream> PdfPart(int part, CancellationToken ct)
        {
            var blob = new BlobWriteStream(exports.GetBlobClient(PdfBlobName(input.Reference, part)), "application/pdf");
            pdfs.Add(blob);
            return Task.FromResult<Stream>(blob);
        }

        int parts;
        await using (json)
        await using (html)
        await using (var w = new StreamWriter(html, new UTF8Encoding(false), 64 * 1024))
        {
            parts = await AccessExportWriter.WriteAllAsync(json, w, htmlCopy, PdfPart, header, ReadGatheredAsync(input.Systems), redact);
        }

        var pdfBytes = pdfs.Sum(p => p.Written);
        await audit.AppendAsync(input.Reference, input.At, "export-written", "system",
            $"Access export written: {jsonName} ({json.Written} bytes), {htmlName} ({html.Written} bytes), {PdfBlobName(input.Reference, 1)} ({(parts == 1 ? string.Empty : $"{parts} parts, ")}{pdfBytes} bytes); {input.Systems.Sum(s => s.RecordCount)} record(s) from {input.Systems.Count} system(s); {redact.Count} third-party item(s) redacted (Art 15(4)).");
        return new ExportResult(jsonName, htmlName, json.Written, html.Written);
    }

    /// <summary>The PDF copy's blob: <c>personal-data.pdf</c>, and for the rare copy in parts <c>personal-data-2.pdf</c>, ….</summary>
    public static string PdfBlobName(string reference, int part) =>
        part <= 1 ? $"{reference}/personal-data.pdf" : $"{reference}/personal-data-{part.ToString(System.Globalization.CultureInfo.InvariantCulture)}.pdf";

    private async IAsyncEnumerable<SystemRecords> ReadGatheredAsync(IReadOnlyList<GatherSummary> systems, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var gathered = storage.Container(DsrStorage.GatheredContainer);
        // In the data map's order; a system it no longer has comes last.
        var order = map.Systems.Select(d => d.Id).ToList();
        foreach (var s in systems.OrderBy(s => order.IndexOf(s.SystemId) is var i and >= 0 ? i : int.MaxValue))
        {
            var blob = gathered.GetBlobClient(s.Blob ?? GatherFromSystem.BlobName(string.Empty, s.SystemId));
            // One streamed GET (OpenRead would ask for the blob's properties first).
            using var download = (await blob.DownloadStreamingAsync(cancellationToken: ct)).Value;
            using var reader = GatheredBlob.Reader(download.Content);
            var search = await GatheredBlob.ReadSearchAsync(reader, ct);
            yield return new SystemRecords(map.Describe(s.SystemId), search, GatheredBlob.ReadRecordsAsync(reader, ct));
        }
    }
}
