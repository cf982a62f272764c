using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Complaints;
using JmlDsr.Functions.Configuration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Workflow;

/// <summary>Starts a request's orchestration exactly once (instance id = reference) and computes its first due date.</summary>
public sealed class WorkflowStarter(IOptions<DsrOptions> options)
{
    public DsrSettings Settings()
    {
        var o = options.Value;
        return new DsrSettings(o.VerificationWindow, o.ApprovalLinkLifetime, o.ExportLinkLifetime,
            BankHolidayCalendar.ParseList(o.ExtraBankHolidays), o.GatherAttempts, o.GatherFirstRetry)
        {
            ClarificationWindow = o.ClarificationWindow,
            ReminderDaysBefore = ReminderSchedule.Parse(o.ReminderDaysBefore),
            RestrictionLiftNotice = o.RestrictionLiftNotice,
            OneTimerPerWait = true,
            ForgetAfterErasure = true,
        };
    }

    public BankHolidayCalendar Calendar() => BankHolidayCalendar.EnglandAndWales.With(BankHolidayCalendar.ParseList(options.Value.ExtraBankHolidays));

    /// <summary>The due date counted from receipt, before anything stops the clock.</summary>
    public DateOnly InitialDueDate(DateTimeOffset receivedAt) => StatutoryClock.DueDate(StatutoryClock.UkDate(receivedAt), 0, false, Calendar());

    /// <summary>
    /// The first due date of <paramref name="type"/>: for a request, the Art 12(3) date counted from receipt; for a complaint,
    /// the last day to acknowledge it (DPA 2018 s 164A(3)), as complaints have no statutory date for the outcome.
    /// </summary>
    public DateOnly InitialDueDate(RequestType type, DateTimeOffset receivedAt) =>
        type == RequestType.Complaint ? ComplaintClock.AcknowledgementDue(StatutoryClock.UkDate(receivedAt), Calendar()) : InitialDueDate(receivedAt);

    public ComplaintSettings ComplaintSettings() =>
        new(options.Value.ApprovalLinkLifetime, BankHolidayCalendar.ParseList(options.Value.ExtraBankHolidays));

    public async Task EnsureStartedAsync(DurableTaskClient client, string reference, RequestType type, DateTimeOffset receivedAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await client.GetInstanceAsync(reference, getInputsAndOutputs: false, ct) is not null)
        {
            return;
        }

        try
        {
            // A complaint (DPA 2018 s 164A) is not a request: it runs its own workflow, under the same instance id.
            var start = new StartOrchestrationOptions(InstanceId: reference);
            if (type == RequestType.Complaint)
            {
                await client.ScheduleNewOrchestrationInstanceAsync(nameof(ComplaintOrchestrator), new ComplaintInput(reference, receivedAt, ComplaintSettings()), start, ct);
            }
            else
            {
                await client.ScheduleNewOrchestrationInstanceAsync(nameof(DsrOrchestrator), new DsrInput(reference, type, receivedAt, Settings()), start, ct);
            }
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Started concurrently by a retry of the same post? Then there is one orchestration, as wanted.
            if (await client.GetInstanceAsync(reference, getInputsAndOutputs: false, ct) is null)
            {
                throw;
            }
        }
    }
}
