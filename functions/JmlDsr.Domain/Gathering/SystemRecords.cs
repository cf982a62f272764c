namespace JmlDsr.Domain.Gathering;

/// <summary>One record a system holds about the person: its category and its fields.</summary>
public sealed record PersonalRecord(string Category, IReadOnlyDictionary<string, string?> Fields);

/// <summary>How and when one system was searched (recorded so the search can be shown to be reasonable).</summary>
public sealed record SystemSearch(string SystemId, DateTimeOffset SearchedAt, string SearchedBy);

/// <summary>
/// What one system holds about the person, as a stream: a subject can have millions of records, so
/// they are never all in memory at once.
/// </summary>
public sealed record SystemRecords(SystemDescriptor System, SystemSearch Search, IAsyncEnumerable<PersonalRecord> Records);
