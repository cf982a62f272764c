using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions.Gathering;

/// <summary>
/// Searches one system for the requester and keeps what it found in blob storage (gathered/{ref}/{system}.json);
/// the orchestration only sees counts. A failure throws, so the orchestration's retry policy applies.
/// The partner-sharing system's search also records the recipients of the person's data as evidence
/// (evidence/{ref}/recipients.json, Art 19): the gathered copy is a working copy that goes, the recipients must not.
/// </summary>
public sealed class GatherFromSystem(RequestRepository requests, SystemConnector connector, DsrStorage storage, RightsEvidence evidence, AuditLog audit,
    OwnerTasks ownerTasks, SystemPauses pauses, RequestSystemStates states, TimeProvider time, ILogger<GatherFromSystem> logger)
    : IDsrActivity<GatherInput, GatherSummary>
{
    /// <summary>The evidence document naming the recipients of the person's data (<see cref="RecipientsRecord"/>).</summary>
    public const string RecipientsEvidence = "recipients";

    [Function(nameof(GatherFromSystem))]
    public Task<GatherSummary> Run([ActivityTrigger] GatherInput input) => RunAsync(input);

    public async Task<GatherSummary> RunAsync(GatherInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var at = input.At ?? time.GetUtcNow();
        var system = connector.Map.Get(input.SystemId);
        if (await pauses.GetAsync(input.SystemId) is { } pause)
        {
            // Paused by staff: the request waits for the system (the resume tells it), it does not fail.
            await pauses.RecordWaitAsync(pause, system.Name, input.Reference, at, states);
            return new GatherSummary(input.SystemId, 0, null, false, null) { Waiting = SystemStates.Paused };
        }

        if (system.Connector.Kind == Connectors.OwnerTaskConnector.KindName)
        {
            return await FromOwnerAsync(input, system, at);
        }

        SystemSearch search;
        try
        {
            search = await connector.BeginSearchAsync(input.SystemId);
        }
        catch (SystemUnavailableException e)
        {
            Log.GatherFailed(logger, e, input.Reference, input.SystemId, e.Message);
            await states.SetAsync(input.Reference, input.SystemId, SystemStates.Failed, e.Message, "system", at);
            throw;
        }

        // Streamed from the system into the blob; a retry overwrites the same blob.
        var blobName = BlobName(input.Reference, input.SystemId);
        var blob = storage.Container(DsrStorage.GatheredContainer).GetBlobClient(blobName);
        var records = connector.RecordsAsync(input.SystemId, r.PersonEmail());
        var recipients = connector.Map.Get(input.SystemId).Has(SystemRoles.Disclosures) ? new Recipients.Builder(connector.Map, search) : null;
        int count;
        await using (var stream = new BlobWriteStream(blob, "application/x-ndjson"))
        {
            count = await GatheredBlob.WriteAsync(stream, search, recipients is null ? records : Observe(records, recipients.Add));
        }

        if (recipients is not null)
        {
            // Merged, not replaced: a retry or a later round adds what it finds and never drops a recipient recorded before.
            var found = recipients.Build();
            var stood = await evidence.MergeAsync<RecipientsRecord>(input.Reference, RecipientsEvidence, existing => Recipients.Merge(existing, found));
            await audit.AppendAsync(input.Reference, search.SearchedAt, "recipients-recorded", "system",
                $"Recipients of the person's data recorded for Art 19: {stood.Recipients.Select(s => s.Partner).Distinct(StringComparer.OrdinalIgnoreCase).Count()} partner(s)"
                + (stood.Recipients.Count > 0 ? $" ({string.Join(", ", stood.Recipients.Select(s => s.Partner).Distinct(StringComparer.OrdinalIgnoreCase))})" : string.Empty)
                + $" in evidence/{RightsEvidence.Name(input.Reference, RecipientsEvidence)}.");
        }

        await audit.AppendAsync(input.Reference, search.SearchedAt, $"searched-{input.SystemId}", "system",
            $"Searched {connector.Map.NameOf(input.SystemId)} ({search.SearchedBy}): {count} record(s).");
        await states.SetAsync(input.Reference, input.SystemId, SystemStates.Searched, $"{count} record(s)", "system", search.SearchedAt);
        return new GatherSummary(input.SystemId, count, blobName, true, null);
    }

    /// <summary>A system with no API: its owner's task says whether the records have come (the page wrote them to the blob).</summary>
    private async Task<GatherSummary> FromOwnerAsync(GatherInput input, SystemDescriptor system, DateTimeOffset at)
    {
        var task = await ownerTasks.CheckAsync(new OwnerTaskInput(input.Reference, input.SystemId, OwnerTaskPurposes.Gather, at));
        if (!task.Done)
        {
            return new GatherSummary(input.SystemId, 0, null, false, null) { Waiting = SystemStates.WaitingForOwner, CheckAt = task.NextCheck };
        }

        if (task.Settled is not null)
        {
            return new GatherSummary(input.SystemId, 0, BlobName(input.Reference, input.SystemId), true, null) { Settled = task.Settled };
        }

        await audit.AppendAsync(input.Reference, at, $"searched-{input.SystemId}", "system",
            $"Searched {system.Name} ({connector.For(system).Describe(system)}): {task.RecordCount} record(s).");
        return new GatherSummary(input.SystemId, task.RecordCount, BlobName(input.Reference, input.SystemId), true, null);
    }

    public static string BlobName(string reference, string systemId) => GatheredBlob.Name(reference, systemId);

    private static async IAsyncEnumerable<PersonalRecord> Observe(IAsyncEnumerable<PersonalRecord> records, Action<PersonalRecord> seen)
    {
        await foreach (var record in records)
        {
            seen(record);
            yield return record;
        }
    }
}
