namespace JmlDsr.Local;

/// <summary>
/// The local stand-in for one of the Functions app's timer triggers: once the host has started, it runs the same service
/// every interval (housekeeping, the deadline watchdog). A run that fails is logged and the next one comes.
/// </summary>
internal sealed partial class TimerPump(string job, TimeSpan interval, Func<CancellationToken, Task> run, IHostApplicationLifetime lifetime, ILogger<TimerPump> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await run(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RunFailed(logger, e, job, interval);
            }
        }
    }

    /// <summary>Adds a pump as a hosted service (several may run side by side).</summary>
    public static void Add(IServiceCollection services, string job, TimeSpan interval, Func<IServiceProvider, CancellationToken, Task> run) =>
        services.AddSingleton<IHostedService>(sp => new TimerPump(job, interval, ct => run(sp, ct), sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<TimerPump>>()));

    [LoggerMessage(LogLevel.Error, "{Job} run failed; it runs again in {Interval}")]
    private static partial void RunFailed(ILogger logger, Exception exception, string job, TimeSpan interval);
}
