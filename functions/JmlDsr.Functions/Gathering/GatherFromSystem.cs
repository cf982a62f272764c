using System.Text.Json;
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
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Function(nameof(GatherFromSystem))]
    public Task<GatherSummary> Run([ActivityTrigger] GatherInput input) => RunAsync(input);

    public async Task<GatherSummary> RunAsync(GatherInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        SystemResult result;
        try
        {
            result = await connector.SearchAsync(input.SystemId, r.RequesterEmail);
        }
        catch (SystemUnavailableException e)
        {
            Log.GatherFailed(logger, input.Reference, input.SystemId, e.Message);
            throw;
        }

        var blobName = BlobName(input.Reference, input.SystemId);
        var blob = storage.Container(DsrStorage.GatheredContainer).GetBlobClient(blobName);
        await using (var stream = await blob.OpenWriteAsync(true, new Azure.Storage.Blobs.Models.BlobOpenWriteOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }))
        {
            await JsonSerializer.SerializeAsync(stream, result, Json);
        }

        await audit.AppendAsync(input.Reference, result.SearchedAt, $"searched-{input.SystemId}", "system",
            $"Searched {SystemCatalog.Get(input.SystemId).Name} ({result.SearchedBy}): {result.Records.Count} record(s).");
        return new GatherSummary(input.SystemId, result.Records.Count, blobName, true, null);
    }

    public static string BlobName(string reference, string systemId) => $"{reference}/{systemId}.json";
}
