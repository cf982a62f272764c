using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Xunit;

namespace JmlDsr.Local.Tests;

/// <summary>
/// A host whose data map adds a system with no API: the events team's feedback spreadsheet, an owner-task system whose owner
/// is reminded every three seconds and whose silence is reported to the privacy team after six.
/// </summary>
public sealed class OwnerTaskFixture : LocalHostFixture
{
    public const string Owner = "events@jml.example";

    private static readonly string MapFile = WriteMap();

    public OwnerTaskFixture() =>
        Settings = new Dictionary<string, string>
        {
            ["DataMap__Path"] = MapFile,
            // A paused system is looked at again every two seconds (the resume tells the waiting requests at once anyway).
            ["Dsr__PausedSystemCheck"] = "00:00:02",
        };

    protected override IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>A customer JML knows (a CRM contact), so that identity is not in doubt.</summary>
    public async Task KnowAsync(string email, string name) =>
        await new TableServiceClient(StorageConnectionString).GetTableClient("SysCrm")
            .UpsertEntityAsync(new TableEntity(email, "contact") { ["Category"] = "customer contact", ["Name"] = name }, TableUpdateMode.Replace);

    /// <summary>Opens the owner's link as a browser does and returns the page and the token its forms post.</summary>
    public async Task<(HttpStatusCode Status, string Page, string? Token)> OpenOwnerPageAsync(string link)
    {
        var (status, raw, _) = await OpenAsync(link);
        var page = WebUtility.HtmlDecode(raw);
        var token = Regex.Match(raw, "name=\"token\" value=\"([^\"]+)\"");
        return (status, page, token.Success ? WebUtility.HtmlDecode(token.Groups[1].Value) : null);
    }

