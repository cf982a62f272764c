using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// Art 19 never depends on a working copy: the recipients of a person's data are recorded as evidence at gathering, so
/// an erasure decided after the gathered copies are gone (closed, expired, or forgotten after an earlier erasure) still
/// tells every partner; a partner the directory has no address for is put to the privacy team. The people here are
/// seeded by the tests themselves, so no other test's counts of partner notices or staff emails move.
/// </summary>
public sealed partial class RightsEndToEndTests
{
    private const string Contoso = "Contoso Events Ltd";

    [Fact]
    public async Task Erasure_DecidedAfterTheGatheredCopiesAreGone_StillTellsEveryRecipient_AndAPartnerWithNoAddressAlertsThePrivacyTeam()
    {
        const string gina = "gina.grey@example.com";
        await SeedPersonAsync(gina, "Gina Grey", "0161 496 0777",
            ("p-2015-02", "Fabrikam Feedback Services", "name, email, feedback answers", "2015-02-01", "Data processing agreement 2014"), // over six years old: this erasure erases it
            ("p-2026-01", Contoso, "name, email", "2026-01-10", "Event partner terms 2025"));                                          // not in the partner directory
        var reference = await host.PostRequestAsync("erase-late-1@mail.example.com", "Gina Grey <gina.grey@example.com>", "Right to erasure", "Please delete all my personal data.");
        await host.ConfirmAsync(reference, gina);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");

        // Gathering recorded the recipients as evidence: partner, address on file or not, what was shared and when; no values of Gina's.
        var recipients = (await EvidenceAsync(reference)).GetProperty("documents").GetProperty("recipients");
        var named = recipients.GetProperty("recipients").EnumerateArray().ToDictionary(r => r.GetProperty("partner").GetString()!, r => r);
        Assert.Equal([Contoso, "Fabrikam Feedback Services"], named.Keys.Order(StringComparer.Ordinal));
        Assert.False(named[Contoso].GetProperty("addressOnFile").GetBoolean());
        Assert.True(named["Fabrikam Feedback Services"].GetProperty("addressOnFile").GetBoolean());
        Assert.Equal("2026-01-10", named[Contoso].GetProperty("when").GetString());
        Assert.Equal("name, email", named[Contoso].GetProperty("shared").GetString());
        Assert.Equal("partner-shares", named[Contoso].GetProperty("source").GetString());
        foreach (var value in new[] { gina, "Gina Grey", "0161 496 0777", "Grey Logistics" })
        {
            Assert.DoesNotContain(value, recipients.GetRawText(), StringComparison.Ordinal);
        }

        // The working copies go before staff decide (request closed, lifecycle rule, or forgotten after an earlier erasure).
        Assert.True(await DeleteBlobsAsync("gathered", reference + "/") > 0);

        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        // Fabrikam is named only by the recipients evidence now: its sharing record was erased by this very erasure.
        await host.WaitForMailAsync(reference, Fabrikam, "please erase");
        await host.WaitForMailAsync(reference, Northwind, "please erase"); // receives the CRM
        var alert = await host.WaitForMailAsync(reference, Privacy, "not told of the erasure");
        var text = alert.GetProperty("text").GetString()!;
        Assert.Contains(reference, alert.GetProperty("subject").GetString(), StringComparison.Ordinal);
        foreach (var fact in new[] { reference, Contoso, "no address in the partner directory", "name, email on 2026-01-10 under Event partner terms 2025", "Please erase this data", "Art 19" })
        {
            Assert.Contains(fact, text, StringComparison.Ordinal);
        }

        foreach (var value in new[] { gina, "Gina", "0161 496 0777", "Grey Logistics" })
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }

