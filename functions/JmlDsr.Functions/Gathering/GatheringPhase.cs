using System.Globalization;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask;

namespace JmlDsr.Functions.Gathering;

/// <summary>
/// Fans out to every system in parallel. A system that still fails after the retries is put to staff with a retry link
/// (and, in the current workflow, tried again by itself after the automatic-retry interval) — never skipped.
/// </summary>
internal static class GatheringPhase
{
    internal static async Task<IReadOnlyList<GatherSummary>> RunAsync(DsrFlow flow) =>
        DsrVersions.AtLeast(flow.Context, DsrVersions.SystemControl) ? await ControlledAsync(flow) : await UncontrolledAsync(flow);

    /// <summary>
    /// Version 4: every system is searched in parallel, wave by wave. A paused system, or an owner-task system whose owner
    /// has not answered, waits (looked at again when it is due, or at once when its owner answers or it is resumed); a system
    /// that still fails after the retries is put to staff with a retry link and tried again by itself after the automatic
    /// retry interval. Staff can retry, skip (with a reason) or mark done by hand any system still open, from the console.
    /// The deadline races every wait.
    /// </summary>
    private static async Task<IReadOnlyList<GatherSummary>> ControlledAsync(DsrFlow flow)
    {
        var systems = flow.Settings.SystemsOrShipped();
        var found = new Dictionary<string, GatherSummary>(StringComparer.Ordinal);
        var waiting = new Dictionary<string, GatherSummary>(StringComparer.Ordinal);
        var failed = new Dictionary<string, GatherSummary>(StringComparer.Ordinal);
        var pending = systems.Select(s => s.Id).ToList();
        string? alertStep = null;
        DateTimeOffset linkExpires = default;
        DateTimeOffset? autoAt = null;
        var round = 0;
        var alerts = 0;
        var told = string.Empty;
        while (true)
        {
            if (pending.Count > 0)
            {
                round++;
                var newlyFailed = false;
                foreach (var wave in WorkflowSystem.Waves(systems, pending))
                {
                    foreach (var r in await Task.WhenAll(wave.Select(id => GatherOneAsync(flow, id, round))))
                    {
                        waiting.Remove(r.SystemId);
                        failed.Remove(r.SystemId);
                        if (r.Succeeded)
                        {
                            found[r.SystemId] = r;
                        }
                        else if (r.Waiting is not null)
                        {
                            waiting[r.SystemId] = r.Waiting == SystemStates.Paused ? r with { CheckAt = flow.Now + flow.Settings.PausedSystemCheck } : r;
                        }
                        else
                        {
                            failed[r.SystemId] = r;
                            newlyFailed = true;
                        }
                    }
                }

                pending.Clear();
                if (newlyFailed)
                {
                    await flow.ProgressAsync(RequestStatus.GatheringFailed, $"gathering-failed-{round}",
                        $"{failed.Count} system(s) could not be searched after retries: {string.Join(", ", failed.Keys)}. Waiting for staff.");
                    alertStep = null;
                    alerts = 0;
                    autoAt = flow.Now + flow.Settings.StepAutoRetry;
                }
            }

            if (waiting.Count == 0 && failed.Count == 0)
            {
                break;
            }

            if (failed.Count > 0 && (alertStep is null || flow.Now >= linkExpires))
            {
                // A new link whenever the last one expired unused.
                alertStep = string.Create(CultureInfo.InvariantCulture, $"gathering-retry-{round}-{++alerts}");
                linkExpires = flow.Now + flow.Settings.ApprovalLinkLifetime;
                await flow.Steps.TryAsync(DsrActivities.AlertGatheringFailed, new GatheringFailedInput(flow.Ref, alertStep, [.. failed.Values], linkExpires, flow.Now));
            }

            var waits = string.Join(", ", waiting.Values.OrderBy(w => w.SystemId, StringComparer.Ordinal).Select(w => $"{Name(systems, w.SystemId)} ({Why(w.Waiting)})"));
            if (failed.Count == 0 && waits != told)
            {
                await flow.ProgressAsync(RequestStatus.Gathering, string.Create(CultureInfo.InvariantCulture, $"gathering-waiting-{round}"), $"Waiting for: {waits}.");
                told = waits;
            }

            var until = waiting.Values.Select(w => w.CheckAt ?? flow.Now).Concat(failed.Count > 0 ? [autoAt ?? flow.Now, linkExpires] : []).Min();
            var step = alertStep;
            var evt = await flow.Wait.ForAnyAsync<LinkDecision>([DsrEvents.RetryGathering, DsrEvents.SystemControl], until,
                (name, e) => name == DsrEvents.SystemControl ? waiting.ContainsKey(e.Step) || failed.ContainsKey(e.Step) : e.Step == step);
            if (evt is null)
            {
                // Due: the waiting systems whose look is due, and the failed ones once the automatic retry is.
                pending.AddRange(waiting.Values.Where(w => (w.CheckAt ?? flow.Now) <= flow.Now).Select(w => w.SystemId));
                if (failed.Count > 0 && autoAt <= flow.Now)
                {
                    pending.AddRange(failed.Keys);
                    await flow.ProgressAsync(RequestStatus.Gathering, $"gathering-retry-{round}", "Searching the failed systems again automatically.");
                }

                continue;
            }

            var (name, d) = evt.Value;
            if (name == DsrEvents.RetryGathering)
            {
                pending.AddRange(failed.Keys);
                await flow.ProgressAsync(RequestStatus.Gathering, $"gathering-retry-{round}", $"{d.Actor} asked to search the failed systems again.", actor: d.Actor);
                continue;
            }

            switch (d.Action)
            {
                case SystemControls.Block:
                    // Held for the owner on purpose: recorded, and the wait goes on.
                    await flow.Steps.CallAsync(DsrActivities.RecordSystemControl, new SystemControlInput(flow.Ref, d.Step, OwnerTaskPurposes.Gather, d.Action, d.Reason, d.Actor, flow.Now));
                    break;
                case SystemControls.Skip or SystemControls.Done:
                    await flow.Steps.CallAsync(DsrActivities.RecordSystemControl, new SystemControlInput(flow.Ref, d.Step, OwnerTaskPurposes.Gather, d.Action, d.Reason, d.Actor, flow.Now));
                    waiting.Remove(d.Step);
                    failed.Remove(d.Step);
                    found[d.Step] = new GatherSummary(d.Step, 0, GatheredBlob.Name(flow.Ref, d.Step), true, null)
                    {
                        Settled = d.Action == SystemControls.Skip ? $"skipped by {d.Actor}" : $"searched by hand by {d.Actor}",
                    };
                    break;
                default:
                    // Answered by its owner, resumed, or staff asked to try again: look at it now.
                    pending.Add(d.Step);
                    break;
            }
        }

        return systems.Select(s => found[s.Id]).ToList();
    }

