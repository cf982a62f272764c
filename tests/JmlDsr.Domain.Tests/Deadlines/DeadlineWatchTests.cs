using System.Globalization;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Requests;
using Xunit;

namespace JmlDsr.Domain.Tests.Deadlines;

/// <summary>
/// The deadline watchdog's rules. The request: received Monday 2 November 2026, due Wednesday 2 December 2026 (the deadline
/// passes at its end, 23:59:59 UTC in winter); reminders 7 and 2 days before, at 09:00 London (25 and 30 November, 09:00 UTC).
/// </summary>
public sealed class DeadlineWatchTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);
    private static readonly WatchSettings Settings = new(Grace, [7, 2]);
    private static readonly DateOnly Due = D("2026-12-02");
    private static readonly RequestClock Clock = new() { Received = D("2026-11-02"), Relevant = D("2026-11-02"), Due = Due };
    private static readonly DateTimeOffset Received = T("2026-11-02T10:00");

    /// <summary>Nothing due: a quiet day in the middle of the month.</summary>
    private static readonly DateTimeOffset Quiet = T("2026-11-20T12:00");

    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset T(string s) => DateTimeOffset.ParseExact(s, "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static WatchedRequest Request(string status = RequestStatus.AwaitingApproval, bool clockRuns = true, DateTimeOffset? progressAt = null) =>
        new(status, Clock, Received, clockRuns, progressAt ?? T("2026-11-03T10:00"));

    private static WorkflowInstance Instance(InstanceState state, string? custom, DateTimeOffset now, int createdMinutesAgo, int updatedMinutesAgo) =>
        new(state, custom, now.AddMinutes(-createdMinutesAgo), now.AddMinutes(-updatedMinutesAgo));

    private static WatchDecision Decide(WatchedRequest request, WorkflowInstance instance, DateTimeOffset now, params string[] recorded) =>
        DeadlineWatch.Decide(request, instance, now, Settings, recorded.ToHashSet(StringComparer.Ordinal));

    private static string Reminder(int days) => DeadlineWatch.ReminderSendKey(Due, days);

    private static string Escalation(string who) => DeadlineWatch.EscalationSendKey(Due, who);

    [Theory]
    // state, the workflow's custom status, created / last updated (minutes ago), the index status → verdict, and its reason in words
    [InlineData(InstanceState.Running, "awaiting-approval", 20000, 600, "awaiting-approval", WatchVerdict.Watched, "waiting where the index says")]
    [InlineData(InstanceState.Running, null, 20000, 600, "awaiting-approval", WatchVerdict.Watched, "waiting where the index says")]
    [InlineData(InstanceState.Running, "gathering", 20000, 5, "awaiting-approval", WatchVerdict.Watched, "waiting where the index says")]
    [InlineData(InstanceState.Running, "gathering", 20000, 20, "awaiting-approval", WatchVerdict.Stuck, "its workflow says gathering but the index says awaiting-approval")]
    [InlineData(InstanceState.Pending, null, 5, 5, "received", WatchVerdict.Watched, "starting")]
    [InlineData(InstanceState.Pending, null, 30, 30, "received", WatchVerdict.Stuck, "has not started")]
    [InlineData(InstanceState.Completed, "completed", 20000, 5, "fulfilling", WatchVerdict.Watched, "just completed")]
    [InlineData(InstanceState.Completed, "completed", 20000, 30, "fulfilling", WatchVerdict.Stuck, "completed at 2026-11-20 11:30 UTC but the index says it is still fulfilling")]
    [InlineData(InstanceState.Failed, "gathering", 20000, 1, "gathering", WatchVerdict.Failed, "failed at 2026-11-20 11:59 UTC")]
    [InlineData(InstanceState.Terminated, "awaiting-approval", 20000, 1, "awaiting-approval", WatchVerdict.Terminated, "terminated at 2026-11-20 11:59 UTC")]
    [InlineData(InstanceState.Suspended, "awaiting-approval", 20000, 5, "awaiting-approval", WatchVerdict.Watched, "suspended a moment ago")]
    [InlineData(InstanceState.Suspended, "awaiting-approval", 20000, 30, "awaiting-approval", WatchVerdict.Stuck, "suspended since 2026-11-20 11:30 UTC")]
    public void Verdict_ComparesTheWorkflowWithTheIndex_AllowingTheGrace(InstanceState state, string? custom, int created, int updated, string status, WatchVerdict expected, string reason)
    {
        var decision = Decide(Request(status), Instance(state, custom, Quiet, created, updated), Quiet);

        Assert.Equal(expected, decision.Verdict);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
        Assert.Equal(expected == WatchVerdict.Watched, decision.IsWatched);
        Assert.Equal(expected == WatchVerdict.Watched, decision.Since is null);
    }

    [Theory]
    // index status, minutes since the workflow last moved, a step needing attention → verdict
    [InlineData(RequestStatus.Fulfilling, 90, false, WatchVerdict.Stuck)] // a result that never came (e.g. lost in a storage outage)
    [InlineData(RequestStatus.Gathering, 90, false, WatchVerdict.Stuck)]
    [InlineData(RequestStatus.Received, 90, false, WatchVerdict.Stuck)]
    [InlineData(RequestStatus.Fulfilling, 30, false, WatchVerdict.Watched)] // a slow step with its retries
    [InlineData(RequestStatus.Fulfilling, 90, true, WatchVerdict.Watched)] // a visible wait for staff or the automatic retry
    [InlineData(RequestStatus.AwaitingApproval, 9000, false, WatchVerdict.Watched)] // waiting for a person is not stuck
    public void AWorkflowThatWorksByItself_ButFinishesNoStepForAnHour_IsStuck(string status, int minutesAgo, bool attention, WatchVerdict expected)
    {
        var moved = Quiet.AddMinutes(-minutesAgo);
        var request = new WatchedRequest(status, Clock, Received, true, moved, attention);
        var decision = Decide(request, new WorkflowInstance(InstanceState.Running, status, Received, moved), Quiet);

        Assert.Equal(expected, decision.Verdict);
        if (expected == WatchVerdict.Stuck)
        {
            Assert.Contains($"has been {status} since", decision.Reason, StringComparison.Ordinal);
            Assert.Equal(moved, decision.Since);
        }
    }

    [Theory]
    [InlineData(30, WatchVerdict.Missing)]
    [InlineData(5, WatchVerdict.Watched)]
    public void NoInstance_IsMissing_OnceTheGraceHasPassedSinceTheIndexLastMoved(int progressMinutesAgo, WatchVerdict expected)
    {
        var decision = Decide(Request(RequestStatus.Received, progressAt: Quiet.AddMinutes(-progressMinutesAgo)), WorkflowInstance.None, Quiet);

        Assert.Equal(expected, decision.Verdict);
        if (expected == WatchVerdict.Missing)
        {
            Assert.Contains("the engine has no workflow for it, while the index says received", decision.Reason, StringComparison.Ordinal);
            Assert.Equal(Quiet.AddMinutes(-progressMinutesAgo), decision.Since);
        }
    }

    [Theory]
    // minutes past the deadline, escalation emails recorded, clock runs → verdict
    [InlineData(600, "", true, WatchVerdict.Stuck)]
    [InlineData(600, "team", true, WatchVerdict.Stuck)]
    [InlineData(600, "team,dpo", true, WatchVerdict.Watched)]
    [InlineData(5, "", true, WatchVerdict.Watched)]
    [InlineData(600, "", false, WatchVerdict.Watched)]
    public void RunningWorkflow_ThatLetTheDueDatePassWithoutItsEscalation_IsStuck(int minutesPast, string recorded, bool clockRuns, WatchVerdict expected)
    {
        var now = new DateTimeOffset(Clock.DeadlineUtc, TimeSpan.Zero).AddMinutes(minutesPast);
        var keys = recorded.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Escalation).ToArray();

        var decision = Decide(Request(clockRuns: clockRuns), Instance(InstanceState.Running, "awaiting-approval", now, 50000, 50000), now, keys);

        Assert.Equal(expected, decision.Verdict);
        if (expected == WatchVerdict.Stuck)
        {
            Assert.Contains("its due date 2026-12-02 passed at 2026-12-02 23:59 UTC and no escalation was recorded", decision.Reason, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string, bool, string, int?, bool> Sends() => new()
    {
        // now, the instance (watched = running where the index says; terminated), clock runs, recorded → reminder, escalation
        { "2026-11-20T12:00", "watched", true, "", null, false },
        { "2026-11-25T12:00", "watched", true, "", 7, false },                 // three hours late: the watchdog sends it
        { "2026-11-25T09:05", "watched", true, "", null, false },              // five minutes: the workflow goes first
        { "2026-11-25T09:05", "terminated", true, "", 7, false },              // nobody else will send it
        { "2026-11-25T12:00", "watched", true, "r7", null, false },            // already recorded: nothing again
        { "2026-11-30T12:00", "terminated", true, "", 2, false },              // both passed: the latest only, not a burst
        { "2026-11-30T12:00", "terminated", true, "r7", 2, false },
        { "2026-11-30T12:00", "terminated", true, "r2", null, false },         // the 7-day one was passed over
        { "2026-12-03T10:00", "watched", true, "", null, true },               // overdue: the escalation, not a reminder
        { "2026-12-03T10:00", "terminated", true, "r7,r2", null, true },
        { "2026-12-03T10:00", "terminated", true, "team", null, true },        // the DPO's email is still to go
        { "2026-12-03T10:00", "terminated", true, "team,dpo", null, false },   // recorded: nothing again
        { "2026-12-03T00:05", "watched", true, "", null, false },              // five minutes past: the workflow goes first
        { "2026-12-03T00:05", "terminated", true, "", null, true },
        { "2026-11-25T12:00", "terminated", false, "", null, false },          // clock stopped: no reminder
        { "2026-12-03T10:00", "terminated", false, "", null, false },          // clock stopped: no escalation
    };

    [Theory]
    [MemberData(nameof(Sends))]
    public void RemindersAndEscalation_FollowTheWorkflowsRule_WithWhatTheSendsRecordSays(string now, string instance, bool clockRuns, string recorded, int? reminder, bool escalation)
    {
        var at = T(now);
        var state = instance == "watched" ? InstanceState.Running : InstanceState.Terminated;
        var keys = recorded.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(k => k switch { "r7" => Reminder(7), "r2" => Reminder(2), _ => Escalation(k) })
            .ToArray();

        var decision = Decide(Request(clockRuns: clockRuns), Instance(state, "awaiting-approval", at, 50000, 50000), at, keys);

        Assert.Equal(reminder, decision.ReminderDaysBefore);
        Assert.Equal(escalation, decision.EscalationDue);
    }

    [Fact]
    public void RemindersRecordedForAnEarlierDueDate_DoNotCountForTheNewOne()
    {
        // Extended: the new due date's reminders are armed afresh, whatever the old one's said.
        var extended = Clock with { Due = D("2027-02-02"), Extended = true };
        var now = T("2027-01-26T12:00");
        var request = new WatchedRequest(RequestStatus.AwaitingApproval, extended, Received, true, T("2026-11-30T10:00"));

        var decision = DeadlineWatch.Decide(request, Instance(InstanceState.Terminated, "awaiting-approval", now, 90000, 60), now, Settings, new HashSet<string> { Reminder(7), Reminder(2), Escalation("team"), Escalation("dpo") });

        Assert.Equal(7, decision.ReminderDaysBefore);
        Assert.False(decision.EscalationDue);
    }

    [Fact]
    public void TheSameProblem_HasTheSameAlertStep_OnEveryRun_AndANewOneANewStep()
    {
        var terminatedAt = T("2026-11-20T11:00");
        var instance = new WorkflowInstance(InstanceState.Terminated, "awaiting-approval", T("2026-11-03T10:00"), terminatedAt);

        var first = Decide(Request(), instance, T("2026-11-20T11:40"));
        var second = Decide(Request(), instance, T("2026-11-20T12:40"));
        var again = Decide(Request(), instance with { LastUpdatedAt = T("2026-11-20T15:10") }, T("2026-11-20T15:40"));

        Assert.Equal("watchdog-terminated-20261120T1100", first.AlertStep);
        Assert.Equal(first.AlertStep, second.AlertStep);
        Assert.NotEqual(first.AlertStep, again.AlertStep);
        Assert.Null(Decide(Request(), Instance(InstanceState.Running, "awaiting-approval", Quiet, 100, 100), Quiet).AlertStep);
        Assert.Equal("watchdog-terminated-20261120T1100-dpo", DeadlineWatch.AlertSendKey(first.AlertStep!, "dpo"));
    }

    [Fact]
    public void SendKeys_AreTheOnesTheWorkflowsActivitiesRecord()
    {
        Assert.Equal("reminder-2026-12-02-7", DeadlineWatch.ReminderSendKey(Due, 7));
        Assert.Equal("overdue-2026-12-02-team", DeadlineWatch.EscalationSendKey(Due, "team"));
        Assert.Equal(["team", "dpo"], DeadlineWatch.EscalationRecipients);
    }

    [Theory]
    [InlineData(RequestType.Access, RequestStatus.Received, true)]
    [InlineData(RequestType.Unclassified, RequestStatus.NeedsTriage, true)]
    [InlineData(RequestType.Erasure, RequestStatus.Gathering, true)]
    [InlineData(RequestType.Erasure, RequestStatus.GatheringFailed, true)]
    [InlineData(RequestType.Access, RequestStatus.AwaitingApproval, true)]
    [InlineData(RequestType.Access, RequestStatus.Fulfilling, true)]
    [InlineData(RequestType.Access, RequestStatus.AwaitingIdentity, false)]
    [InlineData(RequestType.Access, RequestStatus.AwaitingClarification, false)]
    [InlineData(RequestType.Access, RequestStatus.AwaitingFee, false)]
    [InlineData(RequestType.Access, RequestStatus.Completed, false)]
    [InlineData(RequestType.Complaint, RequestStatus.Received, false)]
    [InlineData(RequestType.Complaint, RequestStatus.ComplaintOpen, false)]
    public void ClockRuns_ExceptWhileStopped_Answered_OrForAComplaint(RequestType type, string status, bool runs) =>
        Assert.Equal(runs, DeadlineWatch.ClockRuns(type, status));

    [Theory]
    // last verdict, minutes since the watchdog saw it (null: never), minutes since received → the problem, or null when under watch
    [InlineData("watched", 30, 5000, null)]
    [InlineData("watched", 150, 5000, "not checked by the watchdog since 2026-11-20 09:30 UTC")]
    [InlineData("terminated", 10, 5000, "terminated: its workflow was terminated")]
    [InlineData("stuck", 10, 5000, "stuck: its workflow was terminated")]
    [InlineData(null, null, 30, null)]
    [InlineData(null, null, 150, "never checked by the watchdog, though received 2026-11-20 09:30 UTC")]
    public void Console_CountsARequestNotUnderWatch_WhenItsVerdictIsBad_OrTheWatchdogHasNotSeenItForTwoIntervals(string? verdict, int? seenMinutesAgo, int receivedMinutesAgo, string? problem)
    {
        var reason = "its workflow was terminated at 2026-11-20 11:00 UTC";
        var result = DeadlineWatch.NotUnderWatchBecause(verdict, reason, seenMinutesAgo is { } m ? Quiet.AddMinutes(-m) : null, Quiet.AddMinutes(-receivedMinutesAgo), Quiet, TimeSpan.FromHours(1));

        if (problem is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.NotNull(result);
            Assert.StartsWith(problem, result, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(WatchVerdict.Watched, "watched")]
    [InlineData(WatchVerdict.Failed, "failed")]
    [InlineData(WatchVerdict.Terminated, "terminated")]
    [InlineData(WatchVerdict.Missing, "missing")]
    [InlineData(WatchVerdict.Stuck, "stuck")]
    public void Verdicts_HaveWireNames(WatchVerdict verdict, string wire)
    {
        Assert.Equal(wire, DeadlineWatch.ToWire(verdict));
        Assert.Equal(verdict, DeadlineWatch.FromWire(wire));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("Watched")]
    public void FromWire_KnowsOnlyTheWireNames(string? wire) => Assert.Null(DeadlineWatch.FromWire(wire));
}
