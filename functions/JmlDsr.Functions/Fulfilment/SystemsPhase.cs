using System.Globalization;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>How an owner-task system ended for a right: confirmed by its owner, or settled by staff (skipped, done by hand).</summary>
internal sealed record OwnerOutcome(string SystemId, string How, bool Done);

/// <summary>
/// Version 4's per-system control in the fulfilment of a right: before anything is changed the request waits while any of
/// its systems is paused (looked at again every <see cref="DsrSettings.PausedSystemCheck"/>, at once when resumed); after
/// the automated systems are written, each owner-task system that may hold the person's data gets its owner's task (the
/// right carried out by hand and confirmed), with reminders and the alert, until the owner confirms or staff skip it or
/// mark it done by hand from the console. The deadline races every wait.
/// </summary>
internal static class SystemsPhase
{
    internal static bool Controlled(DsrFlow flow) => DsrVersions.AtLeast(flow.Context, DsrVersions.SystemControl);

    /// <summary>Waits while any of <paramref name="systemIds"/> (all the request's systems when null) is paused.</summary>
    internal static async Task WhilePausedAsync(DsrFlow flow, IReadOnlyList<string>? systemIds = null)
    {
        if (!Controlled(flow))
        {
            return;
        }

        var ids = systemIds ?? [.. flow.Settings.SystemsOrShipped().Select(s => s.Id)];
        for (var look = 1; ; look++)
        {
            var paused = await flow.Steps.CallAsync(DsrActivities.FindPausedSystems, new PausedInput(flow.Ref, ids, flow.Now));
            if (paused.Count == 0)
            {
                return;
            }

            if (look == 1)
            {
                await flow.AuditAsync("waiting-paused", $"Waiting for paused system(s) before changing anything: {string.Join(", ", paused)}.");
            }

            await flow.Wait.ForAnyAsync<LinkDecision>([DsrEvents.SystemControl], flow.Now + flow.Settings.PausedSystemCheck, (_, e) => paused.Contains(e.Step));
        }
    }

    /// <summary>
    /// The owner tasks of a right (<paramref name="purpose"/>, an <see cref="OwnerTaskPurposes"/> value) in the owner-task
    /// systems that may hold the person's data: every one the gathering did not find empty. Returns how each ended.
    /// </summary>
    internal static async Task<IReadOnlyList<OwnerOutcome>> OwnerTasksAsync(DsrFlow flow, string purpose, string? decisionStep)
    {
        if (!Controlled(flow))
        {
            return [];
        }

        var gathered = flow.Gathered.ToDictionary(g => g.SystemId, StringComparer.Ordinal);
        var open = flow.Settings.SystemsOrShipped()
            .Where(s => s.OwnerTask && !(gathered.TryGetValue(s.Id, out var g) && g.Settled is null && g.RecordCount == 0))
            .Select(s => s.Id).ToList();
        var outcomes = new List<OwnerOutcome>();
        if (open.Count == 0)
        {
            return outcomes;
        }

        await flow.ProgressAsync(RequestStatus.Fulfilling, $"owner-tasks-{purpose}",
            string.Create(CultureInfo.InvariantCulture, $"Waiting for the owners of {open.Count} system(s) without an API to confirm the {purpose} was done by hand: {string.Join(", ", open)}."));
        while (open.Count > 0)
        {
            var looked = await Task.WhenAll(open.Select(id => flow.Steps.CallAsync(DsrActivities.CheckOwnerTask, new OwnerTaskInput(flow.Ref, id, purpose, flow.Now) { DecisionStep = decisionStep })));
            foreach (var state in looked.Where(s => s.Done))
            {
                open.Remove(state.SystemId);
                outcomes.Add(new OwnerOutcome(state.SystemId, state.Settled ?? "confirmed by its owner", !(state.Settled ?? string.Empty).StartsWith(SystemStates.Skipped, StringComparison.Ordinal)));
            }

            if (open.Count == 0)
            {
                break;
            }

            var until = looked.Where(s => !s.Done).Min(s => s.NextCheck);
            var evt = await flow.Wait.ForAnyAsync<LinkDecision>([DsrEvents.SystemControl], until, (_, e) => open.Contains(e.Step));
            if (evt is { Value: { Action: SystemControls.Block } held })
            {
                await flow.Steps.CallAsync(DsrActivities.RecordSystemControl, new SystemControlInput(flow.Ref, held.Step, purpose, held.Action, held.Reason, held.Actor, flow.Now));
            }
            else if (evt is { Value: { Action: SystemControls.Skip or SystemControls.Done } d })
            {
                await flow.Steps.CallAsync(DsrActivities.RecordSystemControl, new SystemControlInput(flow.Ref, d.Step, purpose, d.Action, d.Reason, d.Actor, flow.Now));
                open.Remove(d.Step);
                outcomes.Add(new OwnerOutcome(d.Step, d.Action == SystemControls.Skip ? $"skipped by {d.Actor}" : $"done by hand by {d.Actor}", d.Action == SystemControls.Done));
            }
        }

        return outcomes;
    }
}
