using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>
/// Erasure leaves nothing behind (issue 14): a customer with no contract, so nothing of hers is retained, first gets a
/// copy of her data, then has it erased; after the housekeeping run the whole product storage account is scanned
/// (every table, blob and queue, the task hub included) for the values her records held.
/// </summary>
[Trait("Category", "Drill")]
public sealed class ErasureScanDrillTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    private const string Erin = "erin.green@example.com";
    private const string ErinName = "Erin Green";
    private const string Privacy = "privacy@jmlsoftware.co.uk";

    /// <summary>
    /// Where the requester's email address may stay after the erasure: the case file's request rows (whom JML answered) and
    /// their audit trail (why that address was taken as the requester). Every place it is found is printed.
    /// </summary>
    private static readonly HashSet<string> EmailMayRemainIn = new(StringComparer.Ordinal) { "table Requests", "table Audit" };

    [Fact]
    public async Task Erasure_AfterAnAccessRequest_LeavesNoneOfHerValuesInTheProductAccount_AndHerEarlierExportLinkServesNothing()
    {
        // 1. An access request by email, confirmed, approved; her copy downloaded in both formats.
        var access = await PostAsync("scan-access-1@mail.example.com", "Subject access request", "Please send me a copy of all the personal data you hold about me.");
        await ConfirmAndApproveAsync(access);
        var fulfilment = await host.WaitForMailAsync(access, Erin, "Your personal data");
        var download = LocalHostFixture.DownloadLink(fulfilment);
        var json = await host.Http.GetStringAsync(download + "&format=json");
        using (var pdf = await host.Http.GetAsync(download + "&format=pdf"))
        {
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        }

        Assert.True(await host.BlobExistsAsync("exports", access + "/personal-data.pdf"));
        var html = await host.Http.GetStringAsync(download + "&format=html");
        Assert.Contains("Green Freight Ltd", json, StringComparison.Ordinal);
        Assert.Contains("Green Freight Ltd", html, StringComparison.Ordinal);
        await host.WaitForStatusAsync(access, "completed");

        // 2. What her records hold, before the erasure: the needles.
        var values = PersonNeedles.Of(Erin, ErinName, await PersonNeedles.DemoRowsAsync(host.StorageConnectionString));
        var needles = values.Where(v => v.IsNeedle).Select(v => v.Value).ToList();
        Assert.Contains("Green Freight Ltd", needles);
        Assert.Contains("0113 496 0555", needles);

        // 3. The erasure by email, confirmed, approved, completed.
        var erasure = await PostAsync("scan-erase-1@mail.example.com", "Please delete my data", "Please delete all my personal data and close my account.");
        await ConfirmAndApproveAsync(erasure);
        await host.WaitForMailAsync(erasure, Erin, "We have erased your data");
        await host.WaitForStatusAsync(erasure, "completed");

        // 4. Once both workflows have ended, housekeeping runs the purge rules at once: both histories go.
        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(erasure) == "Completed", TimeSpan.FromSeconds(30), "the erasure workflow to end");
        var failures = new List<string>();
        using (var run = await host.Http.SendAsync(host.Staff(HttpMethod.Post, "/api/housekeeping/run")))
        {
            if (!run.IsSuccessStatusCode)
            {
                failures.Add($"POST /api/housekeeping/run answered {(int)run.StatusCode}: the purge rules did not run.");
            }
            else if ((await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("historiesPurged").GetInt32() != 2)
            {
                failures.Add("housekeeping did not purge the Durable history of both her workflows.");
            }
        }

        foreach (var reference in new[] { access, erasure })
        {
            if (await host.WorkflowStatusAsync(reference) is { } status)
            {
                failures.Add($"the workflow of {reference} is still in the task hub ({status}).");
            }
        }

        // 5. Her records are gone from the demo systems (she has no contract: nothing of hers is retained).
        foreach (var row in (await PersonNeedles.DemoRowsAsync(host.StorageConnectionString)).Where(r => string.Equals(r.PartitionKey, Erin, StringComparison.OrdinalIgnoreCase)))
        {
            failures.Add($"{row.GetString("_Table")} / {row.RowKey} still holds a row of hers (retained: {row.GetString("RetainUntil") ?? "no end date"}).");
        }

        // 6. The whole product account: none of her values anywhere.
        var snapshot = await StorageScan.ReadAsync(host.StorageConnectionString);
        var all = snapshot.Find(values.Select(v => v.Value).Append(Erin));
        var report = Report(values, all, snapshot);
        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable("JMLDSR_SCAN_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, report);
        }

        var leaks = all.Where(h => needles.Contains(h.Needle, StringComparer.OrdinalIgnoreCase)).ToList();
        failures.AddRange(leaks.Select(h => $"erased value found: {h}"));
        failures.AddRange(snapshot.Gaps.Where(g => g.Contains(StorageScan.PeekLimitReached, StringComparison.Ordinal)).Select(g => $"scan incomplete: {g}"));

        // No task hub table still holds a row of either workflow (history, instance).
        failures.AddRange(snapshot.Find([access, erasure]).Where(h => h.Where.Kind == "table" && h.Where.Store.StartsWith(host.TaskHub, StringComparison.Ordinal))
            .Select(h => $"workflow state left in the task hub: {h.Where}"));

        // 7. Her email address only in the case file.
        failures.AddRange(all.Where(h => h.Needle == Erin && !EmailMayRemainIn.Contains($"{h.Where.Kind} {h.Where.Store}"))
            .Select(h => $"her email address outside the case file: {h.Where} [{h.Form}]"));

        // 8. The earlier access request's export link no longer serves her data, in any format; no copy of it is left (the
        // PDF is compressed, so the scan above could not read it: its absence is checked by name).
        foreach (var name in new[] { "personal-data.json", "personal-data.html", "personal-data.pdf" })
        {
            if (await host.BlobExistsAsync("exports", $"{access}/{name}"))
            {
                failures.Add($"exports/{access}/{name} is still stored.");
            }
        }

        foreach (var format in new[] { "json", "html", "pdf" })
        {
            using var again = await host.Http.GetAsync(download + "&format=" + format);
            var body = await again.Content.ReadAsStringAsync();
            var served = needles.Where(n => body.Contains(n, StringComparison.OrdinalIgnoreCase)).ToList();
            if (again.IsSuccessStatusCode || served.Count > 0)
            {
                failures.Add($"the access export link ({format}) still answers {(int)again.StatusCode}" + (served.Count > 0 ? $" with {string.Join(", ", served)}" : string.Empty));
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} problem(s) after the erasure:\n" + string.Join('\n', failures) + "\n\n" + report);
    }

    [Fact]
    public async Task Erasure_WithRetainedRecords_LeavesTheErasedValuesNowhere_AndTheRetainedOnesOnlyInTheirOwnSystem()
    {
        const string Alice = "alice.smith@example.com";
        var before = await PersonNeedles.DemoRowsAsync(host.StorageConnectionString);
        var reference = await PostAsync("scan-erase-alice@mail.example.com", "Right to erasure", "Please delete all my personal data. I no longer want to be your customer.", "Alice Smith", Alice);
        await ConfirmAndApproveAsync(reference, Alice);
        await host.WaitForMailAsync(reference, Alice, "We have erased your data");
        await host.WaitForStatusAsync(reference, "completed");
        using (var run = await host.Http.SendAsync(host.Staff(HttpMethod.Post, "/api/housekeeping/run")))
        {
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }

        // Her contracts, CRM contact and partner share are kept (claims can still be brought): their erasure is scheduled for
        // their end; the request's workflow ended with the response.
        var after = await PersonNeedles.DemoRowsAsync(host.StorageConnectionString);
        var retained = after.Where(r => string.Equals(r.PartitionKey, Alice, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(retained);
        await host.WaitUntilAsync(async () => await host.WorkflowStatusAsync(reference) == "Completed", TimeSpan.FromSeconds(60), "the request's workflow to end with the response");
        Assert.Contains(await host.RowsAsync("ScheduledErasures", "erasure"), r => r.RowKey == reference && r.GetDateTimeOffset("RunAt") > DateTimeOffset.UtcNow);

        // The needles: values of her records that the erasure removed, held by no retained record of hers and by no one else.
        // Row keys and categories name the kind of record (the erasure proof keeps them on purpose), not a value of hers.
        bool StillHeld(string value) => retained.Any(r => r.Any(p => p.Value?.ToString()?.Contains(value, StringComparison.OrdinalIgnoreCase) == true));
        var values = PersonNeedles.Of(Alice, "Alice Smith", before).Where(v => v.IsNeedle && !v.Source.EndsWith("/ RowKey", StringComparison.Ordinal) && !v.Source.EndsWith("/ Category", StringComparison.Ordinal)).ToList();
        var erased = values.Where(v => !StillHeld(v.Value)).Select(v => v.Value).ToList();
        Assert.Contains("203.0.113.24", erased); // her log-in IP address
        Assert.Contains(erased, v => v.Contains("Tom Baker", StringComparison.Ordinal)); // her feedback's free text

        var snapshot = await StorageScan.ReadAsync(host.StorageConnectionString);
        var leaks = snapshot.Find(erased);
        Assert.True(leaks.Count == 0, "erased values found:\n" + string.Join('\n', leaks));

        // What is retained stays in its own system: the product's copies of it went with the erasure.
        // (The partner a share went to is an organisation, not her data: the Art 19 record names it on purpose.)
        var kept = values.Where(v => StillHeld(v.Value) && !v.Source.EndsWith("/ Partner", StringComparison.Ordinal)).Select(v => v.Value).ToList();
        Assert.Contains("Smith Analytics Ltd", kept);
        var outside = snapshot.Find(kept).Where(h => !(h.Where.Kind == "table" && h.Where.Store.StartsWith("Sys", StringComparison.Ordinal))
            && !(h.Where.Kind == "blob" && h.Where.Store == "evidence" && h.Where.Item.EndsWith("/recipients.json", StringComparison.Ordinal))).ToList();
        Assert.True(outside.Count == 0, "retained values copied outside their system:\n" + string.Join('\n', outside));

        // When the date comes (brought forward here), the housekeeping sweep starts the round: her records are decided
        // again and, still inside their period, scheduled for the next date.
        var schedule = new Azure.Data.Tables.TableClient(host.StorageConnectionString, "ScheduledErasures");
        var row = (await schedule.GetEntityAsync<Azure.Data.Tables.TableEntity>("erasure", reference)).Value;
        row["RunAt"] = DateTimeOffset.UtcNow.AddMinutes(-1);
        await schedule.UpdateEntityAsync(row, row.ETag);
        using (var sweep = await host.Http.SendAsync(host.Staff(HttpMethod.Post, "/api/housekeeping/run")))
        {
            Assert.Equal(1, (await sweep.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("erasuresStarted").GetInt32());
        }

        await host.WaitUntilAsync(async () => (await schedule.GetEntityAsync<Azure.Data.Tables.TableEntity>("erasure", reference)).Value.GetInt32("Round") == 2,
            TimeSpan.FromSeconds(90), "the first scheduled round to run and schedule the next");
        var timeline = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("step").GetString()).ToList();
        Assert.Contains("erasure-scheduled-done-1", timeline);
        Assert.Contains("erasure-scheduled-2", timeline);
    }

    [Fact]
    public async Task CapturedMail_IsKeptInTheMailCaptureAccount_NotInTheProductAccount()
    {
        using (var notice = await host.Http.PostAsync($"{host.BaseUrl}/api/dev/notices?to=carol.white@example.net", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, notice.StatusCode);
        }

        await host.WaitUntilAsync(async () => (await host.OutboxAsync("carol.white@example.net")).Count > 0, TimeSpan.FromSeconds(30), "the notice to be captured");
        var captured = new Azure.Data.Tables.TableServiceClient(host.MailCaptureConnectionString).GetTableClient(DevOutbox.Table);
        Assert.Contains(captured.Query<Azure.Data.Tables.TableEntity>(), r => r.GetString("Body")?.Contains("carol.white@example.net", StringComparison.Ordinal) == true);
        var product = await StorageScan.ReadAsync(host.StorageConnectionString);
        Assert.DoesNotContain(product.Stores(), s => s.Store == DevOutbox.Table);
        Assert.DoesNotContain(product.Find(["carol.white@example.net"]), h => h.Where.Store != "SysWebsiteAccounts" && h.Where.Store != "SysDownloads");
    }

    private static string Report(IReadOnlyList<PersonValue> values, IReadOnlyList<StorageHit> hits, StorageSnapshot snapshot)
    {
        var sb = new StringBuilder();
        sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Scanned the product account: {snapshot.Summary()}");
        sb.AppendLine(string.Join(", ", snapshot.Stores().Select(s => $"{s.Kind} {s.Store} ({s.Items})")));
        foreach (var gap in snapshot.Gaps)
        {
            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  unread: {gap}");
        }

        var listed = values.Any(v => v.Value.Equals(Erin, StringComparison.OrdinalIgnoreCase)) ? values : values.Append(new PersonValue(Erin, "email address", "the email address"));
        foreach (var value in listed)
        {
            var found = hits.Where(h => h.Needle.Equals(value.Value, StringComparison.OrdinalIgnoreCase)).ToList();
            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"\n'{value.Value}' ({value.Source}; {(value.IsNeedle ? "needle" : "weak: " + value.WeakBecause)}): {found.Count} place(s)");
            if (value.WeakBecause == PersonNeedles.Shared)
            {
                continue; // a category or product name others have too: its places say nothing about her
            }

            foreach (var hit in found)
            {
                sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  - {hit.Where} [{hit.Form}]");
            }
        }

        return sb.ToString();
    }

    private Task<string> PostAsync(string messageId, string subject, string text, string name = ErinName, string email = Erin) =>
        host.PostRequestAsync(messageId, $"{name} <{email}>", subject, text);

    private async Task ConfirmAndApproveAsync(string reference, string email = Erin)
    {
        await host.ConfirmAsync(reference, email);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");
        using var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve");
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
    }
}
