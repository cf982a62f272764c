namespace JmlDsr.Domain.Gathering;

/// <summary>One record a system holds about the person: its category and its fields.</summary>
public sealed record PersonalRecord(string Category, IReadOnlyDictionary<string, string?> Fields);

/// <summary>What one system returned for one person.</summary>
public sealed record SystemResult(string SystemId, DateTimeOffset SearchedAt, string SearchedBy, IReadOnlyList<PersonalRecord> Records);
