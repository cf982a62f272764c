using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Gathering;

/// <summary>Looks at one owner task of a right's fulfilment: opens it (the owner mailed), sends the reminder or alert due, says whether it is done.</summary>
public sealed class CheckOwnerTask(OwnerTasks tasks) : IDsrActivity<OwnerTaskInput, OwnerTaskState>
{
    [Function(nameof(CheckOwnerTask))]
    public Task<OwnerTaskState> Run([ActivityTrigger] OwnerTaskInput input) => RunAsync(input);

    public Task<OwnerTaskState> RunAsync(OwnerTaskInput input) => tasks.CheckAsync(input);
}

/// <summary>
/// Staff settled one system of a request from the console: skipped it (with a reason) or marked it done by hand (with a
/// note of what was done). Audited with who and why (so it is in the evidence pack); an open owner task is closed with it.
/// </summary>
public sealed class RecordSystemControl(OwnerTasks tasks, RequestSystemStates states, AuditLog audit, DataMap map, DsrStorage storage) : IDsrActivity<SystemControlInput, bool>
{
    [Function(nameof(RecordSystemControl))]
    public Task<bool> Run([ActivityTrigger] SystemControlInput input) => RunAsync(input);

    public async Task<bool> RunAsync(SystemControlInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = map.NameOf(input.SystemId);
        var what = input.Purpose == OwnerTaskPurposes.Gather ? "search" : input.Purpose;
        var (state, step, detail) = input.Action switch
        {
            SystemControls.Skip => (SystemStates.Skipped, $"system-skipped-{input.Purpose}-{input.SystemId}", $"{name} skipped for the {what}: the request goes on without it. Reason: {input.Note}"),
            SystemControls.Done => (SystemStates.DoneByHand, $"system-done-by-hand-{input.Purpose}-{input.SystemId}", $"{name}: the {what} was done by hand. What was done: {input.Note}"),
            SystemControls.Block => (SystemStates.WaitingForOwner, $"system-blocked-{input.Purpose}-{input.SystemId}", $"The request is held for {name}'s owner (the {what}): it goes on only when they answer. Reason: {input.Note}"),
            _ => (SystemStates.Failed, $"system-{input.Action}-{input.Purpose}-{input.SystemId}", $"{name}: {input.Action} for the {what}."),
        };
        if (input.Action == SystemControls.Block)
        {
            await audit.AppendAsync(input.Reference, input.At, step, input.Actor, detail);
            await states.SetAsync(input.Reference, input.SystemId, state, $"Held for its owner ({what})", input.Actor, input.At);
            return true;
        }

        await tasks.SettleAsync(input.Reference, input.SystemId, input.Purpose, state, input.Actor, input.At);
        if (input.Purpose == OwnerTaskPurposes.Gather && input.Action is SystemControls.Skip or SystemControls.Done)
        {
            // The copy says how the system was dealt with; what staff wrote stays in the audit trail, not in the copy.
            await SettledSearchAsync(input, input.Action == SystemControls.Skip
                ? "not searched for this request (the privacy team recorded why)"
                : "searched by hand by the privacy team");
        }

        await audit.AppendAsync(input.Reference, input.At, step, input.Actor, detail);
        await states.SetAsync(input.Reference, input.SystemId, state, input.Action == SystemControls.Skip ? $"Skipped ({what})" : $"Done by hand ({what})", input.Actor, input.At);
        return true;
    }

    /// <summary>The search line of a system settled without a search, with no records (kept if a search already wrote one).</summary>
    private async Task SettledSearchAsync(SystemControlInput input, string how)
    {
        var blob = storage.Container(DsrStorage.GatheredContainer).GetBlobClient(GatheredBlob.Name(input.Reference, input.SystemId));
        if (await blob.ExistsAsync())
        {
            return;
        }

        await using var stream = new BlobWriteStream(blob, "application/x-ndjson");
        await GatheredBlob.WriteAsync(stream, new SystemSearch(input.SystemId, input.At, $"{map.NameOf(input.SystemId)}: {how}"), AsyncEnumerable.Empty<PersonalRecord>());
    }
}

/// <summary>Which of the systems are paused now (the request waits for them before changing anything there).</summary>
public sealed class FindPausedSystems(SystemPauses pauses, RequestSystemStates states, DataMap map) : IDsrActivity<PausedInput, IReadOnlyList<string>>
{
    [Function(nameof(FindPausedSystems))]
    public Task<IReadOnlyList<string>> Run([ActivityTrigger] PausedInput input) => RunAsync(input);

    public async Task<IReadOnlyList<string>> RunAsync(PausedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var all = await pauses.AllAsync();
        var paused = input.SystemIds.Where(all.ContainsKey).ToList();
        foreach (var id in paused)
        {
            await pauses.RecordWaitAsync(all[id], map.NameOf(id), input.Reference, input.At, states);
        }

        return paused;
    }
}
