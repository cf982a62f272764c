using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Local.Tests.Drills;

/// <summary>
/// kill -9 of the local host at ten random moments while a hundred requests are in flight: every one
/// completes, none is lost, no customer gets an email twice.
/// </summary>
[Trait("Category", "Drill")]
public sealed class KillDrillTests(LoadDrillFixture host, ITestOutputHelper output) : IClassFixture<LoadDrillFixture>
{
    private const int Requests = 100;
    private const int Kills = 10;
    private static readonly string[] Customers = ["alice.smith@example.com", "bob.jones@example.org", "carol.white@example.net", "dan.brown@example.co.uk"];

    [Fact]
    public async Task HundredRequests_TenKills_AllComplete_NoneLost_NoDuplicateEmails()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"Random seed {seed}");
        var sw = Stopwatch.StartNew();

        var references = new ConcurrentDictionary<int, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var from = Customers[i % Customers.Length];
            using var post = await host.Http.PostAsync(InboundPost.Url(host),
                InboundPost.Unauthenticated($"kill-drill-{i}@mail.example.com", from, "Subject access request", "Please send me a copy of all the personal data you hold about me."), ct);
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            references[i] = (await post.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("reference").GetString()!;
        });
        Assert.Equal(Requests, references.Values.Distinct().Count());
        output.WriteLine($"{Requests} requests posted in {sw.Elapsed.TotalSeconds:0.0} s");

        using var stop = new CancellationTokenSource();
        var killer = Task.Run(async () =>
        {
            for (var k = 1; k <= Kills; k++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1500, 6000)), stop.Token);
                var before = await ProgressAsync();
                var killedAt = Stopwatch.StartNew();
                host.KillHost();
                await host.StartHostAsync();
                var answering = killedAt.Elapsed;
                // Work has resumed when the engine sends another email or moves another request on.
                try
                {
                    await host.WaitUntilAsync(async () => await ProgressAsync() > before || await AllCompletedAsync(), TimeSpan.FromSeconds(120), "work to resume after a kill");
                }
                catch (TimeoutException e)
                {
                    // Say where the requests stand, so a stall can be told from slow recovery.
                    using var list = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests"));
                    var open = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requests").EnumerateArray()
                        .Where(r => r.GetProperty("status").GetString() != "completed")
                        .Select(r => $"{r.GetProperty("reference").GetString()}={r.GetProperty("status").GetString()}");
                    throw new TimeoutException($"After kill {k}, nothing moved for 120 s. Not completed: {string.Join(", ", open)}", e);
                }

                output.WriteLine($"kill {k}: host answering after {answering.TotalSeconds:0.0} s, work resumed after {killedAt.Elapsed.TotalSeconds:0.0} s");
            }
        });

        // The requesters and the privacy team press their links as the emails arrive, host up or not.
        var pressed = new HashSet<string>();
        var deadline = Stopwatch.StartNew();
        while (!await AllCompletedAsync())
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(12))
            {
                using var list = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests"));
                Assert.Fail("Not every request completed within 12 minutes: " + await list.Content.ReadAsStringAsync());
            }
            try
            {
                foreach (var mail in await host.OutboxAsync())
                {
                    var id = mail.GetProperty("id").GetString()!;
                    var subject = mail.GetProperty("subject").GetString()!;
                    var action = subject.StartsWith("Please confirm", StringComparison.Ordinal) ? "confirm-identity"
                        : subject.Contains("Decision needed", StringComparison.Ordinal) ? "approve" : null;
                    if (action is null || pressed.Contains(id))
                    {
                        continue;
                    }

                    using var response = await host.PressAsync(LocalHostFixture.Links(mail)[0], action);
                    if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict)
                    {
                        pressed.Add(id);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The host is down at this moment, or was killed mid-answer: try again shortly.
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(300);
        }

        await killer;
        output.WriteLine($"All {Requests} completed {sw.Elapsed.TotalSeconds:0.0} s after the first post");
        var sends = new Azure.Data.Tables.TableServiceClient(host.StorageConnectionString).GetTableClient("Sends");
        int settled = 0, resent = 0;
        await foreach (var row in sends.QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            settled += row.GetBoolean("SettledByEvents") == true ? 1 : 0;
            resent += row.GetInt32("Attempts") is > 1 ? 1 : 0;
        }

        output.WriteLine($"Sends a kill interrupted: {settled} found sent by SendGrid's events (not sent again), {resent} sent again after no word from SendGrid");

        // None lost, none duplicated.
        foreach (var reference in references.Values)
        {
            var status = (await host.GetRequestAsync(reference)).GetProperty("status").GetString();
            Assert.Equal("completed", status);
            var mails = await host.OutboxAsync(reference: reference);
            var subjects = mails.Select(m => $"{m.GetProperty("to").GetString()}|{m.GetProperty("subject").GetString()}").ToList();
            Assert.True(subjects.Count == subjects.Distinct().Count(), $"{reference} got a duplicate email: {string.Join("; ", subjects)}");
            Assert.Equal(4, subjects.Count); // acknowledgement, confirmation, staff decision, response
        }
    }

    /// <summary>Emails sent plus requests completed: it only grows while work gets done.</summary>
    private async Task<int> ProgressAsync()
    {
        try
        {
            using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests?status=completed"));
            var completed = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
            return (await host.OutboxAsync()).Count + completed;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return -1;
        }
    }

    private async Task<bool> AllCompletedAsync()
    {
        try
        {
            using var response = await host.Http.SendAsync(host.Staff(HttpMethod.Get, "/api/requests?status=completed"));
            return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32() == Requests;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return false;
        }
    }
}
