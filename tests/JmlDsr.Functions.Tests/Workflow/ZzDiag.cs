using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Functions.Tests.Workflow;

public sealed class ZzDiag(ITestOutputHelper output)
{
    [Theory]
    [InlineData(7, 0)]
    [InlineData(7, 2000)]
    [InlineData(10, 500)]
    public async Task FanOut(int n, int delayMs)
    {
        var sw = Stopwatch.StartNew();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var host = await DurableTaskTestHost.StartAsync(r =>
        {
            r.AddActivityFunc<int, int>("Act", async (_, i) => { log.Enqueue($"{sw.ElapsedMilliseconds} start {i}"); await Task.Delay(delayMs); log.Enqueue($"{sw.ElapsedMilliseconds} end {i}"); return i; });
            r.AddOrchestratorFunc<int, int>("Orch", async (ctx, k) => (await Task.WhenAll(Enumerable.Range(0, k).Select(i => ctx.CallActivityAsync<int>("Act", i)))).Sum());
        });
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Orch", n);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        try { var m = await host.Client.WaitForInstanceCompletionAsync(id, true, cts.Token); log.Enqueue($"{sw.ElapsedMilliseconds} done {m.RuntimeStatus}"); }
        catch (OperationCanceledException) { log.Enqueue("TIMEOUT"); }
        foreach (var l in log) output.WriteLine(l);
        Assert.DoesNotContain("TIMEOUT", log);
    }
}