    private static string Name(IReadOnlyList<WorkflowSystem> systems, string id) => systems.FirstOrDefault(s => s.Id == id)?.Name ?? id;

    private static string Why(string? waiting) => waiting == SystemStates.Paused ? "paused by staff" : "its owner has not answered yet";

    /// <summary>Versions 1 to 3: a failed system waits for staff's retry (or, from version 2, the automatic retry).</summary>
    private static async Task<IReadOnlyList<GatherSummary>> UncontrolledAsync(DsrFlow flow)
    {
        var found = new Dictionary<string, GatherSummary>();
        var systems = flow.Settings.SystemsOrShipped();
        var pending = systems.Select(s => s.Id).ToList();
        for (var round = 1; ; round++)
        {
            // In parallel, wave by wave: a system found by a key from another is searched once that one has been.
            var results = new List<GatherSummary>();
            foreach (var wave in WorkflowSystem.Waves(systems, pending))
            {
                results.AddRange(await Task.WhenAll(wave.Select(id => GatherOneAsync(flow, id, round))));
            }

            foreach (var r in results.Where(r => r.Succeeded))
            {
                found[r.SystemId] = r;
            }

            var failed = results.Where(r => !r.Succeeded).ToList();
            if (failed.Count == 0)
            {
                break;
            }

            await flow.ProgressAsync(RequestStatus.GatheringFailed, $"gathering-failed-{round}",
                $"{failed.Count} system(s) could not be searched after retries: {string.Join(", ", failed.Select(f => f.SystemId))}. Waiting for staff.");
            var retry = await WaitForRetryAsync(flow, round, failed);
            pending = failed.Select(f => f.SystemId).ToList();
            await flow.ProgressAsync(RequestStatus.Gathering, $"gathering-retry-{round}",
                retry is null ? "Searching the failed systems again automatically." : $"{retry.Actor} asked to search the failed systems again.", actor: retry?.Actor ?? "system");
        }

        return systems.Select(s => found[s.Id]).ToList();
    }

    /// <summary>Alerts staff (a new link whenever one expires unused) until they ask to retry; null when the automatic retry came first.</summary>
    private static async Task<LinkDecision?> WaitForRetryAsync(DsrFlow flow, int round, IReadOnlyList<GatherSummary> failed)
    {
        var current = flow.ShortWorkflow;
        var autoAt = flow.Now + flow.Settings.StepAutoRetry;
        for (var alert = 1; ; alert++)
        {
            var step = flow.Run > 1
                ? string.Create(CultureInfo.InvariantCulture, $"gathering-retry-r{flow.Run}-{round}-{alert}")
                : string.Create(CultureInfo.InvariantCulture, $"gathering-retry-{round}-{alert}");
            var expires = flow.Now + flow.Settings.ApprovalLinkLifetime;
            await flow.Steps.TryAsync(DsrActivities.AlertGatheringFailed, new GatheringFailedInput(flow.Ref, step, failed, expires, flow.Now));
            var until = current && autoAt < expires ? autoAt : expires;
            if (await flow.Wait.ForAsync<LinkDecision>(DsrEvents.RetryGathering, until, step) is { } retry)
            {
                return retry;
            }

            if (current && flow.Now >= autoAt)
            {
                return null;
            }
        }
    }

    private static async Task<GatherSummary> GatherOneAsync(DsrFlow flow, string systemId, int round)
    {
        try
        {
            var input = new GatherInput(flow.Ref, systemId, round);
            return await flow.Context.CallActivityAsync<GatherSummary>(DsrActivities.GatherFromSystem.Name,
                DsrVersions.AtLeast(flow.Context, DsrVersions.SystemControl) ? input with { At = flow.Now } : input, flow.Steps.Retry);
        }
        catch (TaskFailedException e)
        {
            return new GatherSummary(systemId, 0, null, false, e.FailureDetails.ErrorMessage);
        }
    }
}
