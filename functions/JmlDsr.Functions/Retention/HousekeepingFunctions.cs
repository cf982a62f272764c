using JmlDsr.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Retention;

/// <summary>The retention schedule's triggers in Azure: hourly, and on demand for staff (the local host maps the same handler).</summary>
public sealed class HousekeepingFunctions(Housekeeping housekeeping)
{
    /// <summary>Every hour at 17 minutes past; a missed run (the app was down) runs at start-up.</summary>
    [Function(nameof(HousekeepingTimer))]
    public Task HousekeepingTimer([TimerTrigger("0 17 * * * *", RunOnStartup = false, UseMonitor = true)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct) =>
        housekeeping.RunAsync(client, ct);

    [Function(nameof(RunHousekeeping))]
    public static Task<IActionResult> RunHousekeeping(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Housekeeping)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        HttpTriggers.Run(nameof(RunHousekeeping), req, null, client, ct);
}
