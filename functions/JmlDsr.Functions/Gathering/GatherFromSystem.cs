using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions.Gathering;

/// <summary>
/// Searches one system for the requester and keeps what it found in blob storage (gathered/{ref}/{system}.json);
/// the orchestration only sees counts. A failure throws, so the orchestration's retry policy applies.
/// </summary>
public sealed class GatherFromSystem(RequestRepository requests, SystemConnector connector, DsrStorage storage, AuditLog audit, ILogger<GatherFromSystem> logger)
    : IDsrActivity<GatherInput, GatherSummary>
{
    [Function(nameof(GatherFromSystem))]
    public Task<GatherSummary> Run([ActivityTrigger] GatherInput input) => RunAsync(input);

    public async Task<GatherSummary> RunAsync(GatherInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        SystemSearch search;
        try
        {
            search = await connector.BeginSearchAsync(input.SystemId);
        }
        catch (SystemUnavailableException e)
        {
            Log.GatherFailed(logger, input.Reference, input.SystemId, e.Message);
            throw;
        }

        // Streamed from the system into the blob; a retry overwrites the same blob.
        var blobName = BlobName(input.Reference, input.SystemId);
        var blob = storage.Container(DsrStorage.GatheredContainer).GetBlobClient(blobName);
        int count;
        await using (var stream = new BlobWriteStream(blob, "application/x-ndjson"))
        {
            count = await GatheredBlob.WriteAsync(stream, search, connector.RecordsAsync(input.SystemId, r.RequesterEmail));
        }

        await audit.AppendAsync(input.Reference, search.SearchedAt, $"searched-{input.SystemId}", "system",
            $"Searched {SystemCatalog.Get(input.SystemId).Name} ({search.SearchedBy}): {count} record(s).");
        return new GatherSummary(input.SystemId, count, blobName, true, null);
    }

    public static string BlobName(string reference, string systemId) => GatheredBlob.Name(reference, systemId);
}
