using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using JmlDsr.Functions.Intake;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Local;

/// <summary>
/// The local stand-in for the Functions queue trigger on <see cref="PendingStarts"/>: takes queued references and hands
/// them to the same <see cref="IntakeStarter"/>. Like the trigger, a message is deleted only after the start, comes back
/// after its visibility timeout when a try fails, and is set aside on the poison queue after its last try. It wakes at
/// once when intake in this process queues something, and otherwise polls, backing off to once a second when idle.
/// One machine shares its cores between the front door and the engine (in Azure they scale apart), so during a burst of
/// posts the starts wait until the posts pause (<see cref="Quiet"/>), for at most
/// <see cref="LocalHostOptions.StartsYieldToIntake"/>, and then drain the queue: SendGrid gets its 2xx first.
/// </summary>
internal sealed partial class PendingStartsPump(
    PendingStarts pending,
    IntakeStarter starter,
    DurableTaskClient client,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    ILogger<PendingStartsPump> logger) : BackgroundService
{
    /// <summary>A pause in inbound posts this long ends a burst.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FastestPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SlowestPoll = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _yield = configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>()?.StartsYieldToIntake ?? TimeSpan.Zero;
    private long _lastIntake;
    private readonly WakeSignal _wake = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start once the gRPC endpoint the client talks to is listening.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        pending.Enqueued += Wake;
        try
        {
            var idle = FastestPoll;
            var draining = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!draining)
                {
                    await YieldToIntakeAsync(stoppingToken);
                }

                var (queue, batch) = await ReceiveAsync(stoppingToken);
                draining = batch.Length > 0;
                if (batch.Length == 0)
                {
                    await _wake.WaitAsync(idle, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, SlowestPoll.Ticks));
                    continue;
                }

                idle = FastestPoll;
                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken },
                    async (message, ct) => await HandleAsync(queue!, message, ct));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: messages taken and not finished come back after their visibility timeout.
        }
        finally
        {
            pending.Enqueued -= Wake;
        }
    }

    private void Wake()
    {
        Volatile.Write(ref _lastIntake, Environment.TickCount64);
        _wake.Signal();
    }

    /// <summary>Waits while inbound posts keep arriving, for at most the configured time.</summary>
    private async Task YieldToIntakeAsync(CancellationToken ct)
    {
        var since = Environment.TickCount64;
        while (Environment.TickCount64 - Volatile.Read(ref _lastIntake) < Quiet.TotalMilliseconds
            && Environment.TickCount64 - since < _yield.TotalMilliseconds)
        {
            await Task.Delay(Quiet / 4, ct);
        }
    }

    private async Task<(QueueClient? Queue, QueueMessage[] Batch)> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            var queue = await pending.QueueAsync(ct);
            return (queue, (await queue.ReceiveMessagesAsync(32, Visibility, ct)).Value);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            PollFailed(logger, e.GetType().Name);
            return (null, []);
        }
    }

    private async Task HandleAsync(QueueClient queue, QueueMessage message, CancellationToken ct)
    {
        try
        {
            await starter.StartAsync(message.MessageText, message.DequeueCount, client, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            if (message.DequeueCount < PendingStarts.MaxDequeueCount)
            {
                return;
            }

            // Its last try: set it aside, as the Functions runtime does.
            var poison = pending.Poison();
            await poison.CreateIfNotExistsAsync(cancellationToken: ct);
            await poison.SendMessageAsync(message.MessageText, ct);
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
    }

    [LoggerMessage(1900, LogLevel.Warning, "Polling the pending starts failed: {Error}")]
    private static partial void PollFailed(ILogger logger, string error);
}
