using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Art 17: every system erases or anonymises, unless a retention rule keeps the data (Art 17(3)(b), (e)); the requester
/// and the recipients are told; the person leaves JML's own records of the request. Retained data is restricted and
/// erased when its rule ends: that is scheduled work (<see cref="ScheduledErasures"/>, one short
/// <see cref="RetainedErasureOrchestrator"/> per round), not a workflow waiting for years.
/// </summary>
internal static class ErasureFulfilment
{
    internal static async Task RunAsync(DsrFlow flow, IReadOnlyList<GatherSummary> systems)
    {
        if (DsrVersions.AtLeast(flow.Context, DsrVersions.ProportionateIdentity))
        {
            await AfterLinkedAccessAsync(flow);
        }

        await SystemsPhase.WhilePausedAsync(flow);
        await flow.ProgressAsync(RequestStatus.Fulfilling, "fulfilling", "Erasing in every system, keeping only what a retention rule requires.");
        var results = await EraseInAsync(flow, systems.Select(s => s.SystemId).ToList(), 0, "Erasure");
        var lines = results.SelectMany(r => r.Lines).ToList();
        foreach (var owner in (await SystemsPhase.OwnerTasksAsync(flow, OwnerTaskPurposes.Erasure, null)).Where(o => o.Done))
        {
            // Erased by its owner, by hand: as many records as the owner sent for the copy, in the system's own words.
            var count = systems.FirstOrDefault(s => s.SystemId == owner.SystemId)?.RecordCount ?? 0;
            lines.Add(new ErasureLineResult(owner.SystemId, "records", count, ErasureOutcomes.Erased, $"Erased by hand in the system ({owner.How}).", null));
        }
        var partners = await flow.NotifyPartnersAsync(PartnerActions.Erasure, lines.Select(l => l.SystemId).Distinct().ToList());
        await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, SendRightsOutcome.Erasure, partners, lines, null, null, flow.Now));
        await ForgetAsync(flow);
        await flow.CompleteAsync(RequestStatus.Completed,
            $"Erasure done: {Count(lines, ErasureOutcomes.Erased)} erased, {Count(lines, ErasureOutcomes.Anonymised)} anonymised, {Count(lines, ErasureOutcomes.Retained)} retained");

        if (flow.ShortWorkflow)
        {
            await ScheduleAsync(flow, lines, 1);
        }
        else
        {
            await LegacyRoundsAsync(flow, lines);
        }
    }

    /// <summary>
    /// "Send me a copy, then delete it": an erasure opened from the same message as an access request runs once the access
    /// is answered and the person has had their copy (<see cref="LinkedRequests.ErasureWaitsFor"/>), looking again when the
    /// access workflow says it is done and every six hours; the deadline races the wait.
    /// </summary>
    private static async Task AfterLinkedAccessAsync(DsrFlow flow)
    {
        for (var look = 0; ; look++)
        {
            var wait = await flow.Steps.CallAsync(DsrActivities.CheckLinked, new LinkedInput(flow.Ref, flow.Clock.Due, flow.Now));
            if (wait.Why is null)
            {
                return;
            }

            if (look == 0)
            {
                await flow.ProgressAsync(RequestStatus.Fulfilling, "waiting-for-linked", $"Approved; the erasure runs once {wait.Why}.");
            }

            await flow.Wait.ForAsync<LinkDecision>(DsrEvents.LinkedAnswered, flow.Now + TimeSpan.FromHours(6), step: null);
        }
    }

    /// <summary>
    /// One scheduled round: the systems whose retention ended (the earliest date first), or, when only records under a
    /// legal hold are left, the held ones once the hold was lifted. Returns every line after the round.
    /// </summary>
    internal static async Task<List<ErasureLineResult>> RoundAsync(DsrFlow flow, List<ErasureLineResult> lines, int round, string? holdLiftedBy)
    {
        var dated = lines.Where(l => l.Outcome == ErasureOutcomes.Retained && l.RetainUntil is not null).ToList();
        var held = lines.Where(l => l.Outcome == ErasureOutcomes.Retained && l.RetainUntil is null).ToList();
        DateOnly? next = dated.Count > 0 ? dated.Min(l => l.RetainUntil!.Value) : null;
        var dueSystems = (next is { } n ? dated.Where(l => l.RetainUntil <= n) : held).Select(l => l.SystemId).Distinct().ToList();
        var when = next is not null ? $"Retention ended {next:yyyy-MM-dd}" : $"The legal hold was lifted by {holdLiftedBy ?? "the privacy team"}";
        return await EraseDueAsync(flow, lines, dueSystems, round, next, when);
    }

    /// <summary>Records what is still retained and when it is next decided, for the sweep to start the next round (none left: the schedule ends).</summary>
    internal static async Task ScheduleAsync(DsrFlow flow, List<ErasureLineResult> lines, int round, bool heldDecided = false)
    {
        var retained = lines.Where(l => l.Outcome == ErasureOutcomes.Retained).ToList();
        var dated = retained.Where(l => l.RetainUntil is not null).ToList();
        DateTimeOffset? runAt = null;
        if (dated.Count > 0)
        {
            var next = dated.Min(l => l.RetainUntil!.Value);
            runAt = new DateTimeOffset(StatutoryClock.EndOfUkDayUtc(next).AddTicks(1), TimeSpan.Zero);
            await flow.AuditAsync($"erasure-scheduled-{round}", $"{dated.Sum(l => l.Count)} retained record(s) are scheduled; the next erasure runs when retention ends after {next:yyyy-MM-dd}.");
        }
        else if (retained.Count > 0)
        {
            await flow.AuditAsync($"erasure-held-{round}", $"{retained.Sum(l => l.Count)} record(s) are kept under a legal hold (Art 17(3)(e)); they are decided again when the hold is lifted.");
        }

        await flow.Steps.CallAsync(DsrActivities.ScheduleErasure, new ScheduleErasureInput(flow.Ref, round, retained, runAt, flow.Input.ReceivedAt, heldDecided, flow.Now));
    }

    /// <summary>Erases in the systems in parallel; a system that still fails after retries waits visibly for staff or the automatic retry, one at a time.</summary>
    internal static async Task<EraseResult[]> EraseInAsync(DsrFlow flow, List<string> systemIds, int round, string what)
    {
        // Wave by wave, the reverse of searching: a system whose records give another's lookup keys is erased after it.
        var systems = flow.Settings.SystemsOrShipped();
        var done = new Dictionary<string, EraseResult>(StringComparer.Ordinal);
        foreach (var wave in WorkflowSystem.Waves(systems, systemIds).Reverse())
        {
            var first = await Task.WhenAll(wave.Select(async id =>
            {
                try
                {
                    return await flow.Context.CallActivityAsync<EraseResult>(DsrActivities.EraseFromSystem.Name, new EraseInput(flow.Ref, id, round, flow.Now), flow.Steps.Retry);
                }
                catch (TaskFailedException)
                {
                    return null;
                }
            }));
            for (var i = 0; i < wave.Count; i++)
            {
                var name = systems.FirstOrDefault(s => s.Id == wave[i])?.Name ?? wave[i];
                done[wave[i]] = first[i] ?? await flow.Steps.CallAsync(DsrActivities.EraseFromSystem, new EraseInput(flow.Ref, wave[i], round, flow.Now), $"{what} in {name}");
            }
        }

        return [.. systemIds.Select(id => done[id])];
    }

    /// <summary>Art 17 in JML's own records: the person's values leave the product's stores (copies, raw mail, decisions) too.</summary>
    internal static Task<Retention.CaseFileReport> ForgetAsync(DsrFlow flow) =>
        flow.Steps.CallAsync(DsrActivities.ForgetAfterErasure, new ForgetInput(flow.Ref, flow.Now));

    private static async Task<List<ErasureLineResult>> EraseDueAsync(DsrFlow flow, List<ErasureLineResult> lines, List<string> dueSystems, int round, DateOnly? next, string when)
    {
        var again = await EraseInAsync(flow, dueSystems, round, "Scheduled erasure");
        var nowErased = again.SelectMany(r => r.Lines).Where(l => l.Outcome != ErasureOutcomes.Retained).ToList();
        lines = lines.Where(l => !dueSystems.Contains(l.SystemId)).Concat(again.SelectMany(r => r.Lines)).ToList();
        if (nowErased.Count > 0)
        {
            await flow.Steps.CallAsync(DsrActivities.SendRightsOutcome, new OutcomeInput(flow.Ref, $"{SendRightsOutcome.ErasureScheduled}-{round}", [], nowErased, next, null, flow.Now));
        }

        await flow.AuditAsync($"erasure-scheduled-done-{round}", $"{when}: {nowErased.Sum(l => l.Count)} record(s) erased or anonymised on schedule.");
        await ForgetAsync(flow);
        return lines;
    }

    /// <summary>
    /// Version 1: the workflow itself waited for each retention date (a durable timer) and for a legal hold to be lifted
    /// (an event). Kept so its instances replay as they ran; new instances schedule the rounds instead.
    /// </summary>
    private static async Task LegacyRoundsAsync(DsrFlow flow, List<ErasureLineResult> lines)
    {
        for (var round = 1; ; round++)
        {
            var dated = lines.Where(l => l.Outcome == ErasureOutcomes.Retained && l.RetainUntil is not null).ToList();
            var held = lines.Where(l => l.Outcome == ErasureOutcomes.Retained && l.RetainUntil is null).ToList();
            if (dated.Count == 0 && held.Count == 0)
            {
                return;
            }

            if (dated.Count > 0)
            {
                var next = dated.Min(l => l.RetainUntil!.Value);
                await flow.AuditAsync($"erasure-scheduled-{round}", $"{dated.Sum(l => l.Count)} retained record(s) are scheduled; the next erasure runs when retention ends after {next:yyyy-MM-dd}.");
                var at = StatutoryClock.EndOfUkDayUtc(next).AddTicks(1);
                if (at > flow.Now.UtcDateTime)
                {
                    await flow.TimerAt(at, CancellationToken.None);
                }

                lines = await EraseDueAsync(flow, lines, dated.Where(l => l.RetainUntil <= next).Select(l => l.SystemId).Distinct().ToList(), round, next, $"Retention ended {next:yyyy-MM-dd}");
            }
            else
            {
                await flow.AuditAsync($"erasure-held-{round}", $"{held.Sum(l => l.Count)} record(s) are kept under a legal hold (Art 17(3)(e)); they are decided again when the hold is lifted.");
                var lifted = await flow.Wait.ForAsync<LinkDecision>(DsrEvents.LegalHoldLifted, expires: null, step: null, clockStopped: true);
                lines = await EraseDueAsync(flow, lines, held.Select(l => l.SystemId).Distinct().ToList(), round, null, $"The legal hold was lifted by {lifted!.Actor}");
            }
        }
    }

    private static int Count(IEnumerable<ErasureLineResult> lines, string outcome) => lines.Where(l => l.Outcome == outcome).Sum(l => l.Count);
}
