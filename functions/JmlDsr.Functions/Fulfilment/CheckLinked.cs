using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Whether an erasure waits for an access request opened from the same message (<see cref="LinkedRequests"/>): the person
/// gets their copy before their data goes. Reads the linked requests' state and whether the copy was opened (its audit).
/// </summary>
public sealed class CheckLinked(RequestRepository requests, AuditLog audit) : IDsrActivity<LinkedInput, LinkedWait>
{
    [Function(nameof(CheckLinked))]
    public Task<LinkedWait> Run([ActivityTrigger] LinkedInput input) => RunAsync(input);

    public async Task<LinkedWait> RunAsync(LinkedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        foreach (var access in (await requests.LinkedAsync(r)).Where(l => l.Type == RequestType.Access.ToWire()))
        {
            var open = !RequestStatus.IsClosed(access.Status);
            var sent = await audit.ReadAsync(access.RowKey);
            var copySent = sent.Any(e => e.Step.StartsWith("fulfilment-sent", StringComparison.Ordinal));
            var opened = !copySent || sent.Any(e => e.Step.StartsWith("downloaded-", StringComparison.Ordinal));
            if (LinkedRequests.ErasureWaitsFor(access.RowKey, open, opened, StatutoryClock.UkDate(input.At), input.Due) is { } why)
            {
                return new LinkedWait(why);
            }
        }

        return new LinkedWait(null);
    }
}
