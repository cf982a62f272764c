using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Xunit;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>A host whose case files and set-aside mail last seconds, so the retention schedule can be watched end to end.</summary>
public sealed class ShortRetentionFixture : LocalHostFixture
{
    public static readonly TimeSpan CaseFile = TimeSpan.FromSeconds(20);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Dsr__CaseFileRetention"] = "PT20S",
        ["Dsr__SetAsideRetention"] = "PT20S",
        ["Dsr__ExportLinkLifetime"] = "00:00:20", // the requester's copies end with their link
        ["LocalHost__HousekeepingInterval"] = "01:00:00", // the tests run it when they want it
    };
}

/// <summary>
/// JML's retention schedule for its own records, on the real local host: working copies go when a request closes, a case
/// file ends after <c>Dsr__CaseFileRetention</c> as an anonymous statistics row (not while its workflow still runs),
/// set-aside mail ends after <c>Dsr__SetAsideRetention</c>.
/// </summary>
[Trait("Category", "Drill")]
public sealed class RetentionDrillTests(ShortRetentionFixture host) : IClassFixture<ShortRetentionFixture>
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private const string Dan = "dan.brown@example.co.uk";
    private const string Bob = "bob.jones@example.org";

    [Fact]
    public async Task ARejectedRequest_LosesItsCopiesAtClose_AndAfterTheCaseFilePeriodOnlyAnAnonymousStatisticsRowIsLeft()
    {
        var reference = await host.PostRequestAsync("retention-1@mail.example.co.uk", "Dan Brown <dan.brown@example.co.uk>", "Copy of my data", "Please send me a copy of all the personal data you hold about me.");
        await host.ConfirmAsync(reference, Dan);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        Assert.NotEmpty(await BlobsAsync("gathered", reference));
        using (var reject = await host.PressAsync(LocalHostFixture.Links(decision)[1], "reject", "We could not find that the requester is the person the records are about."))
        {
            Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        }

        await host.WaitForStatusAsync(reference, "rejected");
        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(reference) == "Completed", TimeSpan.FromSeconds(30), "the workflow to end");

        // Closed: the working copies go at the next run; the case file stays.
        var first = await RunAsync();
        Assert.True(first.GetProperty("copiesDeleted").GetInt32() > 0);
        Assert.Empty(await BlobsAsync("gathered", reference));
        var evidence = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}/evidence"));
        Assert.Equal(HttpStatusCode.OK, evidence.StatusCode);
        var pack = await evidence.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(pack.GetProperty("retentionSchedule").EnumerateArray(), l => l.GetProperty("store").GetString()!.StartsWith("inbound-raw/", StringComparison.Ordinal));
        Assert.NotEmpty(pack.GetProperty("retention").EnumerateArray());
        Assert.Equal(0, (await RunAsync()).GetProperty("caseFilesEnded").GetInt32());

        // After the case-file period: reduced to statistics; the dashboard still counts it.
        await host.WaitUntilAsync(async () => (await RunAsync()).GetProperty("caseFilesEnded").GetInt32() == 1, ShortRetentionFixture.CaseFile * 3, "the case file to end");
        using (var gone = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Null(await host.WorkflowStatusAsync(reference));
        var tables = new TableServiceClient(host.StorageConnectionString);
        foreach (var table in new[] { "Audit", "Sends", "Decisions", "Tokens" })
        {
            Assert.Empty(await host.RowsAsync(table, reference));
        }

        Assert.Empty(await BlobsAsync("evidence", reference));
        await foreach (var row in tables.GetTableClient("InboundMessages").QueryAsync<TableEntity>())
        {
            Assert.NotEqual(reference, row.GetString("Reference"));
        }

        var stats = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient("Statistics").QueryAsync<TableEntity>())
        {
            stats.Add(row);
        }

        var stat = Assert.Single(stats, s => s.GetString("Status") == "rejected");
        Assert.Equal("access", stat.GetString("Type"));
        Assert.True(stat.GetBoolean("OnTime"));
        Assert.DoesNotContain(stat.Select(kv => kv.Value), v => v?.ToString()?.Contains("DSR-", StringComparison.Ordinal) == true || v?.ToString()?.Contains('@', StringComparison.Ordinal) == true);

        await host.SignInToConsoleAsync();
        var dashboard = await host.Http.GetStringAsync($"{host.BaseUrl}/console/dashboard");
        Assert.Contains("id=\"on-time\"><span class=\"n\">100%", dashboard, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAccessResponse_KeepsItsCopies_PdfIncluded_UntilTheLinkEnds_ThenHousekeepingDeletesThemAll()
    {
        const string Carol = "carol.white@example.net";
        var reference = await host.PostRequestAsync("retention-pdf@mail.example.net", "Carol White <carol.white@example.net>", "Copy of my data", "Please send me a copy of all the personal data you hold about me.");
        await host.ConfirmAsync(reference, Carol);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        await host.WaitForMailAsync(reference, Carol, "Your personal data");
        await host.WaitForStatusAsync(reference, "completed");
        Assert.Equal(
            [$"{reference}/personal-data.html", $"{reference}/personal-data.json", $"{reference}/personal-data.pdf"],
            (await BlobsAsync("exports", reference)).Order(StringComparer.Ordinal));

        // The link lasts 20 seconds here: once it has ended, the next run deletes every copy, the PDF with the others.
        await host.WaitUntilAsync(async () => (await RunAsync()).GetProperty("copiesDeleted").GetInt32() > 0 && (await BlobsAsync("exports", reference)).Count == 0,
            TimeSpan.FromSeconds(90), "the copies to be deleted when the link ends");
        Assert.Empty(await BlobsAsync("gathered", reference));
    }

    [Fact]
    public async Task ARestrictionInPlace_KeepsItsCaseFile_PastThePeriod_ThoughItsWorkflowEndedWithTheResponse()
    {
        var reference = await host.PostRequestAsync("retention-2@mail.example.org", "Bob Jones <bob.jones@example.org>", "Restrict my data",
            "I contest the accuracy of my data. Please restrict the processing of my personal data while you check it.");
        await host.ConfirmAsync(reference, Bob);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        await host.WaitForStatusAsync(reference, "restricted");
        var closedAt = (await host.GetRequestAsync(reference)).GetProperty("closedAt").GetDateTimeOffset();
        await host.WaitUntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > closedAt + (ShortRetentionFixture.CaseFile * 1.5)), ShortRetentionFixture.CaseFile * 3, "the case-file period to pass");

        await RunAsync();
        Assert.Equal("restricted", (await host.GetRequestAsync(reference)).GetProperty("status").GetString());
        Assert.Equal("Completed", await host.WorkflowStatusAsync(reference)); // the lift is a workflow of its own, started when staff lift it
    }

    [Fact]
    public async Task SetAsideMail_IsDeletedAfterItsPeriod_RawEmailAndAll()
    {
        using var post = await host.Http.PostAsync(InboundPost.Url(host), InboundPost.Parsed("ooo-retention@mail.example.net", "Carol White <carol.white@example.net>", "Automatic reply: Your request",
            "I am out of the office until Monday.", extraHeaders: "Auto-Submitted: auto-replied\r\n"));
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var item = Assert.Single(await LoopDrillTests.SetAsideAsync(host, "auto-reply"), s => s.GetProperty("id").GetString() == id);
        var receivedAt = item.GetProperty("receivedAt").GetDateTimeOffset();

        await RunAsync();
        Assert.Contains(await LoopDrillTests.SetAsideAsync(host, "auto-reply"), s => s.GetProperty("id").GetString() == id);

        await host.WaitUntilAsync(async () =>
        {
            await RunAsync();
            return (await LoopDrillTests.SetAsideAsync(host, "auto-reply")).All(s => s.GetProperty("id").GetString() != id);
        }, ShortRetentionFixture.CaseFile * 3, "the set-aside email to go");
        Assert.True(DateTimeOffset.UtcNow >= receivedAt + ShortRetentionFixture.CaseFile);
        await foreach (var row in new TableServiceClient(host.StorageConnectionString).GetTableClient("InboundMessages").QueryAsync<TableEntity>(r => r.RowKey == id))
        {
            Assert.Fail($"The intake row of the set-aside email {row.RowKey} is still there.");
        }
    }

    private async Task<JsonElement> RunAsync()
    {
        using var run = await host.Http.SendAsync(host.Staff(HttpMethod.Post, "/api/housekeeping/run"));
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        var report = await run.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, report.GetProperty("failures").GetInt32());
        return report;
    }

    private async Task<IReadOnlyList<string>> BlobsAsync(string container, string reference)
    {
        var names = new List<string>();
        await foreach (var blob in new BlobServiceClient(host.StorageConnectionString).GetBlobContainerClient(container).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = reference + "/" }))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
