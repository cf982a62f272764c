using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;

namespace JmlDsr.Functions.Connectors;

/// <summary>Why a record is marked: the fields of a restriction (Art 18) or of an objection to direct marketing (Art 21).</summary>
public static class MarkPurposes
{
    public const string Restriction = "restriction";
    public const string Objection = "objection";
}

/// <summary>
/// How JmlDsr reaches one kind of system (the data map's <c>connector.kind</c>): finds a person's records by one lookup key
/// and carries out the rights on them. Every write is idempotent (activities run at least once).
/// </summary>
public interface IConnector
{
    /// <summary>The data map's name for the kind.</summary>
    string Kind { get; }

    /// <summary>What the search reads, for the record of the search ("SysCrm", "PostgreSQL: Licensing").</summary>
    string Describe(SystemDescriptor system);

    /// <summary>The records found by one lookup key's value (the lower-cased address for the email key).</summary>
    IAsyncEnumerable<PersonRow> FindAsync(SystemDescriptor system, LookupKey key, string value, string email, CancellationToken ct = default);

    Task EraseAsync(SystemDescriptor system, PersonRow row, CancellationToken ct = default);

    /// <summary>Replaces the record by one that no longer identifies the person (or by the system's own anonymisation).</summary>
    Task AnonymiseAsync(SystemDescriptor system, PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default);

    /// <summary>Keeps a record under a retention rule: restricted, with the rule and the last day it is kept.</summary>
    Task RetainAsync(SystemDescriptor system, PersonRow row, string rule, string retainUntil, CancellationToken ct = default);

    /// <summary>True when the connector can correct this field of the system's records.</summary>
    bool CanRectify(SystemDescriptor system, string field);

    Task RectifyAsync(SystemDescriptor system, PersonRow row, string field, string? value, CancellationToken ct = default);

    /// <summary>Marks a record restricted or objected to (<see cref="MarkPurposes"/>), with the data map's fields.</summary>
    Task MarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default);

    Task UnmarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyList<string> fields, CancellationToken ct = default);

    /// <summary>True when the system can hold a flag record beside the person's records (restriction, objection).</summary>
    bool HoldsFlags(SystemDescriptor system);

    Task SetFlagAsync(SystemDescriptor system, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default);

    Task DeleteFlagAsync(SystemDescriptor system, string email, string flag, CancellationToken ct = default);
}
