using JmlDsr.Functions.Deadlines;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Local;

/// <summary>
/// The local stand-in for the Functions timer that runs the <see cref="DeadlineWatchdog"/>: the same service, every
/// <see cref="LocalHostOptions.WatchdogInterval"/>; <c>POST /api/watchdog/run</c> runs it at once.
/// </summary>
internal sealed partial class WatchdogPump(DeadlineWatchdog watchdog, DurableTaskClient client, IHostApplicationLifetime lifetime, IConfiguration configuration, ILogger<WatchdogPump> logger) : BackgroundService
{
    private readonly TimeSpan _interval = configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>()?.WatchdogInterval ?? TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        using var timer = new PeriodicTimer(_interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await watchdog.RunAsync(client, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RunFailed(logger, e, _interval);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Deadline watchdog run failed; it runs again in {Interval}")]
    private static partial void RunFailed(ILogger logger, Exception exception, TimeSpan interval);
}
