using System.Globalization;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace JmlDsr.Functions.Workflow;

/// <summary>Moves the request's index row on and appends the audit entry that says why.</summary>
public sealed class RecordProgress(RequestRepository requests, AuditLog audit, ILogger<RecordProgress> logger) : IDsrActivity<ProgressInput, bool>
{
    [Function(nameof(RecordProgress))]
    public Task<bool> Run([ActivityTrigger] ProgressInput input) => RunAsync(input);

    public async Task<bool> RunAsync(ProgressInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await requests.UpdateAsync(input.Reference, row => row.ApplyInOrder(input.At, r =>
        {
            if (input.Status is not null)
            {
                r.Status = input.Status;
                if (input.Status is not (RequestStatus.AwaitingApproval or RequestStatus.GatheringFailed or RequestStatus.AwaitingIdentity or RequestStatus.ComplaintOpen))
                {
                    // No decision is pending any more: the console stops offering one.
                    r.CurrentStep = null;
                    r.CurrentActions = null;
                    r.CurrentStepExpires = null;
                }
            }

            if (input.CurrentStep is not null)
            {
                // A staff action that stays open after the answer (lifting a restriction): offered by the console, no expiry.
                r.CurrentStep = input.CurrentStep;
                r.CurrentActions = input.CurrentActions;
                r.CurrentStepExpires = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);
            }

            if (input.RelevantDate is { } relevant)
            {
                r.RelevantDate = relevant.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            if (input.DueDate is { } due)
            {
                r.DueDate = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            if (input.PausedDays is { } paused)
            {
                r.PausedDays = paused;
            }

            if (input.Extended is { } extended)
            {
                r.Extended = extended;
            }

            if (input.Overdue is { } overdue)
            {
                r.Overdue = overdue;
            }

            if (input.Type is { } type)
            {
                r.Type = type.ToWire();
            }

            if (input.Workflow is not null)
            {
                r.Workflow = input.Workflow;
            }

            if (input.Attention is not null)
            {
                r.Attention = input.Attention.Length == 0 ? null : input.Attention;
            }

            if (input.Closed)
            {
                r.ClosedAt ??= input.At;
                r.Outcome = input.Detail;
            }
        }));
        await audit.AppendAsync(input.Reference, input.At, input.Step, input.Actor, input.Detail);
        Log.Progress(logger, input.Reference, input.Step);
        return true;
    }
}