        output.WriteLine(recipients.GetRawText());
        output.WriteLine(alert.GetProperty("subject").GetString() + "\n" + text);
        var done = await host.WaitForMailAsync(reference, gina, "We have erased your data");
        Assert.Contains("Fabrikam Feedback Services", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("Northwind Implementation Partners", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "completed");

        Assert.DoesNotContain(await host.RowsAsync("SysPartnerShares", gina), r => r.RowKey == "p-2015-02"); // erased: only the evidence still names Fabrikam
        Assert.Single(await host.OutboxAsync(Privacy, reference), m => m.GetProperty("subject").GetString()!.Contains("not told of", StringComparison.Ordinal)); // once
        var timeline = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray().ToList();
        var audit = timeline.Single(t => t.GetProperty("step").GetString() == "partners-notified-erasure").GetProperty("detail").GetString()!;
        Assert.Contains($"No address on file for {Contoso}", audit, StringComparison.Ordinal);
        Assert.Contains(timeline, t => t.GetProperty("step").GetString() == "recipients-recorded");
        var pack = await (await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{reference}/evidence?format=html"))).Content.ReadAsStringAsync();
        Assert.Contains("<summary>recipients</summary>", pack, StringComparison.Ordinal); // the evidence pack shows the record
        Assert.Contains(Contoso, pack, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_GatheredBeforeRecipientsWereRecorded_WithTheCopyGone_ReadsTheSystemLive_AndPutsUntraceableSharesToStaff()
    {
        const string hal = "hal.hughes@example.com";
        await SeedPersonAsync(hal, "Hal Hughes", "0117 496 0888",
            ("p-2024-05", "Fabrikam Feedback Services", "name, email", "2024-05-02", "Data processing agreement 2024"), // retained (accountability): still there after the erasure
            ("p-2016-03", "Litware Resellers", "name, email, company", "2016-03-01", "Reseller terms 2015"));       // erased by the erasure, and no copy names it
        var reference = await host.PostRequestAsync("erase-legacy-1@mail.example.com", "Hal Hughes <hal.hughes@example.com>", "Right to erasure", "Please erase my personal data.");
        await host.ConfirmAsync(reference, hal);
        var decision = await host.WaitForMailAsync(reference, Privacy, "Decision needed");

        // As for a request gathered before this change: no recipients evidence, and the copies have expired.
        Assert.Equal(1, await DeleteBlobsAsync("evidence", $"{reference}/recipients.json"));
        Assert.True(await DeleteBlobsAsync("gathered", reference + "/") > 0);
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        await host.WaitForMailAsync(reference, Fabrikam, "please erase"); // read live: the retained sharing record
        var alert = await host.WaitForMailAsync(reference, Privacy, "not told of the erasure");
        Assert.Contains("1 partner-sharing record of this person could not be traced to a partner", alert.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(hal, alert.GetProperty("text").GetString(), StringComparison.Ordinal);
        await host.WaitForStatusAsync(reference, "completed");
        var audit = (await host.GetRequestAsync(reference)).GetProperty("timeline").EnumerateArray()
            .Single(t => t.GetProperty("step").GetString() == "partners-notified-erasure").GetProperty("detail").GetString()!;
        Assert.Contains("no gathered copy (gone)", audit, StringComparison.Ordinal);
        Assert.Contains("could not be traced", audit, StringComparison.Ordinal);
    }

    /// <summary>A person of the test's own: a website account, a CRM contact (Northwind receives the CRM), and partner shares.</summary>
    private async Task SeedPersonAsync(string email, string name, string phone, params (string Key, string Partner, string Shared, string When, string Terms)[] shares)
    {
        var tables = new TableServiceClient(host.StorageConnectionString);
        await tables.GetTableClient("SysWebsiteAccounts").UpsertEntityAsync(new TableEntity(email, "account") { ["Category"] = "account", ["LoginEmail"] = email, ["Name"] = name, ["Created"] = "2024-02-01" });
        await tables.GetTableClient("SysCrm").UpsertEntityAsync(new TableEntity(email, "contact") { ["Category"] = "customer contact", ["Name"] = name, ["Company"] = name.Split(' ')[1] + " Logistics", ["Phone"] = phone });
        foreach (var s in shares)
        {
            await tables.GetTableClient("SysPartnerShares").UpsertEntityAsync(new TableEntity(email, s.Key)
            {
                ["Category"] = "partner share", ["Partner"] = s.Partner, ["Shared"] = s.Shared, ["When"] = s.When, ["Terms"] = s.Terms,
            });
        }
    }

    /// <summary>Deletes the blobs of a container under a prefix, straight in the host's Azurite; returns how many.</summary>
    private async Task<int> DeleteBlobsAsync(string container, string prefix)
    {
        var client = new BlobServiceClient(host.StorageConnectionString).GetBlobContainerClient(container);
        var deleted = 0;
        await foreach (var blob in client.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
        {
            await client.DeleteBlobAsync(blob.Name);
            deleted++;
        }

        return deleted;
    }
}
