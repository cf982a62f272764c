using Microsoft.DurableTask;

namespace JmlDsr.Local;

/// <summary>
/// The engine benchmark's baseline (issue: "the ratio to a bare orchestration with the same number of activities
/// and events on the same engine"): an orchestration shaped like an access request — 20 no-op activities, seven of
/// them fanned out, and two external events — registered only when LocalHost__BenchBaseline is true. Before each wait it
/// says which event it waits for in its custom status, so the bench answers it the way it answers a request's emails:
/// when it sees the signal, not ahead of time.
/// </summary>
public static class BenchBaseline
{
    public const string Orchestration = "BenchBareOrchestration";
    public const string Activity = "BenchNoop";
    public const string FirstEvent = "BenchFirst";
    public const string SecondEvent = "BenchSecond";

    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddActivityFunc<int, int>(Activity, (_, i) => i);
        registry.AddOrchestratorFunc<int, int>(Orchestration, (ctx, _) => RunAsync(ctx));
    }

    private static async Task<int> RunAsync(TaskOrchestrationContext ctx)
    {
        var n = 0;
        for (var i = 0; i < 3; i++)
        {
            n += await ctx.CallActivityAsync<int>(Activity, 1); // progress, acknowledgement, verification email
        }

        ctx.SetCustomStatus(FirstEvent);                    // the bench answers when it sees this, as it answers an email
        await ctx.WaitForExternalEvent<string>(FirstEvent); // identity confirmed
        ctx.SetCustomStatus(null);
        n += await ctx.CallActivityAsync<int>(Activity, 1);  // verify identity
        n += await ctx.CallActivityAsync<int>(Activity, 1);  // progress
        n += (await Task.WhenAll(Enumerable.Range(0, 7).Select(_ => ctx.CallActivityAsync<int>(Activity, 1)))).Sum(); // seven systems
        n += await ctx.CallActivityAsync<int>(Activity, 1);  // progress
        n += await ctx.CallActivityAsync<int>(Activity, 1);  // approval request
        ctx.SetCustomStatus(SecondEvent);
        await ctx.WaitForExternalEvent<string>(SecondEvent); // staff decision
        ctx.SetCustomStatus(null);
        for (var i = 0; i < 6; i++)
        {
            n += await ctx.CallActivityAsync<int>(Activity, 1); // audit, progress, export, fulfilment email, progress, spare
        }

        return n;
    }
}
