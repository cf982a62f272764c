using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Lift a restriction: the decision staff took (the reason is what the requester is told).</summary>
public sealed record RestrictionLiftInput(string Reference, DateTimeOffset ReceivedAt, LinkDecision Lift, DsrSettings Settings);

/// <summary>One scheduled round of erasing retained records: the lines still retained (no values: systems, categories, counts, dates).</summary>
public sealed record RetainedErasureInput(string Reference, int Round, IReadOnlyList<ErasureLineResult> Lines, DateTimeOffset ReceivedAt, string? HoldLiftedBy, DsrSettings Settings);

/// <summary>Record (or end) a request's erasure schedule: the retained lines and when they are next decided (null: when a legal hold is lifted).</summary>
public sealed record ScheduleErasureInput(string Reference, int Round, IReadOnlyList<ErasureLineResult> Retained, DateTimeOffset? RunAt, DateTimeOffset ReceivedAt, bool HeldDecided, DateTimeOffset At);

/// <summary>
/// Art 18(3) and Art 18(2) after the request was answered: staff decided to lift a restriction. A short workflow of its
/// own (the notice period, days), started by the lift action — the request's workflow ended with the response.
/// Instance id <c>{reference}-lift</c>.
/// </summary>
public static class RestrictionLiftOrchestrator
{
    public static string InstanceId(string reference) => reference + "-lift";

    [Function(nameof(RestrictionLiftOrchestrator))]
    public static Task<DsrOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<RestrictionLiftInput>() ?? throw new InvalidOperationException("RestrictionLiftOrchestrator needs its input.");
        return RunAsync(context, input);
    }

    public static async Task<DsrOutcome> RunAsync(TaskOrchestrationContext context, RestrictionLiftInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var flow = new DsrFlow(context, new DsrInput(input.Reference, RequestType.Restriction, input.ReceivedAt, input.Settings), recordsState: false);
        await RestrictionFulfilment.LiftAsync(flow, input.Lift);
        return flow.Outcome();
    }
}

/// <summary>
/// Art 17(1)(a) when a retention rule ends, or Art 17(3)(e) when a legal hold is lifted: one round of erasing retained
/// records, started by the schedule sweep (<see cref="ScheduledErasures"/>). It erases in the systems whose time came,
/// tells the requester, forgets the person in JML's own records again, and schedules the next round if anything is
/// still retained. Instance id <c>{reference}-erasure-{round}</c>.
/// </summary>
public static class RetainedErasureOrchestrator
{
    public static string InstanceId(string reference, int round) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reference}-erasure-{round}");

    [Function(nameof(RetainedErasureOrchestrator))]
    public static Task<DsrOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<RetainedErasureInput>() ?? throw new InvalidOperationException("RetainedErasureOrchestrator needs its input.");
        return RunAsync(context, input);
    }

    public static async Task<DsrOutcome> RunAsync(TaskOrchestrationContext context, RetainedErasureInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var flow = new DsrFlow(context, new DsrInput(input.Reference, RequestType.Erasure, input.ReceivedAt, input.Settings), recordsState: false);
        var heldDecided = !input.Lines.Any(l => l.Outcome == ErasureOutcomes.Retained && l.RetainUntil is not null);
        var lines = await ErasureFulfilment.RoundAsync(flow, [.. input.Lines], input.Round, input.HoldLiftedBy);
        await ErasureFulfilment.ScheduleAsync(flow, lines, input.Round + 1, heldDecided);
        return flow.Outcome();
    }
}
