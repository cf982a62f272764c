using System.Runtime.CompilerServices;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;

namespace JmlDsr.Functions.Connectors;

/// <summary>
/// A system with no API (a spreadsheet, a supplier's portal): a person, its owner, is the connector. The owner sends the
/// person's records for each request and confirms each right done by hand (<see cref="OwnerTasks"/>), so this connector
/// reads and writes nothing itself: searching and writing such a system are tasks the workflow waits for, with reminders
/// and an alert to the privacy team.
/// </summary>
public sealed class OwnerTaskConnector : IConnector
{
    public const string KindName = "owner-task";

    public string Kind => KindName;

    public string Describe(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return $"records sent by its owner, {system.Owner}";
    }

    public async IAsyncEnumerable<PersonRow> FindAsync(SystemDescriptor system, LookupKey key, string value, string email, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public Task EraseAsync(SystemDescriptor system, PersonRow row, CancellationToken ct = default) => Task.CompletedTask;

    public Task AnonymiseAsync(SystemDescriptor system, PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default) => Task.CompletedTask;

    public Task RetainAsync(SystemDescriptor system, PersonRow row, string rule, string retainUntil, CancellationToken ct = default) => Task.CompletedTask;

    /// <summary>The owner corrects any field, by hand.</summary>
    public bool CanRectify(SystemDescriptor system, string field) => true;

    public Task RectifyAsync(SystemDescriptor system, PersonRow row, string field, string? value, CancellationToken ct = default) => Task.CompletedTask;

    public Task MarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) => Task.CompletedTask;

    public Task UnmarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyList<string> fields, CancellationToken ct = default) => Task.CompletedTask;

    public bool HoldsFlags(SystemDescriptor system) => false;

    public Task SetFlagAsync(SystemDescriptor system, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) => Task.CompletedTask;

    public Task DeleteFlagAsync(SystemDescriptor system, string email, string flag, CancellationToken ct = default) => Task.CompletedTask;
}
