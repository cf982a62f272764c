using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Extensions.Options;
using Xunit;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>Where a restarted workflow resumes: the state it recorded, or, for a row written before it recorded one, what the index says.</summary>
public sealed class WorkflowStarterTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly WorkflowStarter _starter = new(Options.Create(new DsrOptions()), Domain.Gathering.DataMap.Shipped);

    [Fact]
    public void RecordedState_IsResumedAsRecorded_InANewRun_AskingTheDecisionAgainInANewRound()
    {
        var clock = RequestClock.Start(Received, BankHolidayCalendar.EnglandAndWales).Extend(BankHolidayCalendar.EnglandAndWales);
        var row = Row(RequestStatus.AwaitingApproval, workflow: WorkflowStates.ToJson(new WorkflowState(WorkflowPhases.Decide, clock, RequestType.Access, DecisionRound: 2)));

        var state = _starter.RecordedState(row);

        Assert.Equal(WorkflowPhases.Decide, state.Phase);
        Assert.Equal(clock, state.Clock with { RemindersDone = clock.RemindersDone });
        Assert.Equal(3, state.DecisionRound); // new links; the old round's decide nothing
        Assert.Equal(2, state.Run);
    }

    [Fact]
    public void RecordedState_InFulfilment_KeepsTheApprovedDecision()
    {
        var clock = RequestClock.Start(Received, BankHolidayCalendar.EnglandAndWales);
        var row = Row(RequestStatus.Fulfilling, workflow: WorkflowStates.ToJson(new WorkflowState(WorkflowPhases.Fulfil, clock, RequestType.Erasure, "approval-1", 1, Run: 2)));

        var state = _starter.RecordedState(row);

        Assert.Equal((WorkflowPhases.Fulfil, "approval-1", 1, 3), (state.Phase, state.ApprovedStep, state.DecisionRound, state.Run));
    }

    [Theory]
    [InlineData(RequestStatus.AwaitingIdentity, WorkflowPhases.Start)]
    [InlineData(RequestStatus.NeedsTriage, WorkflowPhases.Start)]
    [InlineData(RequestStatus.GatheringFailed, WorkflowPhases.Decide)]
    [InlineData(RequestStatus.AwaitingClarification, WorkflowPhases.Decide)]
    [InlineData(RequestStatus.Fulfilling, WorkflowPhases.Decide)] // the approval is not on the index: asked again
    [InlineData(RequestStatus.Restricted, WorkflowPhases.Done)]
    public void WithoutARecordedState_ThePhaseFollowsTheIndexStatus(string status, string phase) =>
        Assert.Equal(phase, _starter.RecordedState(Row(status)).Phase);

    [Fact]
    public void WithoutARecordedState_TheClockIsRebuiltFromTheIndex()
    {
        // Received 2 Nov, confirmed 4 Nov (2 days paused), 5 clarification days, extended: due 4 Feb + 5 days = 9 Feb 2027.
        var row = Row(RequestStatus.AwaitingApproval);
        row.RelevantDate = "2026-11-04";
        row.PausedDays = 7;
        row.Extended = true;
        row.CurrentStep = "approval-2";

        var state = _starter.RecordedState(row);

        Assert.Equal(new DateOnly(2026, 11, 4), state.Clock.Relevant);
        Assert.Equal(5, state.Clock.ClarificationDays);
        Assert.True(state.Clock.Extended);
        Assert.Equal(StatutoryClock.DueDate(new DateOnly(2026, 11, 4), 5, true, BankHolidayCalendar.EnglandAndWales), state.Clock.Due);
        Assert.Equal(3, state.DecisionRound);
    }

    private static RequestRecord Row(string status, string? workflow = null) =>
        new() { RowKey = "DSR-2026-00042", Type = RequestType.Access.ToWire(), Status = status, ReceivedAt = Received, Workflow = workflow };
}
