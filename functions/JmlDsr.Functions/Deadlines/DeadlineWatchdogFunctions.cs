using JmlDsr.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Deadlines;

/// <summary>The deadline watchdog's triggers in Azure: hourly, and on demand for staff (the local host maps the same service).</summary>
public sealed class DeadlineWatchdogFunctions(DeadlineWatchdog watchdog)
{
    /// <summary>Every hour at 40 minutes past (housekeeping runs at 17); a run missed while the app was down is not made up.</summary>
    [Function(nameof(DeadlineWatchdogTimer))]
    public Task DeadlineWatchdogTimer([TimerTrigger("0 40 * * * *", RunOnStartup = false, UseMonitor = true)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct) =>
        watchdog.RunAsync(client, ct);

    [Function(nameof(RunDeadlineWatchdog))]
    public static Task<IActionResult> RunDeadlineWatchdog(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Watchdog)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        HttpTriggers.Run(nameof(RunDeadlineWatchdog), req, null, client, ct);
}
