using System.Globalization;
using System.Text.Json;
using JmlDsr.Domain.Deadlines;
using Xunit;

namespace JmlDsr.Domain.Tests.Deadlines;

/// <summary>
/// The statutory clock of one request (UK GDPR Art 12(3), Art 12A), transition by transition, with real dates: the ICO's
/// calendar-month method, UK days across the BST/GMT changes, bank holidays, month ends and a leap year.
/// </summary>
public sealed class RequestClockTests
{
    private static readonly BankHolidayCalendar Calendar = BankHolidayCalendar.EnglandAndWales;
    private static readonly int[] SevenAndTwo = [7, 2];

    /// <summary>How the request index keeps the workflow's state (WorkflowStates: System.Text.Json, web defaults).</summary>
    private static readonly JsonSerializerOptions IndexJson = new(JsonSerializerDefaults.Web);

    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An instant written with its offset (Z for UTC).</summary>
    private static DateTimeOffset T(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static DateTime Utc(string s) => T(s).UtcDateTime;

    private static DateTime? UtcOrNull(string? s) => s is null ? null : Utc(s);

    private static RequestClock Received(string instant) => RequestClock.Start(T(instant), Calendar);

    // ---- Start: one calendar month from the UK day of receipt, on a working day (Art 12(3), ICO method) ----

    [Theory]
    [InlineData("2025-09-03T10:00:00Z", "2025-09-03", "2025-10-03", "2025-10-03T22:59:59.9999999Z")] // the ICO's own example: 3 Sept -> 3 Oct (a Friday, BST)
    [InlineData("2026-09-03T10:00:00Z", "2026-09-03", "2026-10-05", "2026-10-05T22:59:59.9999999Z")] // 3 Oct 2026 is a Saturday -> Monday 5 Oct
    [InlineData("2026-10-02T23:30:00Z", "2026-10-03", "2026-11-03", "2026-11-03T23:59:59.9999999Z")] // 00:30 BST on Sat 3 Oct is the UK day; due after the clocks go back: GMT
    [InlineData("2026-03-28T23:30:00Z", "2026-03-28", "2026-04-28", "2026-04-28T22:59:59.9999999Z")] // 23:30 GMT is still 28 Mar; due after the clocks go forward: BST
    [InlineData("2026-07-10T23:30:00+01:00", "2026-07-10", "2026-08-10", "2026-08-10T22:59:59.9999999Z")] // an instant given in BST
    [InlineData("2026-01-31T12:00:00Z", "2026-01-31", "2026-03-02", "2026-03-02T23:59:59.9999999Z")] // no 31 Feb -> 28 Feb, a Saturday -> Monday 2 Mar
    [InlineData("2028-01-31T12:00:00Z", "2028-01-31", "2028-02-29", "2028-02-29T23:59:59.9999999Z")] // leap year: 29 Feb 2028, a Tuesday
    [InlineData("2026-08-31T12:00:00Z", "2026-08-31", "2026-09-30", "2026-09-30T22:59:59.9999999Z")] // month end: no 31 Sept -> 30 Sept; received on the summer bank holiday, which counts as day one
    [InlineData("2026-04-25T09:00:00Z", "2026-04-25", "2026-05-26", "2026-05-26T22:59:59.9999999Z")] // received on a Saturday; 25 May 2026 is the spring bank holiday -> Tuesday 26 May
    [InlineData("2026-11-25T09:00:00Z", "2026-11-25", "2026-12-29", "2026-12-29T23:59:59.9999999Z")] // 25 Dec (Fri), weekend, 28 Dec (Boxing Day substitute) -> Tuesday 29 Dec
    public void Start_CountsOneCalendarMonthFromTheUkDayOfReceipt_ToAWorkingDay(string receivedAt, string received, string due, string deadlineUtc)
    {
        var clock = Received(receivedAt);

        Assert.Equal(D(received), clock.Received);
        Assert.Equal(D(received), clock.Relevant);
        Assert.Equal(D(due), clock.Due);
        Assert.Equal(Utc(deadlineUtc), clock.DeadlineUtc);
        Assert.Equal(DateTimeKind.Utc, clock.DeadlineUtc.Kind);
        Assert.Equal(0, clock.PausedDays);
        Assert.Equal(0, clock.ClarificationDays);
        Assert.Equal(0, clock.DaysNotCounted);
        Assert.False(clock.Extended);
        Assert.False(clock.Escalated);
        Assert.Empty(clock.RemindersDone);
    }

    [Fact]
    public void Start_HonoursAConfiguredExtraBankHoliday()
    {
        var calendar = Calendar.With([D("2026-10-05")]);

        Assert.Equal(D("2026-10-06"), RequestClock.Start(T("2026-09-03T10:00:00Z"), calendar).Due);
    }

    // ---- IsOverdue / EscalationDue / Escalate ----

    [Theory]
    [InlineData("2026-03-28T12:00:00Z", "2026-04-28T22:59:59.9999999Z", false)] // due Tue 28 Apr (BST): the last tick of the UK day
    [InlineData("2026-03-28T12:00:00Z", "2026-04-28T23:00:00Z", true)]          // midnight BST: overdue
    [InlineData("2026-03-28T12:00:00Z", "2026-04-29T00:30:00+01:00", true)]     // the same, given in BST
    [InlineData("2026-11-25T09:00:00Z", "2026-12-29T23:59:59Z", false)]         // due Tue 29 Dec (GMT)
    [InlineData("2026-11-25T09:00:00Z", "2026-12-30T00:00:00Z", true)]
    [InlineData("2026-11-25T09:00:00Z", "2026-12-25T12:00:00Z", false)]
    public void IsOverdue_OnlyOnceTheUkDueDayHasEnded(string receivedAt, string now, bool overdue)
    {
        var clock = Received(receivedAt);

        Assert.Equal(overdue, clock.IsOverdue(T(now)));
        Assert.Equal(overdue, clock.EscalationDue(T(now)));
    }

    [Fact]
    public void Escalate_IsOnce_AndStopsTheClockWakingForTheDeadline()
    {
        var clock = Received("2026-01-05T10:00:00Z"); // due Thu 5 Feb 2026
        var after = T("2026-02-06T10:00:00Z");
        Assert.True(clock.EscalationDue(after));
        Assert.Equal(clock.DeadlineUtc, clock.NextWakeUtc(after, SevenAndTwo)); // overdue, not yet escalated: wake now (the deadline is past)

        var escalated = clock.Escalate();

        Assert.True(escalated.Escalated);
        Assert.True(escalated.IsOverdue(after));
        Assert.False(escalated.EscalationDue(after));
        Assert.False(escalated.EscalationDue(T("2026-03-06T10:00:00Z")));
        Assert.Null(escalated.NextWakeUtc(after, SevenAndTwo));
        Assert.False(clock.Escalated); // a value: the clock it came from is unchanged
    }

    // ---- RelevantTimeOn: Art 12A, the month begins with the latest of receipt, identity information and fee ----

    [Theory]
    [InlineData("2026-09-10T14:00:00Z", "2026-09-10", "2026-10-12", 7)]   // 10 Oct is a Saturday -> Monday 12 Oct
    [InlineData("2026-09-03T18:00:00Z", "2026-09-03", "2026-10-05", 0)]   // confirmed the day it was received: nothing moves
    [InlineData("2026-09-10T23:30:00Z", "2026-09-11", "2026-10-12", 8)]   // 00:30 BST on 11 Sept is the UK day; 11 Oct is a Sunday
    [InlineData("2026-10-25T00:30:00Z", "2026-10-25", "2026-11-25", 52)]  // 01:30 BST on the night the clocks go back
    [InlineData("2026-11-25T10:00:00Z", "2026-11-25", "2026-12-29", 83)]  // over Christmas and the Boxing Day substitute
    [InlineData("2026-09-01T09:00:00Z", "2026-09-03", "2026-10-05", 0)]   // before receipt: the relevant time never moves back
    public void RelevantTimeOn_MovesTheMonthToTheDayTheInformationArrived(string on, string relevant, string due, int pausedDays)
    {
        var clock = Received("2026-09-03T10:00:00Z").RelevantTimeOn(T(on), T(on), Calendar);

        Assert.Equal(D("2026-09-03"), clock.Received);
        Assert.Equal(D(relevant), clock.Relevant);
        Assert.Equal(D(due), clock.Due);
        Assert.Equal(pausedDays, clock.PausedDays);
        Assert.Equal(pausedDays, clock.DaysNotCounted);
    }

    [Fact]
    public void RelevantTimeOn_NeverMovesBack_AnEarlierConfirmationChangesNothing()
    {
        var fee = Received("2026-09-03T10:00:00Z").RelevantTimeOn(T("2026-09-17T10:00:00Z"), T("2026-09-17T10:00:00Z"), Calendar); // a fee paid on 17 Sept
        var identity = fee.RelevantTimeOn(T("2026-09-10T10:00:00Z"), T("2026-09-18T10:00:00Z"), Calendar);                        // identity had come on 10 Sept

        Assert.Equal(D("2026-09-17"), identity.Relevant);
        Assert.Equal(D("2026-10-19"), identity.Due); // 17 Oct is a Saturday
        Assert.Equal(14, identity.PausedDays);
        Assert.Equal(fee, identity);
    }

    [Theory]
    [InlineData("2026-01-10T10:00:00Z", "2026-02-07T10:00:00Z", "2026-02-10", false)] // the new due date is ahead: watched afresh
    [InlineData("2026-01-06T10:00:00Z", "2026-02-20T10:00:00Z", "2026-02-06", true)]  // the new due date has passed too: the escalation stands
    [InlineData("2026-01-12T10:00:00Z", "2026-02-13T00:30:00Z", "2026-02-12", true)]  // passed 30 minutes ago
    [InlineData("2026-01-02T10:00:00Z", "2026-02-07T10:00:00Z", "2026-02-05", true)]  // before receipt: nothing moves, the escalation stands
    public void RelevantTimeOn_KeepsAnEscalation_OnlyWhileTheNewDueDateIsStillPast(string on, string now, string due, bool escalated)
    {
        var overdue = Received("2026-01-05T10:00:00Z"); // due Thu 5 Feb 2026
        Assert.True(overdue.EscalationDue(T("2026-02-06T10:00:00Z")));

        var clock = overdue.Escalate().RelevantTimeOn(T(on), T(now), Calendar);

        Assert.Equal(D(due), clock.Due);
        Assert.Equal(escalated, clock.Escalated);
        Assert.False(clock.EscalationDue(T(now)));
        Assert.Equal(!escalated, clock.NextWakeUtc(T(now), SevenAndTwo) is not null);
    }

    [Fact]
    public void RelevantTimeOn_AnOverdueClockNotYetEscalated_StillHasItsEscalationDue()
    {
        var clock = Received("2026-01-05T10:00:00Z").RelevantTimeOn(T("2026-01-06T10:00:00Z"), T("2026-02-20T10:00:00Z"), Calendar);

        Assert.False(clock.Escalated);
        Assert.True(clock.EscalationDue(T("2026-02-20T10:00:00Z")));
    }

    // ---- Clarified: Art 12A, from the day asked to the day answered, both included, do not count ----

    [Theory]
    [InlineData("2026-09-02T10:00:00Z", "2026-09-10", "2026-09-12", 3, "2026-10-05")] // 2 Oct + 3 days = Mon 5 Oct
    [InlineData("2026-09-02T10:00:00Z", "2026-09-10", "2026-09-10", 1, "2026-10-05")] // asked and answered the same day: one day; 3 Oct is a Saturday
    [InlineData("2026-09-02T10:00:00Z", "2026-09-14", "2026-09-27", 14, "2026-10-16")]
    [InlineData("2026-09-02T10:00:00Z", "2026-09-10", "2026-09-09", 0, "2026-10-02")] // an answer dated before the question counts nothing
    [InlineData("2026-11-20T10:00:00Z", "2026-12-01", "2026-12-04", 4, "2026-12-24")] // 20 Dec + 4 = Thu 24 Dec (20 Dec alone, a Sunday, would have been 21 Dec)
    [InlineData("2026-11-20T10:00:00Z", "2026-12-01", "2026-12-05", 5, "2026-12-29")] // 25 Dec, a bank holiday -> past the weekend and the 28 Dec substitute
    [InlineData("2028-01-29T10:00:00Z", "2028-02-01", "2028-02-01", 1, "2028-03-01")] // leap year: 29 Feb + 1 = Wed 1 Mar 2028
    public void Clarified_AddsTheDaysFromAskingToAnswering_BothIncluded(string receivedAt, string asked, string answered, int days, string due)
    {
        var clock = Received(receivedAt).Clarified(D(asked), D(answered), T(answered + "T12:00:00Z"), Calendar);

        Assert.Equal(days, clock.ClarificationDays);
        Assert.Equal(D(due), clock.Due);
        Assert.Equal(0, clock.PausedDays);
        Assert.Equal(days, clock.DaysNotCounted);
    }

    [Fact]
    public void Clarified_Twice_AddsBothPauses_OnTopOfTheDaysWaitingForIdentity()
    {
        var clock = Received("2026-09-02T10:00:00Z")
            .RelevantTimeOn(T("2026-09-04T10:00:00Z"), T("2026-09-04T10:00:00Z"), Calendar) // 4 Oct is a Sunday -> 5 Oct
            .Clarified(D("2026-09-10"), D("2026-09-12"), T("2026-09-12T10:00:00Z"), Calendar)  // +3
            .Clarified(D("2026-09-20"), D("2026-09-21"), T("2026-09-21T10:00:00Z"), Calendar); // +2

        Assert.Equal(5, clock.ClarificationDays);
        Assert.Equal(2, clock.PausedDays);
        Assert.Equal(7, clock.DaysNotCounted);
        Assert.Equal(D("2026-10-09"), clock.Due); // 4 Oct + 5 = Fri 9 Oct
    }

    [Theory]
    [InlineData("2026-02-02", "2026-02-09", "2026-02-09T10:00:00Z", "2026-02-13", false)] // 5 Feb + 8 = Fri 13 Feb: ahead, watched afresh
    [InlineData("2026-02-02", "2026-02-03", "2026-02-10T10:00:00Z", "2026-02-09", true)]  // 5 Feb + 2 = Sat 7 Feb -> Mon 9 Feb: past, the escalation stands
    public void Clarified_KeepsAnEscalation_OnlyWhileTheNewDueDateIsStillPast(string asked, string answered, string now, string due, bool escalated)
    {
        var clock = Received("2026-01-05T10:00:00Z").Escalate().Clarified(D(asked), D(answered), T(now), Calendar);

        Assert.Equal(D(due), clock.Due);
        Assert.Equal(escalated, clock.Escalated);
    }

    // ---- CanExtend / Extend: Art 12(3), two further months, by notice within the first month, once ----

    [Theory]
    [InlineData("2026-09-03T10:00:00Z", ExtensionCheck.Allowed)]     // the first day
    [InlineData("2026-09-20T10:00:00Z", ExtensionCheck.Allowed)]
    [InlineData("2026-10-05T22:30:00Z", ExtensionCheck.Allowed)]     // 23:30 BST on the due day: still within the month
    [InlineData("2026-10-05T23:30:00Z", ExtensionCheck.TooLate)]     // 00:30 BST the day after
    [InlineData("2026-10-06T09:00:00Z", ExtensionCheck.TooLate)]
    [InlineData("2026-12-01T09:00:00Z", ExtensionCheck.TooLate)]
    public void CanExtend_OnlyUntilTheFirstMonthsDueDate(string now, ExtensionCheck expected) =>
        Assert.Equal(expected, Received("2026-09-03T10:00:00Z").CanExtend(T(now))); // due Mon 5 Oct 2026

    [Fact]
    public void CanExtend_TheClarificationPauseDoesNotCountTowardsTheMonthForNotice()
    {
        var clock = Received("2026-09-03T10:00:00Z").Clarified(D("2026-09-14"), D("2026-09-16"), T("2026-09-16T10:00:00Z"), Calendar);

        Assert.Equal(D("2026-10-06"), clock.Due); // 3 Oct + 3 = Tue 6 Oct
        Assert.Equal(ExtensionCheck.Allowed, clock.CanExtend(T("2026-10-06T12:00:00Z")));
        Assert.Equal(ExtensionCheck.TooLate, clock.CanExtend(T("2026-10-07T12:00:00Z")));
    }

    [Theory]
    [InlineData("2026-09-02T10:00:00Z", "2026-12-02")] // 2 Sept -> 2 Dec (Wed)
    [InlineData("2026-01-31T10:00:00Z", "2026-04-30")] // no 31 Apr -> 30 Apr (Thu)
    [InlineData("2027-11-30T10:00:00Z", "2028-02-29")] // leap year: no 30 Feb -> 29 Feb 2028 (Tue)
    [InlineData("2026-09-25T10:00:00Z", "2026-12-29")] // 25 Dec, then the weekend and the 28 Dec substitute -> Tue 29 Dec
    [InlineData("2026-08-03T10:00:00Z", "2026-11-03")] // received in BST, due in GMT
    public void Extend_GivesThreeCalendarMonthsFromTheRelevantTime(string receivedAt, string due)
    {
        var first = Received(receivedAt);
        Assert.Equal(ExtensionCheck.Allowed, first.CanExtend(T(receivedAt)));

        var clock = first.Extend(Calendar);

        Assert.True(clock.Extended);
        Assert.Equal(D(due), clock.Due);
        Assert.Equal(StatutoryClock.EndOfUkDayUtc(D(due)), clock.DeadlineUtc);
        Assert.False(first.Extended);
    }

    [Fact]
    public void Extend_KeepsTheDaysNotCounted()
    {
        var clock = Received("2026-09-02T10:00:00Z")
            .RelevantTimeOn(T("2026-09-04T10:00:00Z"), T("2026-09-04T10:00:00Z"), Calendar)
            .Clarified(D("2026-09-10"), D("2026-09-12"), T("2026-09-12T10:00:00Z"), Calendar)
            .Extend(Calendar);

        Assert.Equal(D("2026-12-07"), clock.Due); // 4 Dec + 3 = Mon 7 Dec
        Assert.Equal(5, clock.DaysNotCounted);
    }

    [Fact]
    public void Extend_IsRefusedOnceExtended()
    {
        var clock = Received("2026-09-02T10:00:00Z").Extend(Calendar);

        Assert.Equal(ExtensionCheck.AlreadyExtended, clock.CanExtend(T("2026-09-03T10:00:00Z")));
        Assert.Equal(ExtensionCheck.AlreadyExtended, clock.CanExtend(T("2027-01-10T10:00:00Z")));
        Assert.Throws<InvalidOperationException>(() => clock.Extend(Calendar));
    }

    [Fact]
    public void Extend_LaterClarification_MovesTheExtendedDueDate()
    {
        var clock = Received("2026-09-02T10:00:00Z").Extend(Calendar).Clarified(D("2026-10-12"), D("2026-10-15"), T("2026-10-15T10:00:00Z"), Calendar);

        Assert.Equal(D("2026-12-07"), clock.Due); // 2 Dec + 4 = Sun 6 Dec -> Mon 7 Dec
    }

    // ---- Reminders: 09:00 UK time N days before the due date; a late start sends one; none once overdue ----

    /// <summary>Due Fri 2 Oct 2026 (BST): the 7-day reminder is 25 Sept 08:00 UTC, the 2-day one 30 Sept 08:00 UTC.</summary>
    [Theory]
    [InlineData("2026-09-20T12:00:00Z", "", null, "2026-09-25T08:00:00Z", "2026-09-25T08:00:00Z")]
    [InlineData("2026-09-25T07:59:59Z", "", null, "2026-09-25T08:00:00Z", "2026-09-25T08:00:00Z")]
    [InlineData("2026-09-25T08:00:00Z", "", 7, "2026-09-30T08:00:00Z", "2026-09-30T08:00:00Z")]      // 09:00 BST: the 7-day reminder is due
    [InlineData("2026-09-25T08:00:00Z", "7", null, "2026-09-30T08:00:00Z", "2026-09-30T08:00:00Z")]
    [InlineData("2026-09-28T10:00:00Z", "", 7, "2026-09-30T08:00:00Z", "2026-09-30T08:00:00Z")]      // a late start: the 7-day one, once
    [InlineData("2026-09-30T09:00:00Z", "", 2, null, "2026-10-02T22:59:59.9999999Z")]                // both passed, none sent: only the latest, not a burst
    [InlineData("2026-09-30T09:00:00Z", "7", 2, null, "2026-10-02T22:59:59.9999999Z")]
    [InlineData("2026-09-30T09:00:00Z", "2", null, null, "2026-10-02T22:59:59.9999999Z")]              // the 2-day one passed the 7-day one over
    [InlineData("2026-09-30T09:00:00Z", "7,2", null, null, "2026-10-02T22:59:59.9999999Z")]
    [InlineData("2026-10-02T22:59:59Z", "", 2, null, "2026-10-02T22:59:59.9999999Z")]                  // the last second of the due day
    [InlineData("2026-10-02T23:00:00Z", "", null, null, "2026-10-02T22:59:59.9999999Z")]               // overdue: no reminder, the escalation speaks
    [InlineData("2026-10-20T09:00:00Z", "7", null, null, "2026-10-02T22:59:59.9999999Z")]
    public void Reminders_DueNextAndWake(string now, string sent, int? due, string? next, string wake)
    {
        var clock = Received("2026-09-02T10:00:00Z");
        foreach (var d in sent.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            clock = clock.Reminded(int.Parse(d, CultureInfo.InvariantCulture), SevenAndTwo);
        }

        Assert.Equal(D("2026-10-02"), clock.Due);
        Assert.Equal(due, clock.ReminderDue(T(now), SevenAndTwo));
        Assert.Equal(UtcOrNull(next), clock.NextReminderAt(T(now), SevenAndTwo));
        Assert.Equal(Utc(wake), clock.NextWakeUtc(T(now), SevenAndTwo));
    }

    [Fact]
    public void Reminders_ConfiguredDaysInAnyOrder_GiveTheSameAnswers()
    {
        var clock = Received("2026-09-02T10:00:00Z");
        int[] reversed = [2, 7];

        Assert.Equal(7, clock.ReminderDue(T("2026-09-26T10:00:00Z"), reversed));
        Assert.Equal(2, clock.ReminderDue(T("2026-10-01T10:00:00Z"), reversed));
        Assert.Equal(Utc("2026-09-25T08:00:00Z"), clock.NextReminderAt(T("2026-09-20T10:00:00Z"), reversed));
    }

    [Fact]
    public void Reminders_ALateStartWithThreeReminders_SendsOnlyTheLatestThatIsDue_AndPassesTheEarlierOver()
    {
        int[] days = [14, 7, 1];
        var clock = Received("2026-09-02T10:00:00Z"); // due 2 Oct: reminders 18 Sept, 25 Sept, 1 Oct, 08:00 UTC
        var now = T("2026-09-26T10:00:00Z");

        Assert.Equal(7, clock.ReminderDue(now, days));
        var reminded = clock.Reminded(7, days);

        Assert.Equal(["2026-10-02/14", "2026-10-02/7"], reminded.RemindersDone.Order(StringComparer.Ordinal));
        Assert.Null(reminded.ReminderDue(now, days));
        Assert.Equal(Utc("2026-10-01T08:00:00Z"), reminded.NextReminderAt(now, days));
        Assert.Equal(1, reminded.ReminderDue(T("2026-10-01T08:00:00Z"), days));
    }

    [Fact]
    public void Reminded_PassesOverOnlyEarlierReminders_AndRecordsEachOnce()
    {
        var clock = Received("2026-09-02T10:00:00Z");

        Assert.Equal(["2026-10-02/7"], clock.Reminded(7, SevenAndTwo).RemindersDone);
        Assert.Equal(["2026-10-02/2", "2026-10-02/7"], clock.Reminded(2, SevenAndTwo).RemindersDone.Order(StringComparer.Ordinal));
        Assert.Equal(["2026-10-02/7"], clock.Reminded(7, SevenAndTwo).Reminded(7, SevenAndTwo).RemindersDone);
        Assert.Equal("2026-10-02/7", clock.ReminderKey(7));
        Assert.Empty(clock.RemindersDone); // a value: the clock it came from is unchanged
    }

    [Theory]
    [InlineData("2026-03-02T10:00:00Z", "2026-04-02", "2026-03-26T09:00:00Z", "2026-03-31T08:00:00Z")] // the 7-day reminder in GMT, the 2-day one in BST (clocks forward 29 Mar)
    [InlineData("2026-10-02T10:00:00Z", "2026-11-02", "2026-10-26T09:00:00Z", "2026-10-31T09:00:00Z")] // both in GMT (clocks back 25 Oct), counted from a BST receipt
    public void Reminders_AreAt9amUkTime_OnEitherSideOfAClockChange(string receivedAt, string due, string sevenUtc, string twoUtc)
    {
        var clock = Received(receivedAt);

        Assert.Equal(D(due), clock.Due);
        Assert.Equal(Utc(sevenUtc), clock.NextReminderAt(T(receivedAt), SevenAndTwo));
        Assert.Equal(Utc(twoUtc), clock.Reminded(7, SevenAndTwo).NextReminderAt(T(sevenUtc), SevenAndTwo));
        Assert.Null(clock.ReminderDue(T(sevenUtc).AddSeconds(-1), SevenAndTwo));
        Assert.Equal(7, clock.ReminderDue(T(sevenUtc), SevenAndTwo));
    }

    [Fact]
    public void Reminders_AreReArmedByTheExtendedDueDate()
    {
        var sent = Received("2026-09-02T10:00:00Z").Reminded(7, SevenAndTwo).Reminded(2, SevenAndTwo); // both sent for 2 Oct
        Assert.Null(sent.ReminderDue(T("2026-10-01T10:00:00Z"), SevenAndTwo));
        Assert.Equal(ExtensionCheck.Allowed, sent.CanExtend(T("2026-10-01T10:00:00Z")));

        var extended = sent.Extend(Calendar); // due Wed 2 Dec 2026, in GMT

        Assert.Equal("2026-12-02/7", extended.ReminderKey(7));
        Assert.Null(extended.ReminderDue(T("2026-10-01T10:00:00Z"), SevenAndTwo));
        Assert.Equal(Utc("2026-11-25T09:00:00Z"), extended.NextReminderAt(T("2026-10-01T10:00:00Z"), SevenAndTwo));
        Assert.Equal(Utc("2026-11-25T09:00:00Z"), extended.NextWakeUtc(T("2026-10-01T10:00:00Z"), SevenAndTwo));
        Assert.Equal(7, extended.ReminderDue(T("2026-11-25T09:00:00Z"), SevenAndTwo));
        Assert.Equal(2, extended.Reminded(7, SevenAndTwo).ReminderDue(T("2026-11-30T09:00:00Z"), SevenAndTwo));
    }

    [Fact]
    public void Reminders_AreReArmedByALaterRelevantTime_ButNotWhenTheDueDateStays()
    {
        var sent = Received("2026-09-03T10:00:00Z").Reminded(7, SevenAndTwo); // due 5 Oct: sent 28 Sept

        var same = sent.RelevantTimeOn(T("2026-09-03T15:00:00Z"), T("2026-09-28T10:00:00Z"), Calendar);
        Assert.Equal(sent.Due, same.Due);
        Assert.Null(same.ReminderDue(T("2026-09-28T10:00:00Z"), SevenAndTwo));

        var later = sent.RelevantTimeOn(T("2026-09-10T10:00:00Z"), T("2026-09-28T10:00:00Z"), Calendar); // due Mon 12 Oct
        Assert.Equal(D("2026-10-12"), later.Due);
        Assert.Equal(Utc("2026-10-05T08:00:00Z"), later.NextReminderAt(T("2026-09-28T10:00:00Z"), SevenAndTwo));
        Assert.Equal(7, later.ReminderDue(T("2026-10-05T08:00:00Z"), SevenAndTwo));
    }

    [Fact]
    public void Reminders_AClarificationThatMovesTheDueDate_ReArmsThem()
    {
        var sent = Received("2026-09-02T10:00:00Z").Reminded(7, SevenAndTwo); // due 2 Oct
        var clarified = sent.Clarified(D("2026-09-26"), D("2026-09-28"), T("2026-09-28T10:00:00Z"), Calendar); // +3 -> Mon 5 Oct

        Assert.Equal(D("2026-10-05"), clarified.Due);
        Assert.Equal(7, clarified.ReminderDue(T("2026-09-28T10:00:00Z"), SevenAndTwo)); // 28 Sept 09:00 BST has passed for the new date
        Assert.Equal(Utc("2026-10-03T08:00:00Z"), clarified.Reminded(7, SevenAndTwo).NextReminderAt(T("2026-09-28T10:00:00Z"), SevenAndTwo));
    }

    // ---- NextWakeUtc: the next reminder or the deadline, whichever is first; none once escalated ----

    [Fact]
    public void NextWakeUtc_IsTheDeadline_WhenNoRemindersAreConfigured()
    {
        var clock = Received("2026-09-02T10:00:00Z");

        Assert.Equal(Utc("2026-10-02T22:59:59.9999999Z"), clock.NextWakeUtc(T("2026-09-02T10:00:00Z"), []));
        Assert.Null(clock.NextReminderAt(T("2026-09-02T10:00:00Z"), []));
        Assert.Null(clock.ReminderDue(T("2026-10-01T10:00:00Z"), []));
    }

    [Fact]
    public void NextWakeUtc_IsNull_OnceEscalated_AndTheDeadlineOrAReminderAgain_WhenANewDueDateIsAhead()
    {
        var escalated = Received("2026-01-05T10:00:00Z").Escalate();
        Assert.Null(escalated.NextWakeUtc(T("2026-02-06T10:00:00Z"), SevenAndTwo));

        // The escalation is cleared by a due date that is ahead again: the clock wakes for it.
        var rewatched = escalated.RelevantTimeOn(T("2026-01-20T10:00:00Z"), T("2026-02-06T10:00:00Z"), Calendar); // due Fri 20 Feb
        Assert.Equal(Utc("2026-02-13T09:00:00Z"), rewatched.NextWakeUtc(T("2026-02-06T10:00:00Z"), SevenAndTwo));
        Assert.Equal(Utc("2026-02-20T23:59:59.9999999Z"), rewatched.Reminded(7, SevenAndTwo).Reminded(2, SevenAndTwo).NextWakeUtc(T("2026-02-19T10:00:00Z"), SevenAndTwo));
    }

    // ---- A value the request index records and a restarted workflow resumes ----

    [Fact]
    public void AClock_ReadBackFromTheRequestIndex_AnswersTheSame()
    {
        var clock = Received("2026-09-02T10:00:00Z")
            .RelevantTimeOn(T("2026-09-04T10:00:00Z"), T("2026-09-04T10:00:00Z"), Calendar)
            .Clarified(D("2026-09-10"), D("2026-09-12"), T("2026-09-12T10:00:00Z"), Calendar)
            .Reminded(7, SevenAndTwo);
        var json = JsonSerializer.Serialize(clock, IndexJson);

        var back = JsonSerializer.Deserialize<RequestClock>(json, IndexJson)!;

        Assert.Equal(clock.Received, back.Received);
        Assert.Equal(clock.Relevant, back.Relevant);
        Assert.Equal(clock.ClarificationDays, back.ClarificationDays);
        Assert.Equal(clock.Due, back.Due);
        Assert.Equal(clock.DeadlineUtc, back.DeadlineUtc);
        Assert.Equal(clock.RemindersDone, back.RemindersDone);
        var now = T("2026-10-06T10:00:00Z");
        Assert.Equal(clock.ReminderDue(now, SevenAndTwo), back.ReminderDue(now, SevenAndTwo));
        Assert.Equal(clock.NextWakeUtc(now, SevenAndTwo), back.NextWakeUtc(now, SevenAndTwo));
    }

    /// <summary>
    /// A record's generated equality compares <see cref="RequestClock.RemindersDone"/> by reference, so two clocks that went
    /// through the same transitions, or one read back from the index, are not equal: the clock is not yet the value it says.
    /// </summary>
    [Fact]
    public void AClock_IsAValue_EqualAfterTheSameTransitions_AndAfterARoundTrip()
    {
        var a = Received("2026-09-02T10:00:00Z").Reminded(7, SevenAndTwo);
        var b = Received("2026-09-02T10:00:00Z").Reminded(7, SevenAndTwo);
        var back = JsonSerializer.Deserialize<RequestClock>(JsonSerializer.Serialize(a, IndexJson), IndexJson);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a, back);
    }
}
