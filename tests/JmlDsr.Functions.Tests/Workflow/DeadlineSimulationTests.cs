using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using DurableTask.Core;
using Grpc.Net.Client;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Verification;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>The simulation runs alone: its virtual clocks are scaled from real time, so a busy machine blurs them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeadlineSimulationRunsAlone
{
    public const string Name = "Deadline simulation";
}

/// <summary>
/// A deadline simulation: a year of mixed requests (prompt and slow requesters, clarification pauses, extensions,
/// refusals, slow staff, systems down, unclassified messages) driven through the real <see cref="DsrOrchestrator"/>
/// on the in-process Durable Task host, each on its own virtual clock (<see cref="DsrSettings.SimulatedStart"/> = its
/// receipt, <see cref="DsrSettings.TimeScale"/>: one virtual day is <see cref="SecondsPerVirtualDay"/> real seconds),
/// all at once. A driver plays the requesters and the privacy team in virtual time; afterwards the whole year is
/// checked against a model of the statutory clock (UK GDPR Art 12(3), Art 12A) computed independently with
/// <see cref="StatutoryClock"/> and <see cref="ReminderSchedule"/>:
/// (1) no request passes a due date without <see cref="EscalateDeadline"/> for that date (none unnoticed);
/// (2) every request whose clock was running at a reminder instant got exactly one reminder for it, and no request
/// got one while closed; (3) every due date is exactly the independently computed one; (4) nothing is left running
/// except by design (a restriction waiting to be lifted, retained data waiting for its retention to end).
/// </summary>
/// <remarks>
/// Transitions (confirmation, pauses, extension, close) are read from the orchestrator's own records, whose times are
/// on its own virtual clock, so the model and the orchestrator's timers share one time line. Statements about WHEN
/// something happened allow <see cref="Tolerance"/>; instants within <see cref="Edge"/> of a transition may go either
/// way (the plan keeps every decision at least a virtual day away from a reminder or a deadline).
/// </remarks>
[Collection(DeadlineSimulationRunsAlone.Name)]
[Trait("Category", "Simulation")]
public sealed class DeadlineSimulationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double SecondsPerVirtualDay = 0.5;
    private const string Staff = "privacy team";
    private const string Requester = "requester";

    /// <summary>Requests start this far apart in real time (the year still runs in parallel), so the host is not swamped at the start.</summary>
    private static readonly TimeSpan Stagger = TimeSpan.FromMilliseconds(150);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>How late (virtual) a timer-driven action may be, and how far the driver may fall behind its plan.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromDays(1);

    /// <summary>An instant this close (virtual) to a transition may fall either side of it.</summary>
    private static readonly TimeSpan Edge = TimeSpan.FromHours(6);

    private static readonly TimeZoneInfo UkZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly BankHolidayCalendar Calendar = BankHolidayCalendar.EnglandAndWales;
    private static readonly int[] ReminderDays = [7, 2];
    private static readonly ConcurrentDictionary<Type, PropertyInfo> ReferenceProperties = new();

    private readonly FakeActivities _fakes = new();
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private DurableTaskTestHost _host = null!;
    private (int Workers, int Io) _minThreads;

    private DurableTaskClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        // Measured: with the pool's default minimum (one thread per core) the host stalls now and then for about half a
        // second, the pace at which a starved pool adds threads, and that is a virtual day here (more concurrent work
        // items made it worse). Enough threads up front keep the virtual clocks honest; restored in DisposeAsync.
        ThreadPool.GetMinThreads(out var workers, out var io);
        _minThreads = (workers, io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));

        // As in DsrOrchestratorTests: take a free port, and try another if it is taken before the host binds it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Started on the thread pool, not on xunit's synchronization context (as many threads as cores): the
                // host's continuations would otherwise queue behind the drivers' and stall the virtual clocks.
                var port = TestHosts.FreePort();
                _host = await Task.Run(() => WideHost.StartAsync(registry =>
                {
                    DsrTasks.RegisterOrchestrators(registry);
                    _fakes.Register(registry);
                }, port));
                return;
            }
            catch (IOException) when (attempt < 5)
            {
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        ThreadPool.SetMinThreads(_minThreads.Workers, _minThreads.Io);
    }

    [Fact]
    public async Task AYearOfRequests_NoneMissesItsDueDateUnnoticed_AndEveryReminderFires() =>
        await SimulateAsync(Year(new Random(2026)), SecondsPerVirtualDay);

    /// <summary>
    /// The year's two slow-triage rows alone, faster: a message nobody classifies until after its receipt-based due
    /// date is escalated for that date; once the requester confirms, the month runs again from the confirmation
    /// (Art 12A), and that new due date must be reminded of, escalated when it passes, and not shown as overdue before.
    /// </summary>
    [Fact]
    public async Task MessageClassifiedAfterItsFirstDueDate_TheDueDateFromTheConfirmationIsStillRemindedAndEscalated()
    {
        var rng = new Random(2026);
        await SimulateAsync(
        [
            new("slow-triage-past-the-due-date", At(rng, 2026, 3, 16), RequestType.Access, SlowTriageThenSlowStaff()),
            new("slow-triage-then-on-time", At(rng, 2026, 3, 17), RequestType.Access, SlowTriageThenOnTime(rng)),
        ], secondsPerVirtualDay: 0.25);
    }

    private async Task SimulateAsync(IReadOnlyList<Scenario> rows, double secondsPerVirtualDay)
    {
        foreach (var (scenario, i) in rows.OrderBy(s => s.Received).Select((s, i) => (s, i)))
        {
            var run = new Run(i, scenario, 86_400 / secondsPerVirtualDay);
            _runs.Add(run.Id, run);
        }

        _fakes.Observer = (name, input) => _runs.GetValueOrDefault(ReferenceOf(input))?.Calls.Enqueue((name, input));
        _fakes.GatherFails = g => g.Round == 1 && g.SystemId == SystemCatalog.Crm && _runs.GetValueOrDefault(g.Reference)?.Scenario.Does.RetryGatheringAfter is not null;
        _fakes.EraseBehaviour = Erase;
        await Task.Run(WarmUpAsync);

        var clock = Stopwatch.StartNew();
        using (var patience = new CancellationTokenSource(Patience))
        {
            // Off xunit's synchronization context, as the host (see InitializeAsync).
            await Task.Run(() => Task.WhenAll(_runs.Values.Select(r => DriveSafelyAsync(r, patience.Token))));
        }

        foreach (var run in _runs.Values)
        {
            run.Meta = await Client.GetInstanceAsync(run.Id, getInputsAndOutputs: true);
        }

        var real = clock.Elapsed;
        var problems = _runs.Values.SelectMany(Check).ToList();

        var first = _runs.Values.Min(r => r.Scenario.Received);
        var last = _runs.Values.SelectMany(r => r.Calls).Select(c => AtOf(c.Input)).Max();
        var lateness = _runs.Values.SelectMany(r => r.Inputs<ReminderInput>(nameof(SendStaffReminder))
                .Select(x => (What: string.Create(CultureInfo.InvariantCulture, $"{r.Id} {x.DaysBefore}-day reminder for {x.DueDate:yyyy-MM-dd}"), Late: x.At - Utc(ReminderSchedule.ReminderAtUtc(x.DueDate, x.DaysBefore))))
            .Concat(r.Inputs<EscalationInput>(nameof(EscalateDeadline))
                .Select(x => (What: string.Create(CultureInfo.InvariantCulture, $"{r.Id} escalation of {x.DueDate:yyyy-MM-dd}"), Late: x.At - Utc(StatutoryClock.EndOfUkDayUtc(x.DueDate))))))
            .OrderBy(l => l.Late).ToList();
        var timers = lateness.Select(l => l.Late.TotalHours).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_runs.Count} requests; virtual span {first:yyyy-MM-dd} to {last:yyyy-MM-dd} ({(last - first).TotalDays:0} days); real {real.TotalSeconds:0.0} s; one virtual day = {secondsPerVirtualDay} s; largest driver lag {_runs.Values.SelectMany(r => r.Lags).Select(l => l.Lag.TotalHours).DefaultIfEmpty().Max():0.0} virtual h; reminders and escalations after their instant: median {(timers.Count == 0 ? 0 : timers[timers.Count / 2]):0.0} h, max {timers.DefaultIfEmpty().Max():0.0} h (virtual)."));
        foreach (var (what, late) in lateness.Where(l => l.Late > Edge))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"late by {late.TotalHours:0.0} virtual h: {what}"));
        }

        foreach (var run in _runs.Values)
        {
            output.WriteLine(Summary(run));
        }

        Assert.True(problems.Count == 0, $"{problems.Count} problem(s) in the simulation:\n" + string.Join('\n', problems));
        Assert.True(real < Patience, $"The simulation took {real}.");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The year: who does what, when (virtual days). Each row says what it expects: the first due date where it is a
    // notable one (month ends, bank holidays, weekends, BST), how many reminders and escalations, and how it ends.
    // ---------------------------------------------------------------------------------------------------------------

    private static List<Scenario> Year(Random rng) =>
    [
        new("new-year-bank-holiday-receipt", At(rng, 2026, 1, 1), RequestType.Access, Prompt(rng), "2026-02-02"),
        new("saturday-receipt-slow-id", At(rng, 2026, 1, 3), RequestType.Access, SlowId(5, rng), "2026-02-09"),
        new("january-slow-staff", At(rng, 2026, 1, 12), RequestType.Access, SlowStaff(), "2026-02-12"),
        new("january-extension", At(rng, 2026, 1, 20), RequestType.Access, Extended(), "2026-02-20"),
        new("january-clarification", At(rng, 2026, 1, 26), RequestType.Access, Clarified(6, new(LinkActions.Approve, Anchor.DueDay, -0.5), reminders: 2)),
        new("jan-31-to-feb-28-weekend", At(rng, 2026, 1, 31), RequestType.Access, Prompt(rng), "2026-03-02"),
        new("february-rejection", At(rng, 2026, 2, 2), RequestType.Rectification, Rejected(rng)),
        new("february-refusal", At(rng, 2026, 2, 9), RequestType.Erasure, Refused(rng)),
        new("slow-triage-past-a-reminder", At(rng, 2026, 2, 16), RequestType.Access, Triaged(23.5, Prompt(rng), reminders: 1)),
        new("feb-28-saturday-receipt", At(rng, 2026, 2, 28), RequestType.Access, Prompt(rng), "2026-03-30"),
        new("due-on-good-friday", At(rng, 2026, 3, 3), RequestType.Access, BetweenReminders(), "2026-04-07"),
        new("due-on-easter-monday", At(rng, 2026, 3, 6), RequestType.Access, SlowStaff(), "2026-04-07"),
        new("never-confirms-march", At(rng, 2026, 3, 14), RequestType.Access, Unverified()),
        new("slow-triage-past-the-due-date", At(rng, 2026, 3, 16), RequestType.Access, SlowTriageThenSlowStaff()),
        new("slow-triage-then-on-time", At(rng, 2026, 3, 23), RequestType.Rectification, SlowTriageThenOnTime(rng)),
        new("mar-31-to-apr-30", At(rng, 2026, 3, 31), RequestType.Access, Prompt(rng), "2026-04-30"),
        new("slow-id-confirmed-easter-monday", At(rng, 2026, 4, 2), RequestType.Access, SlowId(4, rng), "2026-05-06"),
        new("good-friday-receipt-erasure", At(rng, 2026, 4, 3), RequestType.Erasure, Prompt(rng), "2026-05-05"),
        new("extension-too-late", At(rng, 2026, 4, 14), RequestType.Access, LateExtension(), "2026-05-14"),
        new("clarified-then-extended", At(rng, 2026, 4, 20), RequestType.Access, ClarifiedThenExtended(10), "2026-05-20"),
        new("due-on-spring-bank-holiday", At(rng, 2026, 4, 25), RequestType.Rectification, Prompt(rng), "2026-05-26"),
        new("restriction-lifted", At(rng, 2026, 5, 5), RequestType.Restriction, Prompt(rng) with { Label = "prompt; restriction lifted 5 days later", LiftAfter = 5 }),
        new("unclassified-message", At(rng, 2026, 5, 11), RequestType.Rectification, Triaged(3, Prompt(rng))),
        new("may-31-to-jun-30-slow-staff", At(rng, 2026, 5, 31), RequestType.Access, SlowStaff(), "2026-06-30"),
        new("clarification-unanswered", At(rng, 2026, 6, 8), RequestType.Access, Unanswered()),
        new("crm-down-slow-retry", At(rng, 2026, 6, 15), RequestType.Access, SystemDown(), "2026-07-15"),
        new("late-night-bst-receipt", new DateTimeOffset(2026, 6, 30, 23, 30, 0, TimeSpan.Zero), RequestType.Access, Prompt(rng), "2026-08-03"),
        new("erasure-extended-then-scheduled", At(rng, 2026, 7, 6), RequestType.Erasure, Extended() with { Label = "extended; contracts erased 20 days later", RetainDays = 20 }, "2026-08-06"),
        new("july-between-reminders", At(rng, 2026, 7, 15), RequestType.Access, BetweenReminders()),
        new("slow-id-15-days", At(rng, 2026, 7, 20), RequestType.Access, SlowId(15, rng), "2026-09-04"),
        new("due-on-summer-bank-holiday", At(rng, 2026, 7, 31), RequestType.Access, Prompt(rng), "2026-09-01"),
        new("never-confirms-august", At(rng, 2026, 8, 8), RequestType.Erasure, Unverified()),
        new("rectification-clarified", At(rng, 2026, 8, 17), RequestType.Rectification, Clarified(12, new(LinkActions.Approve, Anchor.Answered, 2), reminders: 0)),
        new("bank-holiday-receipt-slow-staff", At(rng, 2026, 8, 31), RequestType.Access, SlowStaff(), "2026-09-30"),
        new("restriction-in-place", At(rng, 2026, 9, 7), RequestType.Restriction, Prompt(rng) with { Label = "prompt; restriction stays (runs on)", Status = RequestStatus.Restricted, RunsOnAfter = "completed" }),
        new("september-refusal", At(rng, 2026, 9, 21), RequestType.Access, Refused(rng)),
        new("bst-ends-slow-staff", At(rng, 2026, 10, 24), RequestType.Access, SlowStaff(), "2026-11-24"),
        new("extension-into-2027", At(rng, 2026, 10, 30), RequestType.Access, Extended(), "2026-11-30"),
        new("erasure-retained-for-years", At(rng, 2026, 11, 9), RequestType.Erasure, Prompt(rng) with { Label = "prompt; contracts kept 6 years (runs on)", RetainDays = 2200, RunsOnAfter = "erasure-scheduled-1" }),
        new("due-on-christmas", At(rng, 2026, 11, 25), RequestType.Access, SlowStaff(), "2026-12-29"),
        new("nov-30-between-reminders", At(rng, 2026, 11, 30), RequestType.Access, BetweenReminders(), "2026-12-30"),
        new("due-on-new-year", At(rng, 2026, 12, 1), RequestType.Access, Prompt(rng), "2027-01-04"),
        new("christmas-eve-slow-id", At(rng, 2026, 12, 24), RequestType.Access, SlowId(4, rng), "2027-01-28"),
        new("dec-31-slow-staff", At(rng, 2026, 12, 31), RequestType.Access, SlowStaff(), "2027-02-01"),
    ];

    /// <summary>Confirms the same day, decided within a few days.</summary>
    private static Behaviour Prompt(Random rng) =>
        new("prompt", 0.1, [new(LinkActions.Approve, Anchor.Confirmed, Soon(rng))], RequestStatus.Completed, Reminders: 0, Escalations: 0);

    private static Behaviour SlowId(double days, Random rng) =>
        Prompt(rng) with { Label = string.Create(CultureInfo.InvariantCulture, $"confirms after {days} days"), ConfirmAfter = days };

    /// <summary>Nobody decides until three days after the due date: both reminders, one escalation, overdue.</summary>
    private static Behaviour SlowStaff() =>
        new("slow staff", 0.1, [new(LinkActions.Approve, Anchor.DueDay, 3)], RequestStatus.Completed, Reminders: 2, Escalations: 1);

    /// <summary>Decided five days before the due date at noon: after the 7-day reminder, before the 2-day one.</summary>
    private static Behaviour BetweenReminders() =>
        new("decided between the reminders", 0.1, [new(LinkActions.Approve, Anchor.DueDay, -4.5)], RequestStatus.Completed, Reminders: 1, Escalations: 0);

    /// <summary>Extended three days in; decided the day before the extended due date: both reminders for it.</summary>
    private static Behaviour Extended() =>
        new("extended in the first month", 0.1, [new(LinkActions.Extend, Anchor.Confirmed, 3), new(LinkActions.Approve, Anchor.DueDay, -0.5)],
            RequestStatus.Completed, Reminders: 2, Escalations: 0);

    /// <summary>Extension tried two days after the due date (refused), decided two days later.</summary>
    private static Behaviour LateExtension() =>
        new("extension after the first month", 0.1, [new(LinkActions.Extend, Anchor.DueDay, 2), new(LinkActions.Approve, Anchor.DueDay, 4)],
            RequestStatus.Completed, Reminders: 2, Escalations: 1);

    private static Behaviour Clarified(double answerAfter, Act then, int reminders) =>
        new(string.Create(CultureInfo.InvariantCulture, $"clarification answered after {answerAfter} days"), 0.1,
            [new(LinkActions.Clarify, Anchor.Confirmed, 1, answerAfter), then], RequestStatus.Completed, reminders, Escalations: 0);

    /// <summary>
    /// Art 12A: the pause does not count towards the month for giving notice of extension either. The extension comes
    /// after the original first-month due date but inside the month lengthened by the pause, so it must be granted.
    /// </summary>
    private static Behaviour ClarifiedThenExtended(double answerAfter) =>
        new("clarified, then extended after the original month", 0.1,
            [new(LinkActions.Clarify, Anchor.Confirmed, 1, answerAfter), new(LinkActions.Extend, Anchor.DueDay, -9), new(LinkActions.Approve, Anchor.DueDay, -0.5)],
            RequestStatus.Completed, Reminders: 2, Escalations: 0)
        { ExtendsAfterOriginalMonth = true };

    private static Behaviour Unanswered() =>
        new("clarification never answered", 0.1, [new(LinkActions.Clarify, Anchor.Confirmed, 2)], RequestStatus.ClosedNoClarification, Reminders: 0, Escalations: 0);

    private static Behaviour Refused(Random rng) =>
        new("refused", 0.1, [new(LinkActions.Refuse, Anchor.Confirmed, Soon(rng))], RequestStatus.Refused, Reminders: 0, Escalations: 0);

    private static Behaviour Rejected(Random rng) =>
        new("rejected", 0.1, [new(LinkActions.Reject, Anchor.Confirmed, Soon(rng))], RequestStatus.Rejected, Reminders: 0, Escalations: 0);

    private static Behaviour Unverified() =>
        new("never confirms", null, [], RequestStatus.ClosedUnverified, Reminders: 0, Escalations: 0);

    /// <summary>The CRM is down; staff retry it only after 25 days (the 7-day reminder fires meanwhile) and decide the next day.</summary>
    private static Behaviour SystemDown() =>
        new("CRM down, retried after 25 days", 0.1, [new(LinkActions.Approve, Anchor.Confirmed, 26)], RequestStatus.Completed, Reminders: 1, Escalations: 0)
        { RetryGatheringAfter = 25 };

    /// <summary>Not recognised on arrival: staff classify it after <paramref name="days"/> days (the clock runs from receipt meanwhile).</summary>
    private static Behaviour Triaged(double days, Behaviour then, int? reminders = null, int? escalations = null) =>
        then with
        {
            Label = string.Create(CultureInfo.InvariantCulture, $"classified after {days} days, then {then.Label}"),
            TriageDays = days,
            Reminders = reminders ?? then.Reminders,
            Escalations = escalations ?? then.Escalations,
        };

    /// <summary>
    /// Classified 35 days after receipt: both reminders and the escalation for the receipt-based due date while staff
    /// triage; then, from the confirmation (Art 12A), both reminders and the escalation for the new due date too.
    /// </summary>
    private static Behaviour SlowTriageThenSlowStaff() => Triaged(35, SlowStaff(), reminders: 4, escalations: 2);

    /// <summary>As <see cref="SlowTriageThenSlowStaff"/>, but answered well within the month from the confirmation: not overdue.</summary>
    private static Behaviour SlowTriageThenOnTime(Random rng) => Triaged(35, Prompt(rng), reminders: 2, escalations: 1);

    private static double Soon(Random rng) => 1.5 + (3 * rng.NextDouble());

    /// <summary>A UK local date, at a time of day between 08:00 and 17:59.</summary>
    private static DateTimeOffset At(Random rng, int year, int month, int day)
    {
        var local = new DateTime(year, month, day, rng.Next(8, 18), rng.Next(0, 60), 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, UkZone.GetUtcOffset(local));
    }

    private static DsrSettings Settings(DateTimeOffset start, double timeScale) =>
        new(VerificationWindow: TimeSpan.FromDays(21), ApprovalLinkLifetime: TimeSpan.FromDays(14), ExportLinkLifetime: TimeSpan.FromDays(30), ExtraBankHolidays: [],
            GatherAttempts: 2, GatherFirstRetry: TimeSpan.FromMilliseconds(50))
        {
            ClarificationWindow = TimeSpan.FromDays(21),
            ReminderDaysBefore = ReminderDays,
            RestrictionLiftNotice = TimeSpan.FromDays(7),
            SimulatedStart = start,
            TimeScale = timeScale,
        };

    /// <summary>Erasure: everything erased, except the contracts a row keeps for <see cref="Behaviour.RetainDays"/>.</summary>
    private EraseResult Erase(EraseInput input)
    {
        var keep = _runs.GetValueOrDefault(input.Reference)?.Scenario.Does.RetainDays;
        return new EraseResult(input.SystemId, input.Round,
        [
            input.SystemId == SystemCatalog.Contracts && input.Round == 0 && keep is { } days
                ? new ErasureLineResult(input.SystemId, "contract", 2, ErasureOutcomes.Retained, "Kept for legal claims.", StatutoryClock.UkDate(input.At).AddDays(days))
                : new ErasureLineResult(input.SystemId, "record", 2, ErasureOutcomes.Erased, "No rule keeps it.", null),
        ]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The driver: requesters and staff, acting in each request's virtual time.
    // ---------------------------------------------------------------------------------------------------------------

    private async Task DriveSafelyAsync(Run run, CancellationToken ct)
    {
        try
        {
            await DriveAsync(run, ct);
        }
        catch (OperationCanceledException)
        {
            run.Problems.Add($"the driver gave up after {Patience} waiting for {run.Waiting}. {Trace(run)}");
        }
#pragma warning disable CA1031 // One request's failure is reported with the others, not instead of them.
        catch (Exception e)
#pragma warning restore CA1031
        {
            run.Problems.Add($"the driver failed while waiting for {run.Waiting}: {e.GetType().Name}: {e.Message}. {Trace(run)}");
        }
    }

    private async Task DriveAsync(Run run, CancellationToken ct)
    {
        var s = run.Scenario;
        var does = s.Does;
        await Task.Delay(Stagger * run.Index, ct);
        run.Waiting = "the orchestration to be scheduled";
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(DsrOrchestrator),
            new DsrInput(run.Id, does.TriageDays is null ? s.Type : RequestType.Unclassified, s.Received, Settings(s.Received, run.TimeScale)),
            new StartOrchestrationOptions(InstanceId: run.Id) { Version = DsrVersions.Current }, ct);
        run.RealStart = DateTime.UtcNow;

        if (does.TriageDays is { } triage)
        {
            await UntilAsync(run, "the triage email", () => run.FirstOf<StaffNoticeInput>(nameof(SendStaffTriage)), ct);
            var classifiedAt = await AtVirtualAsync(run, s.Received.AddDays(triage), "staff to classify the message", ct);
            await Client.RaiseEventAsync(run.Id, DsrEvents.Classified, new ClassifiedEvent(s.Type, Staff, classifiedAt), ct);
        }

        var email = await UntilAsync(run, "the verification email", () => run.FirstOf<VerificationEmailInput>(nameof(SendVerificationEmail)), ct);
        if (does.ConfirmAfter is { } confirmAfter)
        {
            var confirmedAt = await AtVirtualAsync(run, email.At.AddDays(confirmAfter), "the requester to confirm", ct);
            run.ConfirmedAt = confirmedAt;
            await Client.RaiseEventAsync(run.Id, DsrEvents.IdentityConfirmed, new LinkDecision(email.Step, LinkActions.ConfirmIdentity, null, Requester, confirmedAt), ct);

            if (does.RetryGatheringAfter is { } retryAfter)
            {
                await RetryGatheringAsync(run, confirmedAt.AddDays(retryAfter), ct);
            }

            await ActAsync(run, confirmedAt, ct);
        }

        if (does.LiftAfter is { } liftAfter)
        {
            var restricted = await UntilAsync(run, "the restriction", () => run.Progress.FirstOrDefault(p => p.Status == RequestStatus.Restricted), ct);
            await AtVirtualAsync(run, restricted.At.AddDays(liftAfter), "staff to lift the restriction", ct);
            // What the lift link does: the request's workflow ended with the response, so the lift is a workflow of its own.
            var lift = new LinkDecision("lift-restriction", LinkActions.LiftRestriction, "The accuracy check is finished.", Staff, run.VirtualNow);
            var liftId = RestrictionLiftOrchestrator.InstanceId(run.Id);
            await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RestrictionLiftOrchestrator), new RestrictionLiftInput(run.Id, s.Received, lift, Settings(run.VirtualNow, run.TimeScale)),
                new StartOrchestrationOptions(InstanceId: liftId) { Version = DsrVersions.Current }, ct);
            run.Waiting = "the restriction to be lifted";
            await Client.WaitForInstanceCompletionAsync(liftId, getInputsAndOutputs: false, ct);
        }

        if (does.RunsOnAfter is { } step)
        {
            await UntilAsync(run, $"'{step}', after which the request's tail waits as scheduled work", () => run.Progress.FirstOrDefault(p => p.Step == step), ct);
            run.Waiting = "the request's workflow to end with the response";
            await Client.WaitForInstanceCompletionAsync(run.Id, getInputsAndOutputs: false, ct);
            return;
        }

        run.Waiting = "the orchestration to complete";
        await Client.WaitForInstanceCompletionAsync(run.Id, getInputsAndOutputs: false, ct);

        // What the schedule sweep does: each erasure round the workflow scheduled starts when its date comes.
        for (var round = 1; run.Inputs<ScheduleErasureInput>(nameof(ScheduleErasure)).LastOrDefault() is { Retained.Count: > 0, RunAt: { } runAt } scheduled && scheduled.Round == round; round++)
        {
            await AtVirtualAsync(run, runAt, $"the erasure round {round}", ct);
            var id = RetainedErasureOrchestrator.InstanceId(run.Id, round);
            await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetainedErasureOrchestrator),
                new RetainedErasureInput(run.Id, round, scheduled.Retained, s.Received, null, Settings(run.VirtualNow, run.TimeScale)),
                new StartOrchestrationOptions(InstanceId: id) { Version = DsrVersions.Current }, ct);
            run.Waiting = $"the erasure round {round} to complete";
            await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false, ct);
        }
    }

    /// <summary>The staff decisions of the row, each on the newest approval request staff were sent.</summary>
    private async Task ActAsync(Run run, DateTimeOffset confirmedAt, CancellationToken ct)
    {
        var decidedRound = 0;
        DateTimeOffset? answeredAt = null;
        foreach (var act in run.Scenario.Does.Acts)
        {
            var after = decidedRound;
            var ask = await UntilAsync(run, $"an approval request after round {after}", () => LatestApproval(run, after), ct);
            var anchor = act.From switch
            {
                Anchor.Confirmed => confirmedAt,
                Anchor.Answered => answeredAt ?? throw new InvalidOperationException("An act anchored on the answer needs a clarification answered before it."),
                _ => StartOfUkDay(ask.DueDate),
            };
            await AtVirtualAsync(run, anchor.AddDays(act.Days), $"staff to {act.Action}", ct);
            decidedRound = await DecideAsync(run, act, ct);

            if (act.Action == LinkActions.Clarify)
            {
                var asked = run.Inputs<ClarificationInput>(nameof(SendClarificationRequest))[^1];
                if (act.AnswerAfter is not { } answerAfter)
                {
                    return;
                }

                answeredAt = await AtVirtualAsync(run, asked.At.AddDays(answerAfter), "the requester to answer the clarification", ct);
                run.Answers.Add(answeredAt.Value);
                await Client.RaiseEventAsync(run.Id, DsrEvents.ClarificationAnswered,
                    new LinkDecision(asked.Step, LinkActions.Answer, "Only the CRM records, please.", Requester, answeredAt.Value), ct);
            }
        }
    }

    /// <summary>
    /// Raises the decision on the newest approval request until the orchestrator has acted on it. Links that expired
    /// just as staff clicked are resent as a new round; the decision is then given again on the new round. The newest
    /// request is read before the evidence: the orchestrator records a decision's effect before it asks staff again,
    /// so a round that follows from the decision is never taken for a lost decision.
    /// </summary>
    private async Task<int> DecideAsync(Run run, Act act, CancellationToken ct)
    {
        Func<int> evidence = act.Action switch
        {
            LinkActions.Approve => () => run.Progress.Count(p => p.Step == "approved"),
            LinkActions.Reject => () => run.Progress.Count(p => p.Step == "rejected"),
            LinkActions.Refuse => () => run.Progress.Count(p => p.Step == "refused"),
            LinkActions.Extend => () => run.Progress.Count(p => p.Step is "extended" or "extension-refused"),
            LinkActions.Clarify => () => run.Count(nameof(SendClarificationRequest)),
            _ => throw new InvalidOperationException($"The driver has no evidence for '{act.Action}'."),
        };
        var before = evidence();
        var raised = 0;
        run.Waiting = $"the orchestrator to act on '{act.Action}'";
        while (true)
        {
            var latest = LatestApproval(run, 0)!;
            if (evidence() > before)
            {
                return raised;
            }

            if (RoundOf(latest.Step) > raised)
            {
                var reason = act.Action switch
                {
                    LinkActions.Extend => "Records in seven systems need review.",
                    LinkActions.Clarify => "Which product's records do you want?",
                    LinkActions.Refuse => "The fifth identical request this week, sent to disrupt.",
                    LinkActions.Reject => "We hold no data about this person.",
                    _ => null,
                };
                await Client.RaiseEventAsync(run.Id, DsrEvents.StaffDecision, new LinkDecision(latest.Step, act.Action, reason, Staff, run.VirtualNow), ct);
                raised = RoundOf(latest.Step);
            }

            await Task.Delay(Poll, ct);
        }
    }

    private async Task RetryGatheringAsync(Run run, DateTimeOffset at, CancellationToken ct)
    {
        await UntilAsync(run, "the alert that a system is down", () => run.FirstOf<GatheringFailedInput>(nameof(AlertGatheringFailed)), ct);
        await AtVirtualAsync(run, at, "staff to retry the system that was down", ct);
        run.Waiting = "the orchestrator to search again";
        var raised = string.Empty;
        while (true)
        {
            var latest = run.Inputs<GatheringFailedInput>(nameof(AlertGatheringFailed))[^1];
            if (run.Progress.Any(p => p.Step == "gathering-retry-1"))
            {
                return;
            }

            if (latest.Step != raised)
            {
                await Client.RaiseEventAsync(run.Id, DsrEvents.RetryGathering, new LinkDecision(latest.Step, LinkActions.RetryGathering, null, Staff, run.VirtualNow), ct);
                raised = latest.Step;
            }

            await Task.Delay(Poll, ct);
        }
    }

    private static ApprovalRequestInput? LatestApproval(Run run, int afterRound) =>
        run.Inputs<ApprovalRequestInput>(nameof(SendApprovalRequest)).Where(a => RoundOf(a.Step) > afterRound).MaxBy(a => RoundOf(a.Step));

    private static int RoundOf(string approvalStep) => int.Parse(approvalStep["approval-".Length..], CultureInfo.InvariantCulture);

    private static async Task<T> UntilAsync<T>(Run run, string what, Func<T?> probe, CancellationToken ct)
        where T : class
    {
        run.Waiting = what;
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(Poll, ct);
        }
    }

    /// <summary>Waits until the request's virtual clock reaches <paramref name="planned"/>; records how late the driver was.</summary>
    private static async Task<DateTimeOffset> AtVirtualAsync(Run run, DateTimeOffset planned, string what, CancellationToken ct)
    {
        run.Waiting = what;
        var wait = run.RealStart + ((planned - run.Scenario.Received) / run.TimeScale) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct);
        }

        run.Lags.Add((what, run.VirtualNow - planned));
        return planned;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The model: the statutory clock of each request, rebuilt from what the orchestrator recorded, with every due
    // date computed independently; then reminders, escalations and the outcome compared with it.
    // ---------------------------------------------------------------------------------------------------------------

    private enum Expect
    {
        None,
        AtMostOne,
        ExactlyOne,
    }

    private static IEnumerable<string> Check(Run run)
    {
        var problems = new List<string>(run.Problems);
        var s = run.Scenario;
        var does = s.Does;
        var received = StatutoryClock.UkDate(s.Received);
        var progress = run.Progress;

        // 1. The clock: running segments, each with the due date then current, from the orchestrator's own records.
        var segments = new List<Segment>();
        DateOnly? due = null;
        DateTimeOffset? since = null;
        var relevant = received;
        var paused = 0;
        var extended = false;
        DateOnly askedOn = default;
        var answers = 0;
        ProgressInput? closing = null;

        void Start(DateTimeOffset at, DateOnly d)
        {
            Stop(at);
            due = d;
            since = at;
        }

        void Stop(DateTimeOffset at)
        {
            if (since is { } from)
            {
                segments.Add(new Segment(from, at, due!.Value));
            }

            since = null;
        }

        if (does.TriageDays is not null)
        {
            Start(s.Received, StatutoryClock.DueDate(received, 0, false, Calendar)); // the clock runs from receipt while staff classify
        }

        foreach (var p in progress)
        {
            if (p.Step == "awaiting-identity")
            {
                Stop(p.At);
            }
            else if (p.Step == "identity-confirmed")
            {
                var confirmedOn = StatutoryClock.UkDate(run.ConfirmedAt!.Value);
                relevant = confirmedOn > received ? confirmedOn : received; // Art 12A: the later of receipt and the confirmation
                var first = StatutoryClock.DueDate(relevant, 0, false, Calendar);
                Same(problems, "relevant date", relevant, p.RelevantDate);
                Same(problems, "due date on confirmation", first, p.DueDate);
                if (s.FirstDue is { } hand && first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) != hand)
                {
                    problems.Add($"the plan expects the first due date {hand} but the requester confirmed on {confirmedOn:yyyy-MM-dd}, giving {first:yyyy-MM-dd} (the driver fell behind?)");
                }

                Start(p.At, first);
            }
            else if (p.Status == RequestStatus.AwaitingClarification)
            {
                askedOn = StatutoryClock.UkDate(p.At);
                Stop(p.At);
            }
            else if (p.Step.StartsWith("clarification-", StringComparison.Ordinal) && p.Step.EndsWith("-answered", StringComparison.Ordinal))
            {
                var answeredOn = StatutoryClock.UkDate(run.Answers[answers++]);
                paused += StatutoryClock.InclusiveDays(askedOn, answeredOn); // Art 12A: the day asked to the day answered, both included
                var moved = StatutoryClock.DueDate(relevant, paused, extended, Calendar);
                Same(problems, $"due date after the clarification ({askedOn:yyyy-MM-dd} to {answeredOn:yyyy-MM-dd})", moved, p.DueDate);
                Start(p.At, moved);
            }
            else if (p.Step is "extended" or "extension-refused")
            {
                var today = StatutoryClock.UkDate(p.At);
                var allowed = !extended && due is { } current && StatutoryClock.ExtensionAllowed(today, current);
                if (allowed != (p.Step == "extended"))
                {
                    problems.Add($"extension asked on {today:yyyy-MM-dd} with due date {due:yyyy-MM-dd}: expected it {(allowed ? "granted" : "refused")}, the orchestrator recorded '{p.Step}'");
                }

                if (p.Step == "extended")
                {
                    var original = StatutoryClock.DueDate(relevant, 0, false, Calendar);
                    if (does.ExtendsAfterOriginalMonth && today <= original)
                    {
                        problems.Add($"the plan meant the extension to come after the original month (due {original:yyyy-MM-dd}), but it came on {today:yyyy-MM-dd}: the row no longer tests Art 12A's pause for the notice");
                    }

                    extended = true;
                    var longer = StatutoryClock.DueDate(relevant, paused, true, Calendar);
                    Same(problems, "extended due date", longer, p.DueDate);
                    var notice = run.Inputs<CustomerNoticeInput>(nameof(SendCustomerNotice)).Where(n => n.Step == SendCustomerNotice.Extension).ToList();
                    if (notice.Count != 1 || notice[0].DueDate != longer)
                    {
                        problems.Add($"expected one extension notice to the requester with the due date {longer:yyyy-MM-dd}; saw {notice.Count} ({string.Join(", ", notice.Select(n => n.DueDate))})");
                    }

                    Start(p.At, longer);
                }
            }

            if (p.Closed)
            {
                Stop(p.At);
                closing = p;
                break;
            }
        }

        if (closing is null)
        {
            Stop(run.VirtualNow);
            problems.Add("the request never closed its statutory part");
        }

        var finalDue = due ?? StatutoryClock.DueDate(received, 0, false, Calendar);

        // 2. Reminders: exactly one for each instant at which the clock was running with that due date, none otherwise.
        var reminders = run.Inputs<ReminderInput>(nameof(SendStaffReminder));
        var expectedReminders = new Dictionary<(DateOnly Due, int Days), Expect>();
        foreach (var seg in segments)
        {
            foreach (var d in ReminderDays)
            {
                var at = Utc(ReminderSchedule.ReminderAtUtc(seg.Due, d));
                var kind = Within(at, seg) switch
                {
                    Expect.None when at < seg.From && seg.From <= Utc(StatutoryClock.EndOfUkDayUtc(seg.Due)) => Expect.AtMostOne, // catch-up after a pause
                    var k => k,
                };
                expectedReminders[(seg.Due, d)] = Max(expectedReminders.GetValueOrDefault((seg.Due, d)), kind);
            }
        }

        foreach (var key in expectedReminders.Keys.Union(reminders.Select(r => (r.DueDate, r.DaysBefore))).Distinct().OrderBy(k => k.Item1).ThenByDescending(k => k.Item2))
        {
            var at = Utc(ReminderSchedule.ReminderAtUtc(key.Item1, key.Item2));
            var sent = reminders.Where(r => r.DueDate == key.Item1 && r.DaysBefore == key.Item2).ToList();
            var what = string.Create(CultureInfo.InvariantCulture, $"the {key.Item2}-day reminder for the due date {key.Item1:yyyy-MM-dd} (at {at:yyyy-MM-dd HH:mm}Z)");
            switch (expectedReminders.GetValueOrDefault(key))
            {
                case Expect.ExactlyOne when sent.Count != 1:
                    problems.Add($"{what}: the clock was running then, expected exactly one, saw {sent.Count}{Ats(sent.Select(r => r.At))}");
                    break;
                case Expect.ExactlyOne when sent[0].At < at.AddMinutes(-1) || sent[0].At > at + Tolerance:
                    problems.Add($"{what}: sent at {sent[0].At:yyyy-MM-dd HH:mm}Z, not within {Tolerance.TotalDays} day of its time");
                    break;
                case Expect.AtMostOne when sent.Count > 1:
                    problems.Add($"{what}: expected at most one, saw {sent.Count}{Ats(sent.Select(r => r.At))}");
                    break;
                case Expect.None when sent.Count > 0:
                    problems.Add($"{what}: the clock was not running with that due date then (closed, paused or not yet), but {sent.Count} were sent{Ats(sent.Select(r => r.At))}");
                    break;
            }
        }

        // 1'. Escalations: a due date that passes while the clock runs is escalated, once; none otherwise (never unnoticed).
        var escalations = run.Inputs<EscalationInput>(nameof(EscalateDeadline));
        var expectedEscalations = new Dictionary<DateOnly, (Expect Kind, Segment? Seg)>();
        foreach (var seg in segments)
        {
            var kind = Within(Utc(StatutoryClock.EndOfUkDayUtc(seg.Due)), seg);
            if (kind >= expectedEscalations.GetValueOrDefault(seg.Due).Kind)
            {
                expectedEscalations[seg.Due] = (kind, seg);
            }
        }

        foreach (var d in expectedEscalations.Keys.Union(escalations.Select(e => e.DueDate)).Distinct().Order())
        {
            var end = Utc(StatutoryClock.EndOfUkDayUtc(d));
            var sent = escalations.Where(e => e.DueDate == d).ToList();
            var (kind, seg) = expectedEscalations.GetValueOrDefault(d);
            switch (kind)
            {
                case Expect.ExactlyOne when sent.Count == 0:
                    problems.Add($"UNNOTICED: the due date {d:yyyy-MM-dd} passed while the clock was running (until {seg!.To:yyyy-MM-dd HH:mm}Z) and EscalateDeadline was never called for it");
                    break;
                case Expect.ExactlyOne when sent.Count > 1:
                    problems.Add($"the due date {d:yyyy-MM-dd} was escalated {sent.Count} times{Ats(sent.Select(e => e.At))}; expected once");
                    break;
                case Expect.ExactlyOne when sent[0].At < end || sent[0].At > end + Tolerance:
                    problems.Add($"the due date {d:yyyy-MM-dd} was escalated at {sent[0].At:yyyy-MM-dd HH:mm}Z, not within {Tolerance.TotalDays} day after it ended");
                    break;
                case Expect.AtMostOne when sent.Count > 1:
                    problems.Add($"the due date {d:yyyy-MM-dd} was escalated {sent.Count} times; expected at most once");
                    break;
                case Expect.None when sent.Count > 0:
                    problems.Add($"escalated for {d:yyyy-MM-dd}{Ats(sent.Select(e => e.At))}, but the clock was not running with that due date when it ended");
                    break;
            }
        }

        // The row's own expectations, so a model that drifted with the driver cannot pass vacuously.
        if (reminders.Count != does.Reminders)
        {
            problems.Add($"planned as '{does.Label}': expected {does.Reminders} reminder(s) in all, saw {reminders.Count} ({string.Join(", ", reminders.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.DaysBefore}d before {r.DueDate:yyyy-MM-dd}")))})");
        }

        if (escalations.Count != does.Escalations)
        {
            problems.Add($"planned as '{does.Label}': expected {does.Escalations} escalation(s), saw {escalations.Count} ({string.Join(", ", escalations.Select(e => e.DueDate))})");
        }

        // 3. and 4. The outcome and the runtime status.
        // A restriction's statutory part closes when it is in place (Restricted); lifting it later completes the run.
        var closesAs = s.Type == RequestType.Restriction && does.Status == RequestStatus.Completed ? RequestStatus.Restricted : does.Status;
        if (closing is not null && closing.Status != closesAs)
        {
            problems.Add($"closed as '{closing.Status}', expected '{closesAs}'");
        }

        var meta = run.Meta;
        if (does.RunsOnAfter is not null)
        {
            // The request's workflow ends with the response; what runs on is scheduled work, not a waiting instance.
            if (meta?.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
            {
                problems.Add($"the request's workflow should end after '{does.RunsOnAfter}' with its tail scheduled, but is {meta?.RuntimeStatus}");
            }

            if (does.RetainDays is not null && run.Inputs<ScheduleErasureInput>(nameof(ScheduleErasure)).LastOrDefault() is not { Retained.Count: > 0, RunAt: { } })
            {
                problems.Add("the retained records were not scheduled for erasure");
            }

            Same(problems, "last recorded due date", finalDue, progress.LastOrDefault(p => p.DueDate is not null)?.DueDate ?? finalDue);
        }
        else if (meta?.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            problems.Add($"left {meta?.RuntimeStatus} ({meta?.FailureDetails?.ErrorType} {meta?.FailureDetails?.ErrorMessage}); expected it to complete");
        }
        else
        {
            var outcome = meta.ReadOutputAs<DsrOutcome>()!;
            var expectedDue = finalDue.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (outcome.DueDate != expectedDue)
            {
                problems.Add($"outcome due date {outcome.DueDate}, expected {expectedDue}");
            }

            if (outcome.Status != closesAs)
            {
                problems.Add($"outcome status '{outcome.Status}', expected '{closesAs}'");
            }

            // A lifted restriction completes in the lift's own workflow.
            if (progress.LastOrDefault(p => p.Status is not null)?.Status is { } last && last != does.Status)
            {
                problems.Add($"last status '{last}', expected '{does.Status}'");
            }

            var end = Utc(StatutoryClock.EndOfUkDayUtc(finalDue));
            if (closing is not null && (closing.At > end + Edge || closing.At < end - Edge) && outcome.Overdue != closing.At > end)
            {
                problems.Add($"closed {closing.At:yyyy-MM-dd HH:mm}Z with the due date {finalDue:yyyy-MM-dd}: expected Overdue={closing.At > end}, the outcome says {outcome.Overdue}");
            }

            if (closing is not null && closing.At > end + Edge && closing.Status == RequestStatus.Completed
                && !closing.Detail.Contains("after the due date", StringComparison.Ordinal))
            {
                problems.Add($"completed late but the record does not say so: \"{closing.Detail}\"");
            }
        }

        if (does.ConfirmAfter is null)
        {
            var closed = run.Inputs<CloseUnverifiedInput>(nameof(CloseUnverified));
            if (closed.Count != 1 || !closed[0].NoReply || run.Count(nameof(VerifyIdentity)) != 0 || run.Count(nameof(GatherFromSystem)) != 0)
            {
                problems.Add("expected to be closed unverified as no reply, without checking identity or searching");
            }
        }

        foreach (var (what, lag) in run.Lags.Where(l => l.Lag > Tolerance))
        {
            problems.Add($"the driver fell {lag.TotalDays:0.0} virtual days behind its plan waiting for {what} (machine too busy?)");
        }

        return problems.Select(p => $"{run.Id} [{does.Label}, received {s.Received:yyyy-MM-dd HH:mm zzz}]: {p}");
    }

    /// <summary>Whether an instant falls inside a running segment: clearly (exactly one), near an edge (either), or not.</summary>
    private static Expect Within(DateTimeOffset at, Segment seg) =>
        at >= seg.From + Edge && at <= seg.To - Edge ? Expect.ExactlyOne
        : at > seg.From - Edge && at < seg.To + Edge ? Expect.AtMostOne
        : Expect.None;

    private static Expect Max(Expect a, Expect b) => a > b ? a : b;

    private static void Same(List<string> problems, string what, DateOnly expected, DateOnly? actual)
    {
        if (actual != expected)
        {
            problems.Add($"{what}: expected {expected:yyyy-MM-dd}, the orchestrator recorded {actual:yyyy-MM-dd}");
        }
    }

    private static string Ats(IEnumerable<DateTimeOffset> ats)
    {
        var list = ats.Select(a => a.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).ToList();
        return list.Count == 0 ? string.Empty : $" (at {string.Join(", ", list)}Z)";
    }

    private static DateTimeOffset Utc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeSpan.Zero);

    private static DateTimeOffset StartOfUkDay(DateOnly day) => Utc(StatutoryClock.EndOfUkDayUtc(day.AddDays(-1)).AddTicks(1));

    private static string ReferenceOf(object input) =>
        (string)ReferenceProperties.GetOrAdd(input.GetType(), t => t.GetProperty("Reference") ?? throw new InvalidOperationException($"{t.Name} has no Reference."))
            .GetValue(input)!;

    private static DateTimeOffset AtOf(object input) =>
        input.GetType().GetProperty("At")?.GetValue(input) is DateTimeOffset at ? at : DateTimeOffset.MinValue;

    /// <summary>One request through the host before the year starts, so the year's first requests do not pay for JIT and connections.</summary>
    private async Task WarmUpAsync()
    {
        const string id = "WARM-UP";
        var now = DateTimeOffset.UtcNow;
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(DsrOrchestrator),
            new DsrInput(id, RequestType.Access, now, Settings(now, 1) with { SimulatedStart = null }), new StartOrchestrationOptions(InstanceId: id) { Version = DsrVersions.Current });
        await UntilCalledAsync(id, nameof(SendVerificationEmail));
        await Client.RaiseEventAsync(id, DsrEvents.IdentityConfirmed, new LinkDecision("verify", LinkActions.ConfirmIdentity, null, Requester, DateTimeOffset.UtcNow));
        await UntilCalledAsync(id, nameof(SendApprovalRequest));
        await Client.RaiseEventAsync(id, DsrEvents.StaffDecision, new LinkDecision("approval-1", LinkActions.Approve, null, Staff, DateTimeOffset.UtcNow));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false, cts.Token);
    }

    private async Task UntilCalledAsync(string reference, string activity)
    {
        var clock = Stopwatch.StartNew();
        while (!_fakes.Calls.Any(c => c.Name == activity && ReferenceOf(c.Input) == reference))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Warm-up: no {activity} within 30 s.");
            await Task.Delay(Poll);
        }
    }

    private static string Summary(Run run)
    {
        var p = run.Progress;
        var dues = p.Where(x => x.DueDate is not null).Select(x => x.DueDate!.Value).Distinct().Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var reminders = run.Inputs<ReminderInput>(nameof(SendStaffReminder)).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.DaysBefore}d@{r.At:MM-dd HH:mm}"));
        var escalations = run.Inputs<EscalationInput>(nameof(EscalateDeadline)).Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.DueDate:MM-dd}@{e.At:MM-dd}"));
        var closing = p.FirstOrDefault(x => x.Closed);
        var email = run.FirstOf<VerificationEmailInput>(nameof(SendVerificationEmail));
        return string.Create(CultureInfo.InvariantCulture,
            $"{run.Id,-44} {run.Scenario.Received:yyyy-MM-dd HH:mm} (email +{((email?.At ?? run.Scenario.Received) - run.Scenario.Received).TotalHours:0.0}h) {run.Scenario.Does.Label,-52} due {string.Join(" > ", dues),-36} reminders [{string.Join(' ', reminders)}] escalations [{string.Join(' ', escalations)}] {closing?.Status} {closing?.At:yyyy-MM-dd} {run.Meta?.RuntimeStatus}");
    }

    private static string Trace(Run run) =>
        "Calls: " + string.Join(", ", run.Calls.Select(c => c.Input is ProgressInput p
            ? string.Create(CultureInfo.InvariantCulture, $"{c.Name}({p.Step} {p.At:MM-dd HH:mm})")
            : string.Create(CultureInfo.InvariantCulture, $"{c.Name}({AtOf(c.Input):MM-dd HH:mm})")));

    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// <see cref="DurableTaskTestHost"/> as <see cref="DurableTaskTestHost.StartAsync"/> builds it (a gRPC sidecar on an
    /// <see cref="InMemoryOrchestrationService"/>, a worker and a client), but with room for many work items at once.
    /// The stock in-memory service allows <see cref="Environment.ProcessorCount"/> concurrent work items of each kind,
    /// and its dispatcher sleeps 500 ms whenever they are all taken: on two cores a year of requests then crawls at a
    /// few activities a second and every timer fires days late in virtual time.
    /// </summary>
    private static class WideHost
    {
        private const int WorkItems = 32;

        public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> registry, int port)
        {
            var service = new WideInMemoryOrchestrationService();
            var address = string.Create(CultureInfo.InvariantCulture, $"http://localhost:{port}");
            var sidecar = Host.CreateDefaultBuilder()
                .ConfigureLogging(logging => logging.ClearProviders())
                .ConfigureWebHostDefaults(web =>
                {
                    web.UseUrls(address);
                    web.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
                    web.ConfigureServices(services =>
                    {
                        services.AddGrpc();
                        services.AddSingleton<IOrchestrationService>(service);
                        services.AddSingleton<IOrchestrationServiceClient>(service);
                        services.AddSingleton<TaskHubGrpcServer>();
                    });
                    web.Configure(app =>
                    {
                        app.UseRouting();
                        app.UseEndpoints(endpoints => endpoints.MapGrpcService<TaskHubGrpcServer>());
                    });
                })
                .Build();
            try
            {
                await sidecar.StartAsync();
            }
            catch
            {
                sidecar.Dispose(); // the port was taken: the caller tries another
                throw;
            }

            var channel = GrpcChannel.ForAddress(address);
            var worker = Host.CreateDefaultBuilder()
                .ConfigureLogging(logging => logging.ClearProviders())
                .ConfigureServices(services =>
                {
                    services.AddDurableTaskWorker(builder =>
                    {
                        builder.UseGrpc(channel);
                        builder.AddTasks(registry);
                    });
                    services.AddDurableTaskClient(builder =>
                    {
                        builder.UseGrpc(channel);
                        builder.RegisterDirectly();
                    });
                })
                .Build();
            await worker.StartAsync();
            return new DurableTaskTestHost(sidecar, worker, channel, worker.Services.GetRequiredService<DurableTaskClient>());
        }

        /// <summary>Re-implements the two limits the dispatchers read; everything else is the stock service.</summary>
        private sealed class WideInMemoryOrchestrationService : InMemoryOrchestrationService, IOrchestrationService
        {
            int IOrchestrationService.MaxConcurrentTaskOrchestrationWorkItems => WorkItems;

            int IOrchestrationService.MaxConcurrentTaskActivityWorkItems => WorkItems;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private enum Anchor
    {
        /// <summary>The instant the requester confirmed.</summary>
        Confirmed,

        /// <summary>The instant the requester answered the clarification.</summary>
        Answered,

        /// <summary>Midnight (UK) starting the due date on the approval request staff were sent.</summary>
        DueDay,
    }

    /// <summary>A staff decision, <paramref name="Days"/> virtual days after its anchor; a clarification is answered <paramref name="AnswerAfter"/> days after it was asked (null: never).</summary>
    private sealed record Act(string Action, Anchor From, double Days, double? AnswerAfter = null);

    /// <summary>What the requester and staff do on one request, and what the row therefore expects.</summary>
    private sealed record Behaviour(string Label, double? ConfirmAfter, IReadOnlyList<Act> Acts, string Status, int Reminders, int Escalations)
    {
        /// <summary>Unclassified on arrival; staff classify it this many days after receipt.</summary>
        public double? TriageDays { get; init; }

        /// <summary>The CRM fails in the first search; staff retry it this many days after the confirmation.</summary>
        public double? RetryGatheringAfter { get; init; }

        /// <summary>Restriction: staff lift it this many days after it is in place.</summary>
        public double? LiftAfter { get; init; }

        /// <summary>Erasure: the contracts system keeps its records this many days.</summary>
        public int? RetainDays { get; init; }

        /// <summary>The request's workflow ends after this progress step with its tail left as scheduled work (null: nothing is left).</summary>
        public string? RunsOnAfter { get; init; }

        /// <summary>The row's extension must come after the original first-month due date (see <see cref="ClarifiedThenExtended"/>).</summary>
        public bool ExtendsAfterOriginalMonth { get; init; }
    }

    /// <summary>One row of the year; <paramref name="FirstDue"/> is a hand-checked due date on confirmation, where notable.</summary>
    private sealed record Scenario(string Name, DateTimeOffset Received, RequestType Type, Behaviour Does, string? FirstDue = null);

    /// <summary>The clock ran from <paramref name="From"/> to <paramref name="To"/> (virtual) with <paramref name="Due"/> the due date.</summary>
    private sealed record Segment(DateTimeOffset From, DateTimeOffset To, DateOnly Due);

    /// <summary>One simulated request: its row, its virtual clock and what the orchestrator did for it.</summary>
    private sealed class Run(int index, Scenario scenario, double timeScale)
    {
        /// <summary>How many times faster than real time the request's virtual clock runs.</summary>
        public double TimeScale => timeScale;

        public int Index => index;

        public Scenario Scenario => scenario;

        public string Id { get; } = string.Create(CultureInfo.InvariantCulture, $"SIM-{index + 1:00}-{scenario.Name}");

        public ConcurrentQueue<(string Name, object Input)> Calls { get; } = new();

        /// <summary>Real time the orchestration was scheduled: its virtual clock started at its receipt then (approximately).</summary>
        public DateTime RealStart { get; set; }

        public DateTimeOffset? ConfirmedAt { get; set; }

        public List<DateTimeOffset> Answers { get; } = [];

        public List<(string What, TimeSpan Lag)> Lags { get; } = [];

        public string Waiting { get; set; } = "the start";

        public List<string> Problems { get; } = [];

        public OrchestrationMetadata? Meta { get; set; }

        public DateTimeOffset VirtualNow => Scenario.Received + ((DateTime.UtcNow - RealStart) * TimeScale);

        public List<ProgressInput> Progress => Inputs<ProgressInput>(nameof(RecordProgress));

        public List<T> Inputs<T>(string name) => Calls.Where(c => c.Name == name).Select(c => (T)c.Input).ToList();

        public T? FirstOf<T>(string name)
            where T : class => Calls.Where(c => c.Name == name).Select(c => (T)c.Input).FirstOrDefault();

        public int Count(string name) => Calls.Count(c => c.Name == name);
    }
}
