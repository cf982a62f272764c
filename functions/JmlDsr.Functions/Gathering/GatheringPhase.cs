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
    internal static async Task<IReadOnlyList<GatherSummary>> RunAsync(DsrFlow flow)
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
            return await flow.Context.CallActivityAsync<GatherSummary>(DsrActivities.GatherFromSystem.Name, new GatherInput(flow.Ref, systemId, round), flow.Steps.Retry);
        }
        catch (TaskFailedException e)
        {
            return new GatherSummary(systemId, 0, null, false, e.FailureDetails.ErrorMessage);
        }
    }
}
