using JmlDsr.Functions.Retention;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Local;

/// <summary>The local stand-in for the Functions timer that runs <see cref="Housekeeping"/>: the same rules, every <see cref="LocalHostOptions.HousekeepingInterval"/>.</summary>
internal sealed partial class HousekeepingPump(Housekeeping housekeeping, DurableTaskClient client, IHostApplicationLifetime lifetime, IConfiguration configuration, ILogger<HousekeepingPump> logger) : BackgroundService
{
    private readonly TimeSpan _interval = configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>()?.HousekeepingInterval ?? TimeSpan.FromMinutes(5);

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
                await housekeeping.RunAsync(client, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RunFailed(logger, e, _interval);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Housekeeping run failed; it runs again in {Interval}")]
    private static partial void RunFailed(ILogger logger, Exception exception, TimeSpan interval);
}
