using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Retention;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// The erasure activity crashes half way through a system (the process dies after its first delete) and runs again, as
/// Durable Functions does: the proof still accounts for every record that was there, with the hash each had, because
/// the plan was written before the first delete.
/// </summary>
[Trait("Category", "Drill")]
public sealed class EraseFromSystemCrashTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Alice = "alice.smith@example.com"; // an account and two cookie log-ins: three rows

    [Fact]
    public async Task ACrashAfterTheFirstDelete_ThenARetry_ProvesEveryRecordErased_WithTheHashesTheyHad()
    {
        const string Reference = "DSR-2026-900001";
        var storage = Storage(null);
        await new RequestRepository(storage).CreateIfMissingAsync(new RequestRecord { RowKey = Reference, Type = "erasure", Status = "fulfilling", RequesterEmail = Alice, ReceivedAt = DateTimeOffset.UtcNow });
        var before = (await Writer(storage).RowsAsync(SystemCatalog.WebsiteAccounts, Alice)).Select(r => RecordFingerprint.Hash(SystemCatalog.WebsiteAccounts, r.Record)).Order().ToList();
        Assert.Equal(3, before.Count);
        var input = new EraseInput(Reference, SystemCatalog.WebsiteAccounts, 0, DateTimeOffset.UtcNow);

        // The first attempt dies right after its first delete reaches the system.
        var crash = new DieAfterFirstDelete();
        await Assert.ThrowsAsync<ProcessDiedException>(() => Activity(Storage(crash)).RunAsync(input));
        Assert.True(crash.Died);
        Assert.Equal(before.Count - 1, (await Writer(storage).RowsAsync(SystemCatalog.WebsiteAccounts, Alice)).Count); // one erased before the crash

        // The retry carries out the same plan and proves all of it.
        var result = await Activity(storage).RunAsync(input);
        Assert.Empty(await Writer(storage).RowsAsync(SystemCatalog.WebsiteAccounts, Alice));
        Assert.Equal(before.Count, result.Lines.Where(l => l.Outcome == ErasureOutcomes.Erased).Sum(l => l.Count));
        var proof = await new RightsEvidence(storage).ReadAsync<ErasureProof>(Reference, EraseFromSystem.EvidenceName(0, SystemCatalog.WebsiteAccounts));
        Assert.NotNull(proof);
        Assert.Equal(before, proof.Records.Select(r => r.Sha256).Order().ToList());
        Assert.All(proof.Records, r => Assert.Equal(ErasureOutcomes.Erased, r.Outcome));

        // Once more (a redelivered activity): the stored result, nothing new.
        Assert.Equal(result.Lines, (await Activity(storage).RunAsync(input)).Lines);
    }

    private static SystemWriter Writer(DsrStorage storage) => new(new SystemConnector(DataMap.Shipped, storage, TimeProvider.System, [new JmlDsr.Functions.Connectors.TableConnector(storage)]), storage);

    private static EraseFromSystem Activity(DsrStorage storage) =>
        new(new RequestRepository(storage), Writer(storage), new RightsEvidence(storage), new AuditLog(storage));

    private DsrStorage Storage(HttpPipelinePolicy? fault)
    {
        var options = new TableClientOptions();
        if (fault is not null)
        {
            options.AddPolicy(fault, HttpPipelinePosition.PerCall);
        }

        return new DsrStorage(new TableServiceClient(host.StorageConnectionString, options), new BlobServiceClient(host.StorageConnectionString));
    }

    private sealed class ProcessDiedException() : Exception("The worker process died.");

    /// <summary>Lets the first DELETE on a demo system's table through, then fails every call: the process is gone.</summary>
    private sealed class DieAfterFirstDelete : HttpPipelinePolicy
    {
        public bool Died { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ArgumentNullException.ThrowIfNull(message);
            if (Died)
            {
                throw new ProcessDiedException();
            }

            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method == RequestMethod.Delete && message.Request.Uri.Path.Contains(SystemConnector.TableFor(DataMap.Shipped.Get(SystemCatalog.WebsiteAccounts)), StringComparison.Ordinal))
            {
                Died = true;
            }
        }
    }
}
