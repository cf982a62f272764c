using Azure.Storage.Queues;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// The queue between answering SendGrid and starting a request's workflow. Intake stores the raw email, the
/// de-duplication row and the request row, puts the reference here and answers 2xx; <see cref="IntakeStarter"/> takes
/// it off (the Functions queue trigger in Azure, the local host's pump here) and starts the orchestration. A message
/// is deleted only after the start, so a crash in between leaves it to be taken again: no request is lost.
/// </summary>
public sealed class PendingStarts(QueueServiceClient queues)
{
    /// <summary>The queue's name (the Functions trigger binds to it by this constant).</summary>
    public const string Name = "intake-start";

    /// <summary>Where a message goes after <see cref="MaxDequeueCount"/> failed starts, as the Functions runtime does.</summary>
    public const string PoisonName = Name + "-poison";

    /// <summary>Tries before a message is set aside (the Functions default, kept in host.json).</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>Base64 message text, the Functions queue trigger's default encoding, on both hosts.</summary>
    public static QueueClientOptions ClientOptions { get; } = new() { MessageEncoding = QueueMessageEncoding.Base64 };

    private volatile bool _created;

    /// <summary>Raised after a reference is queued, so a host in the same process can take it at once instead of at its next poll.</summary>
    public event Action? Enqueued;

    /// <summary>The queue, created on first use (a failed creation is tried again on the next call).</summary>
    public async Task<QueueClient> QueueAsync(CancellationToken ct = default)
    {
        var queue = queues.GetQueueClient(Name);
        if (!_created)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            _created = true;
        }

        return queue;
    }

    public QueueClient Poison() => queues.GetQueueClient(PoisonName);

    /// <summary>Queues a reference's start. Call <see cref="Announce"/> once what the start reads is stored too.</summary>
    public async Task EnqueueAsync(string reference, CancellationToken ct = default)
    {
        var queue = await QueueAsync(ct);
        await queue.SendMessageAsync(reference, ct);
    }

    /// <summary>Tells a host in this process that starts are waiting (raises <see cref="Enqueued"/>).</summary>
    public void Announce() => Enqueued?.Invoke();
}
