using DurableTask.Core;
using Polly;
using Polly.Retry;

namespace JmlDsr.Local;

/// <summary>
/// The Durable Task Azure Storage engine, as the local host's worker sees it, with one change: finishing an activity
/// (sending its result and deleting its work item, or putting it back) is retried through a storage outage instead of
/// given up. The engine forgets an activity in progress only when finishing it succeeded; given up during an outage,
/// the activity stayed "in progress" in this process, every later delivery of it was refused as a duplicate, and the
/// request's workflow waited for a result that never came until the process restarted (the storage outage drill found it).
/// Everything else goes straight to the engine.
/// </summary>
internal sealed partial class OutageTolerantEngine(IOrchestrationService engine, ILogger<OutageTolerantEngine> logger) : IOrchestrationService
{
    /// <summary>How long finishing an activity keeps trying while storage does not answer.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(30);

    private readonly ResiliencePipeline _finish = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(JmlDsr.Functions.Http.HttpFailures.IsStorageUnreachable),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(15),
            MaxRetryAttempts = int.MaxValue,
            OnRetry = a =>
            {
                LogRetry(logger, a.AttemptNumber + 1, a.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .AddTimeout(Patience)
        .Build();

    public int TaskOrchestrationDispatcherCount => engine.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => engine.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => engine.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => engine.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => engine.MaxConcurrentTaskActivityWorkItems;

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        _finish.ExecuteAsync(async _ => await engine.CompleteTaskActivityWorkItemAsync(workItem, responseMessage)).AsTask();

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) =>
        _finish.ExecuteAsync(async _ => await engine.AbandonTaskActivityWorkItemAsync(workItem)).AsTask();

    public Task StartAsync() => engine.StartAsync();

    public Task StopAsync() => engine.StopAsync();

    public Task StopAsync(bool isForced) => engine.StopAsync(isForced);

    public Task CreateAsync() => engine.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => engine.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => engine.CreateIfNotExistsAsync();

    public Task DeleteAsync() => engine.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => engine.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => engine.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => engine.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => engine.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        engine.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => engine.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState, IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState) =>
        engine.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => engine.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => engine.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        engine.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => engine.RenewTaskActivityWorkItemLockAsync(workItem);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Storage did not answer while finishing an activity; try {Attempt} in {Delay}.")]
    private static partial void LogRetry(ILogger logger, int attempt, TimeSpan delay);
}
