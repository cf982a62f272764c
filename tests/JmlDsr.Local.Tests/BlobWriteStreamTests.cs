using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using JmlDsr.Functions.Storage;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>The gathered data and the exports are written through <see cref="BlobWriteStream"/>, on a real Azurite.</summary>
public sealed class BlobWriteStreamTests : IAsyncLifetime
{
    private readonly AzuriteLauncher _azurite = new(LocalHostFixture.FreePort(), LocalHostFixture.FreePort(), LocalHostFixture.FreePort());
    private readonly CountingPolicy _calls = new();
    private BlobContainerClient _container = null!;

    public async Task InitializeAsync()
    {
        await _azurite.EnsureRunningAsync(LocalHostFixture.RepoRoot, string.Empty, inMemory: true, TextWriter.Null);
        var options = new BlobClientOptions();
        options.AddPolicy(_calls, HttpPipelinePosition.PerCall);
        _container = new BlobServiceClient(_azurite.ConnectionString, options).GetBlobContainerClient("written");
        await _container.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task SmallBlob_GoesUpInOneCall_WithItsContentType_AndReplacesWhatWasThere()
    {
        var blob = _container.GetBlobClient("small.json");
        await blob.UploadAsync(BinaryData.FromString("an older and longer version of the blob"));
        _calls.Count = 0;

        var stream = new BlobWriteStream(blob, "application/json; charset=utf-8");
        await using (stream)
        {
            await stream.WriteAsync("{\"a\":"u8.ToArray());
            await stream.WriteAsync("1}"u8.ToArray());
        }

        Assert.Equal(1, _calls.Count);
        Assert.Equal(7, stream.Written);
        var down = await blob.DownloadContentAsync();
        Assert.Equal("{\"a\":1}", down.Value.Content.ToString());
        Assert.Equal("application/json; charset=utf-8", down.Value.Details.ContentType);
    }

    [Fact]
    public async Task LargeBlob_StreamsInBlocks_OncePastTheLimit_AndKeepsEveryByte()
    {
        var blob = _container.GetBlobClient("large.ndjson");
        var chunk = new byte[10_000];
        Random.Shared.NextBytes(chunk);
        var stream = new BlobWriteStream(blob, "application/x-ndjson", singleUploadLimit: 64 * 1024);
        await using (stream)
        {
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync(chunk);
            }
        }

        var down = (await blob.DownloadContentAsync()).Value;
        Assert.Equal(1_000_000, down.Content.ToMemory().Length);
        Assert.Equal(1_000_000, stream.Written);
        Assert.True(down.Content.ToMemory()[^10_000..].Span.SequenceEqual(chunk));
        Assert.Equal("application/x-ndjson", down.Details.ContentType);
    }

    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        public int Count { get; set; }

        public override void OnSendingRequest(HttpMessage message) => Count++;
    }
}
