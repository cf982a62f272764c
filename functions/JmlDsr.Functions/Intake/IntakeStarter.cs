using Azure.Storage.Queues.Models;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions.Intake;

/// <summary>
/// Starts the workflow of a request intake has stored and queued on <see cref="PendingStarts"/>. Idempotent: a message
/// taken twice (a crash before its delete, a duplicate post) finds the orchestration already there. A request whose row
/// is not there yet (intake writes it beside the message) fails the try, and the message comes back.
/// </summary>
public sealed class IntakeStarter(RequestRepository requests, WorkflowStarter starter, AuditLog audit, TimeProvider time, ILogger<IntakeStarter> logger)
{
    public async Task StartAsync(string reference, long dequeueCount, DurableTaskClient client, CancellationToken ct = default)
    {
        try
        {
            var request = await requests.GetAsync(reference, ct) ?? throw new InvalidOperationException("The request row is not stored yet.");
            if (RequestStatus.IsClosed(request.Status))
            {
                // Closed before its workflow started (staff merged a repeat into the request it repeats): nothing to run.
                Log.IntakeStartSkipped(logger, reference, request.Status);
                return;
            }

            await starter.EnsureStartedAsync(client, reference, RequestTypes.FromWire(request.Type), request.ReceivedAt, ct);
            if (await requests.GetAsync(reference, ct) is { } after && RequestStatus.IsClosed(after.Status))
            {
                // Closed while this start was under way: whoever closed it looked for a workflow before this one existed.
                await client.TerminateInstanceAsync(reference, new TerminateInstanceOptions(Output: $"Closed ({after.Status}) before its workflow started"), ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            if (dequeueCount < PendingStarts.MaxDequeueCount)
            {
                Log.IntakeStartRetry(logger, reference, dequeueCount, e.GetType().Name);
                throw;
            }

            Log.IntakeStartSetAside(logger, reference, dequeueCount, PendingStarts.PoisonName);
            try
            {
                await audit.AppendAsync(reference, time.GetUtcNow(), "start-set-aside", "system",
                    $"The workflow could not be started after {dequeueCount} tries ({e.GetType().Name}). The request is kept; its start message is on the {PendingStarts.PoisonName} queue for staff to move back.", ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // The log line above already says it; the message itself is what keeps the request.
            }

            throw;
        }
    }

    /// <summary>The Functions app's trigger: a queued reference (the runtime moves it to the poison queue after its last try).</summary>
    [Function(nameof(StartRequestWorkflow))]
    public Task StartRequestWorkflow(
        [QueueTrigger(PendingStarts.Name, Connection = "AzureWebJobsStorage")] QueueMessage message,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        return StartAsync(message.MessageText, message.DequeueCount, client, ct);
    }
}