    public async Task<HttpResponseMessage> SendRecordsAsync(string token, string fileName, string content)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "token" },
            { new StringContent("records"), "answer" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "records", fileName },
        };
        return await Http.PostAsync($"{BaseUrl}/api/owner-tasks", form);
    }

    public async Task<HttpResponseMessage> AnswerAsync(string token, string answer, string? note = null) =>
        await Http.PostAsync($"{BaseUrl}/api/owner-tasks", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["answer"] = answer, ["checked"] = "yes", ["note"] = note ?? string.Empty,
        }));

    /// <summary>Presses a per-system control on the console's request page, as the signed-in staff member.</summary>
    public async Task<HttpResponseMessage> ControlAsync(string reference, string system, string control, string? reason = null) =>
        await Http.PostAsync($"{BaseUrl}/console/requests/{reference}/action", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["do"] = "system", ["system"] = system, ["control"] = control, ["reason"] = reason ?? string.Empty,
        }));

    private static string WriteMap()
    {
        var path = Path.Combine(Path.GetTempPath(), "jmldsr-datamap-owner-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(RepoRoot, "config", "datamap.yaml")) + """

              - id: events-sheet
                name: Events feedback spreadsheet
                owner: events@jml.example
                purposes: To learn what you thought of our events and make them better.
                lawfulBasis: "Legitimate interests (Art 6(1)(f)): improving our events."
                categories: [event feedback, attendance]
                source: Collected from you at our events.
                retention: Two years after the event.
                lookup:
                  - key: email
                connector:
                  kind: owner-task
                  remindEvery: PT3S
                  alertAfter: PT6S
                fields:
                  freeText: [Comments]
                rights:
                  - category: "*"
                    erasure: delete
            """);
        return path;
    }
}

/// <summary>
/// A system with no API in a request, as its owner and the privacy team meet it: the owner's email and page, the file they
/// send, reminders and the alert; staff skipping a system or marking it done by hand from the console; a paused system.
/// </summary>
public sealed class OwnerTaskEndToEndTests(OwnerTaskFixture host) : IClassFixture<OwnerTaskFixture>
{
    private const string Privacy = "privacy@jmlsoftware.co.uk";
    private const string Sheet = "events-sheet";

    [Fact]
    public async Task TheOwner_IsAskedRemindedAndReportedToStaff_ThenSendsTheSheetsRows_WhichGoInTheCopy()
    {
        const string Olivia = "olivia.owens@example.com";
        await host.KnowAsync(Olivia, "Olivia Owens");
        var access = await host.PostRequestAsync("owner-access-1@mail.example.com", "Olivia Owens <olivia.owens@example.com>", "Subject access request", "Please send me a copy of my personal data.");
        await host.ConfirmAsync(access, Olivia);

        // The owner's email names the request and the system, never the person; its link opens the page that does.
        var asked = await host.WaitForMailAsync(access, OwnerTaskFixture.Owner, "Action needed: Events feedback spreadsheet — send the person's records");
        var askedText = asked.GetProperty("text").GetString()!;
        Assert.DoesNotContain("Olivia", askedText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("owens", askedText, StringComparison.OrdinalIgnoreCase);
        var link = Assert.Single(LocalHostFixture.Links(asked), l => l.Contains("/api/owner-tasks?token=", StringComparison.Ordinal));

        // Not answered: reminded, and after six seconds the privacy team is told, with the console's page for the request.
        await host.WaitForMailAsync(access, OwnerTaskFixture.Owner, "Reminder 1: Events feedback spreadsheet");
        var alert = await host.WaitForMailAsync(access, Privacy, "The owner of Events feedback spreadsheet has not answered");
        Assert.Contains($"/console/requests/{access}", alert.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await host.OutboxAsync(Privacy, access), m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal));

        var (status, page, token) = await host.OpenOwnerPageAsync(link);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Olivia Owens", page, StringComparison.Ordinal);
        Assert.Contains(Olivia, page, StringComparison.Ordinal);
        Assert.NotNull(token);

        // A file that cannot be read is refused with the reason, and nothing is kept: the task is still open.
        using (var bad = await host.SendRecordsAsync(token!, "feedback.csv", "category,Event\nbadges,Leeds user day\n"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("the category 'badges' is not one of", WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        // The sheet's rows, as Excel saves them: a quoted comment over two lines.
        const string Csv = "category,Event,Date,Comments\r\nevent feedback,Leeds user day,2026-10-14,\"Great talks, but\r\nthe room was cold\"\r\nattendance,Leeds user day,2026-10-14,\r\n";
        using (var sent = await host.SendRecordsAsync(token!, "feedback.csv", Csv))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
            Assert.Contains("We have the 2 record(s)", await sent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var again = await host.SendRecordsAsync(token!, "feedback.csv", Csv))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode); // single use
        }

        var decision = await host.WaitForMailAsync(access, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var fulfilment = await host.WaitForMailAsync(access, Olivia, "Your personal data");
        var copy = await host.Http.GetFromJsonAsync<JsonElement>(LocalHostFixture.DownloadLink(fulfilment) + "&format=json");
        var part = copy.GetProperty("systems").EnumerateArray().Single(s => s.GetProperty("id").GetString() == Sheet);
        Assert.Equal("Events feedback spreadsheet: records sent by its owner, events@jml.example", part.GetProperty("searchedBy").GetString());
        Assert.Equal("To learn what you thought of our events and make them better.", part.GetProperty("purposes").GetString());
        var records = part.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(2, records.Count);
        Assert.Contains(records, r => r.TryGetProperty("Comments", out var c) && c.GetString() == "Great talks, but\r\nthe room was cold");

        // The evidence pack: asked, reminded, reported, answered by the owner.
        var pack = await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{access}/evidence"));
        var evidence = await pack.Content.ReadAsStringAsync();
        Assert.Contains("owner-asked-owner-gather-events-sheet", evidence, StringComparison.Ordinal);
        Assert.Contains("owner-reminded-owner-gather-events-sheet-1", evidence, StringComparison.Ordinal);
        Assert.Contains("owner-overdue-owner-gather-events-sheet", evidence, StringComparison.Ordinal);
        Assert.Contains("The owner of Events feedback spreadsheet sent 2 record(s).", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnErasure_WaitsForTheOwnersConfirmation_AndTheCustomerIsToldTheSheetWasErasedByHand()
    {
        const string Pavel = "pavel.novak@example.com";
        await host.KnowAsync(Pavel, "Pavel Novak");
        var erasure = await host.PostRequestAsync("owner-erase-1@mail.example.com", "Pavel Novak <pavel.novak@example.com>", "Right to erasure", "Please delete all my personal data.");
        await host.ConfirmAsync(erasure, Pavel);
        var asked = await host.WaitForMailAsync(erasure, OwnerTaskFixture.Owner, "Action needed: Events feedback spreadsheet — send the person's records");
        var (_, _, token) = await host.OpenOwnerPageAsync(LocalHostFixture.Links(asked).Single(l => l.Contains("/api/owner-tasks", StringComparison.Ordinal)));
        using (var sent = await host.SendRecordsAsync(token!, "pavel.json", """[ { "category": "attendance", "Event": "York day", "Seats": 1 } ]"""))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        var decision = await host.WaitForMailAsync(erasure, Privacy, "Decision needed");
        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        // The automated systems are erased; the sheet's owner is asked to erase by hand, from the map's rules.
        var confirm = await host.WaitForMailAsync(erasure, OwnerTaskFixture.Owner, "Action needed: Events feedback spreadsheet — erase the person's data and confirm", TimeSpan.FromSeconds(90));
        var confirmLink = LocalHostFixture.Links(confirm).Single(l => l.Contains("/api/owner-tasks", StringComparison.Ordinal));
        Assert.NotEqual(token, confirmLink);
        var (status, page, confirmToken) = await host.OpenOwnerPageAsync(confirmLink);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Events feedback spreadsheet: confirm the erasure", page, StringComparison.Ordinal);
        Assert.Contains("You sent us 1 record(s) about the person for this request", page, StringComparison.Ordinal);
        Assert.Contains("attendance: delete it", page, StringComparison.Ordinal);
        Assert.DoesNotContain(await host.OutboxAsync(Pavel, erasure), m => m.GetProperty("subject").GetString()!.Contains("We have erased your data", StringComparison.Ordinal));

        using (var done = await host.AnswerAsync(confirmToken!, "done", "Deleted row 14 of the 2026 sheet."))
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        var outcome = await host.WaitForMailAsync(erasure, Pavel, "We have erased your data", TimeSpan.FromSeconds(90));
        Assert.Contains("Events feedback spreadsheet", outcome.GetProperty("text").GetString(), StringComparison.Ordinal);
        var evidence = await (await host.Http.SendAsync(host.Staff(HttpMethod.Get, $"/api/requests/{erasure}/evidence"))).Content.ReadAsStringAsync();
        Assert.Contains("The owner of Events feedback spreadsheet confirmed the erasure was done.", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_SkipASystemWithAReason_OrMarkItDoneByHand_FromTheConsole_AndTheAuditSaysWhoAndWhy()
    {
        const string Quinn = "quinn.hart@example.com";
        await host.KnowAsync(Quinn, "Quinn Hart");
        var access = await host.PostRequestAsync("owner-skip-1@mail.example.com", "Quinn Hart <quinn.hart@example.com>", "Subject access request", "Please send me a copy of my personal data.");
        await host.ConfirmAsync(access, Quinn);
        await host.WaitForMailAsync(access, OwnerTaskFixture.Owner, "Action needed: Events feedback spreadsheet — send the person's records");

        await host.SignInToConsoleAsync("Priya Patel");
        var console = WebUtility.HtmlDecode(await host.Http.GetStringAsync($"{host.BaseUrl}/console/requests/{access}"));
        Assert.Contains("id=\"request-system-events-sheet\"", console, StringComparison.Ordinal);
        Assert.Contains("waiting-for-owner", console, StringComparison.Ordinal);
        Assert.Contains("Open the owner's page", console, StringComparison.Ordinal);

        // A skip needs its reason; a system that is not waiting cannot be skipped.
        using (var noReason = await host.ControlAsync(access, Sheet, "skip"))
        {
            Assert.Contains("Give the reason for skipping Events feedback spreadsheet", WebUtility.HtmlDecode(await noReason.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        using (var notWaiting = await host.ControlAsync(access, "crm", "skip", "no reason"))
        {
            Assert.Contains("Customer relationship management (CRM) is not waiting for anything", WebUtility.HtmlDecode(await notWaiting.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        // Held for the owner first (recorded, the request still waits), then skipped when the owner turns out to be away.
        using (var block = await host.ControlAsync(access, Sheet, "block", "The events team always answers; wait for them."))
        {
            Assert.Equal(HttpStatusCode.OK, block.StatusCode);
        }

        await host.WaitUntilAsync(async () => (await host.GetRequestAsync(access)).GetProperty("timeline").EnumerateArray()
            .Any(t => t.GetProperty("step").GetString() == "system-blocked-gather-events-sheet"), TimeSpan.FromSeconds(30), "the hold to be recorded");
        Assert.DoesNotContain(await host.OutboxAsync(Privacy, access), m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal));

        using (var skip = await host.ControlAsync(access, Sheet, "skip", "Quinn has never attended an event; the events team is away until January."))
        {
            Assert.Equal(HttpStatusCode.OK, skip.StatusCode);
        }

        var decision = await host.WaitForMailAsync(access, Privacy, "Decision needed");
        Assert.Contains("Events feedback spreadsheet", decision.GetProperty("text").GetString(), StringComparison.Ordinal);
        var r = await host.GetRequestAsync(access);
        var skipped = r.GetProperty("timeline").EnumerateArray().Single(t => t.GetProperty("step").GetString() == "system-skipped-gather-events-sheet");
        Assert.Equal("Priya Patel [dev account priya] (console)", skipped.GetProperty("actor").GetString());
        Assert.Contains("Reason: Quinn has never attended an event", skipped.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The owner's link no longer acts once staff settled the system.
        var asked = await host.WaitForMailAsync(access, OwnerTaskFixture.Owner, "Action needed: Events feedback spreadsheet — send the person's records");
        var (status, _, _) = await host.OpenOwnerPageAsync(LocalHostFixture.Links(asked).Single(l => l.Contains("/api/owner-tasks", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Conflict, status);

        using (var approve = await host.PressAsync(LocalHostFixture.Links(decision)[0], "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var fulfilment = await host.WaitForMailAsync(access, Quinn, "Your personal data");
        var copy = await host.Http.GetFromJsonAsync<JsonElement>(LocalHostFixture.DownloadLink(fulfilment) + "&format=json");
        var part = copy.GetProperty("systems").EnumerateArray().Single(s => s.GetProperty("id").GetString() == Sheet);
        Assert.Equal("Events feedback spreadsheet: not searched for this request (the privacy team recorded why)", part.GetProperty("searchedBy").GetString());
        Assert.DoesNotContain("January", copy.GetRawText(), StringComparison.Ordinal); // staff's reason stays in the audit trail
    }

    [Fact]
    public async Task APausedSystem_MakesRequestsWait_NotFail_AndResumingItLetsThemGoOn()
    {
        const string Rosa = "rosa.diaz@example.com";
        await host.KnowAsync(Rosa, "Rosa Diaz");
        await host.SignInToConsoleAsync("Sam Okafor");
        using (var noReason = await host.Http.PostAsync($"{host.BaseUrl}/console/systems/downloads/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "pause" })))
        {
            Assert.Contains("Give the reason for pausing Product downloads", WebUtility.HtmlDecode(await noReason.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        using (var pause = await host.Http.PostAsync($"{host.BaseUrl}/console/systems/downloads/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "pause", ["reason"] = "Moving to the new portal tonight." })))
        {
            var page = WebUtility.HtmlDecode(await pause.Content.ReadAsStringAsync());
            Assert.Contains("Paused", page, StringComparison.Ordinal);
            Assert.Contains("Moving to the new portal tonight.", page, StringComparison.Ordinal);
        }

        try
        {
            var access = await host.PostRequestAsync("owner-pause-1@mail.example.com", "Rosa Diaz <rosa.diaz@example.com>", "Subject access request", "Please send me a copy of my personal data.");
            await host.ConfirmAsync(access, Rosa);
            var asked = await host.WaitForMailAsync(access, OwnerTaskFixture.Owner, "Action needed: Events feedback spreadsheet — send the person's records");
            var (_, _, token) = await host.OpenOwnerPageAsync(LocalHostFixture.Links(asked).Single(l => l.Contains("/api/owner-tasks", StringComparison.Ordinal)));
            using (var none = await host.AnswerAsync(token!, "none"))
            {
                Assert.Equal(HttpStatusCode.OK, none.StatusCode);
            }

            // Waiting for the paused system, visibly, with no failure alert and no decision yet.
            await host.WaitUntilAsync(async () => (await host.GetRequestAsync(access)).GetProperty("timeline").EnumerateArray()
                .Any(t => t.GetProperty("step").GetString() == "waiting-paused-downloads"), TimeSpan.FromSeconds(60), "the request to wait for the paused system");
            var console = WebUtility.HtmlDecode(await host.Http.GetStringAsync($"{host.BaseUrl}/console/requests/{access}"));
            Assert.Contains("Paused by Sam Okafor [dev account sam]: Moving to the new portal tonight.", console, StringComparison.Ordinal);
            var mails = await host.OutboxAsync(Privacy, access);
            Assert.DoesNotContain(mails, m => m.GetProperty("subject").GetString()!.Contains("could not be searched", StringComparison.Ordinal));
            Assert.DoesNotContain(mails, m => m.GetProperty("subject").GetString()!.Contains("Decision needed", StringComparison.Ordinal));

            using (var resume = await host.Http.PostAsync($"{host.BaseUrl}/console/systems/downloads/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "resume" })))
            {
                Assert.Contains("waiting request(s) told to go on", WebUtility.HtmlDecode(await resume.Content.ReadAsStringAsync()), StringComparison.Ordinal);
            }

            var decision = await host.WaitForMailAsync(access, Privacy, "Decision needed");
            Assert.Contains("Product downloads", decision.GetProperty("text").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            using var _ = await host.Http.PostAsync($"{host.BaseUrl}/console/systems/downloads/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "resume" }));
        }
    }
}
