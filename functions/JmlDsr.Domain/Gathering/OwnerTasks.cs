using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using CsvHelper;
using CsvHelper.Configuration;

namespace JmlDsr.Domain.Gathering;

/// <summary>
/// What an owner-task system's owner is asked to do (a system with no API: a spreadsheet, a supplier's portal): send the
/// person's records for the request's search, or confirm that a right was carried out by hand.
/// </summary>
public static class OwnerTaskPurposes
{
    public const string Gather = "gather";
    public const string Erasure = "erasure";
    public const string Rectification = "rectification";
    public const string Restriction = "restriction";
    public const string Unrestriction = "unrestriction";
    public const string Objection = "objection";

    public static IReadOnlyList<string> All { get; } = [Gather, Erasure, Rectification, Restriction, Unrestriction, Objection];

    /// <summary>The step of one task (its single-use link and its once-only emails): "owner-gather-feedback-sheet".</summary>
    public static string Step(string purpose, string systemId) => $"owner-{purpose}-{systemId}";

    /// <summary>The purpose and system of a task's step, or null for another step.</summary>
    public static (string Purpose, string SystemId)? Parse(string? step)
    {
        if (step is null || !step.StartsWith("owner-", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = step["owner-".Length..];
        var purpose = All.FirstOrDefault(p => rest.StartsWith(p + "-", StringComparison.Ordinal));
        return purpose is null || rest.Length == purpose.Length + 1 ? null : (purpose, rest[(purpose.Length + 1)..]);
    }

    /// <summary>What the owner is asked, in a few words (the email's subject).</summary>
    public static string Subject(string purpose) => purpose switch
    {
        Gather => "send the person's records",
        Erasure => "erase the person's data and confirm",
        Rectification => "correct the person's details and confirm",
        Restriction => "restrict the person's records and confirm",
        Unrestriction => "lift the restriction and confirm",
        Objection => "stop direct marketing and confirm",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Not an owner-task purpose."),
    };

    /// <summary>What the owner's email asks, without saying who the person is.</summary>
    public static string Brief(string purpose, string systemName) => purpose switch
    {
        Gather => $"We need every record {systemName} holds about the person who made the request, or your word that it holds none.",
        Erasure => $"The person's data in {systemName} is to be erased; please do it and confirm.",
        Rectification => $"The person's details in {systemName} are to be corrected; please do it and confirm.",
        Restriction => $"The person's records in {systemName} are to be restricted (kept, but no longer used); please do it and confirm.",
        Unrestriction => $"The restriction of the person's records in {systemName} is to be lifted; please do it and confirm.",
        Objection => $"The person objected to direct marketing: {systemName} must stop using their data for it; please do it and confirm.",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Not an owner-task purpose."),
    };

    /// <summary>
    /// What the owner is to do, line by line, from the data map: per category what erasure does there; the corrections staff
    /// approved; the restriction's marks. The owner does it by hand and confirms.
    /// </summary>
    public static IReadOnlyList<string> Todo(string purpose, SystemDescriptor system, int recordsSent, IReadOnlyList<(string Field, string? Value)> corrections)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(corrections);
        var lines = new List<string>();
        switch (purpose)
        {
            case Gather:
                lines.Add($"Search {system.Name} for the person by their name and email address, and by any other detail below.");
                lines.Add("Send every record about them, notes and free text included. The privacy team checks the copy before the person gets it, and takes out other people's details.");
                break;
            case Erasure:
                if (recordsSent > 0)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"You sent us {recordsSent} record(s) about the person for this request; the same records are meant here."));
                }

                foreach (var c in system.Categories)
                {
                    var rule = system.RightsFor(c);
                    lines.Add($"{c}: " + rule.Erasure switch
                    {
                        ErasureActions.Delete => "delete it, with any copies (exports, attachments, backups you control).",
                        ErasureActions.Anonymise => $"anonymise it: keep {system.Anonymise.Keeps}, and nothing that identifies the person.",
                        ErasureActions.Suppress => "delete it, but keep the address on the system's do-not-contact list, so they are never contacted again.",
                        _ => $"keep it, as the law requires ({system.Retention}), but mark it restricted: it may not be used for anything else.",
                    });
                }

                break;
            case Rectification:
                lines.AddRange(corrections.Count == 0
                    ? ["Correct the person's details as the privacy team tells you."]
                    : corrections.Select(c => $"Set {c.Field} to \"{c.Value}\" wherever the system holds it about the person."));
                break;
            case Restriction:
                lines.Add("Keep the person's records, but mark them restricted: no marketing, notices, analysis or sharing until the privacy team lifts it.");
                if (system.RestrictionMark.Count > 0)
                {
                    lines.Add("Mark each record: " + string.Join(", ", system.RestrictionMark.Select(m => $"{m.Key} = {m.Value}")) + ".");
                }

                break;
            case Unrestriction:
                lines.Add("Remove the restriction marks from the person's records; they may be used again as before.");
                break;
            case Objection:
                lines.Add("Stop using the person's data for direct marketing: take them off every mailing or call list the system feeds.");
                if (system.ObjectionMark.Count > 0)
                {
                    lines.Add("Mark each record: " + string.Join(", ", system.ObjectionMark.Select(m => $"{m.Key} = {m.Value}")) + ".");
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Not an owner-task purpose.");
        }

        return lines;
    }

    /// <summary>What the owner's page asks, in a sentence.</summary>
    public static string Ask(string purpose, string systemName) => purpose switch
    {
        Gather => $"Find every record {systemName} holds about the person named below and send them to us (a CSV or JSON file), or tell us it holds none.",
        Erasure => $"Erase what {systemName} holds about the person named below, as listed, and confirm when it is done.",
        Rectification => $"Correct the person's details in {systemName} as listed below, and confirm when it is done.",
        Restriction => $"Restrict the person's records in {systemName} (keep them, but stop using them), and confirm when it is done.",
        Unrestriction => $"Lift the restriction of the person's records in {systemName}, and confirm when it is done.",
        Objection => $"Stop using the person's data in {systemName} for direct marketing, and confirm when it is done.",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Not an owner-task purpose."),
    };
}

/// <summary>
/// When an owner is reminded and when the privacy team is told the owner has not answered: the data map's
/// <c>connector.remindEvery</c> and <c>connector.alertAfter</c> (ISO 8601 durations, "P2D", "PT4H").
/// </summary>
public sealed record OwnerTaskTiming(TimeSpan RemindEvery, TimeSpan AlertAfter)
{
    public static OwnerTaskTiming Default { get; } = new(TimeSpan.FromDays(2), TimeSpan.FromDays(5));

    public static OwnerTaskTiming Of(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new(Duration(system.Connector.Setting("remindEvery")) ?? Default.RemindEvery, Duration(system.Connector.Setting("alertAfter")) ?? Default.AlertAfter);
    }

    /// <summary>An ISO 8601 duration of at least a second, or null.</summary>
    public static TimeSpan? Duration(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            var span = XmlConvert.ToTimeSpan(value.Trim());
            return span >= TimeSpan.FromSeconds(1) ? span : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>What is due on an open owner task: a reminder (its number), the alert to the privacy team, and when to look again.</summary>
public sealed record OwnerTaskDue(int? Reminder, bool Alert, DateTimeOffset NextCheck);

/// <summary>
/// The rhythm of an open owner task: a reminder every <see cref="OwnerTaskTiming.RemindEvery"/> after it opened (one email
/// for a period, however late the check), and once, <see cref="OwnerTaskTiming.AlertAfter"/> after it opened, the alert
/// to the privacy team. Reminders go on after the alert until the task is answered, skipped or done by hand.
/// </summary>
public static class OwnerTaskSchedule
{
    public static OwnerTaskDue Due(DateTimeOffset opened, int remindersSent, bool alerted, DateTimeOffset now, OwnerTaskTiming timing)
    {
        ArgumentNullException.ThrowIfNull(timing);
        var elapsed = now - opened;
        var periods = elapsed <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, elapsed.Ticks / timing.RemindEvery.Ticks);
        int? reminder = periods > remindersSent ? periods : null;
        var alert = !alerted && elapsed >= timing.AlertAfter;
        var nextReminder = opened + (timing.RemindEvery * (Math.Max(periods, remindersSent) + 1));
        var next = alerted || alert ? nextReminder : Min(nextReminder, opened + timing.AlertAfter);
        return new OwnerTaskDue(reminder, alert, next);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>The records an owner sent, or why the file cannot be read (nothing is kept then).</summary>
public sealed record OwnerUpload(IReadOnlyList<PersonalRecord> Records, string? Error)
{
    /// <summary>The largest file an owner may send.</summary>
    public const int MaxBytes = 10 * 1024 * 1024;

    public const int MaxRecords = 100_000;

    private const int MaxFields = 200;

    /// <summary>
    /// Reads a CSV (a header row, then one record per row; RFC 4180 quoting) or a JSON file (an array of objects, or an
    /// object with a "records" array). A "category" column or property names the record's category, which must be one of
    /// the system's; without it, a record takes the system's first category. Empty values are left out.
    /// </summary>
    public static OwnerUpload Parse(string? fileName, ReadOnlySpan<byte> content, SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (content.Length == 0)
        {
            return Fail("The file is empty.");
        }

        if (content.Length > MaxBytes)
        {
            return Fail($"The file is larger than {MaxBytes / (1024 * 1024)} MB; send the person's records only.");
        }

        var text = new UTF8Encoding(false, true);
        string body;
        try
        {
            body = text.GetString(content).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return Fail("The file is not UTF-8 text: save it as CSV UTF-8 or JSON and send it again.");
        }

        var json = (fileName ?? string.Empty).EndsWith(".json", StringComparison.OrdinalIgnoreCase) || body.TrimStart().StartsWith('[') || body.TrimStart().StartsWith('{');
        var rows = json ? JsonRows(body) : CsvRows(body);
        if (rows.Error is not null)
        {
            return Fail(rows.Error);
        }

        var records = new List<PersonalRecord>();
        foreach (var (row, n) in rows.Rows.Select((r, i) => (r, i + 1)))
        {
            var category = row.FirstOrDefault(f => string.Equals(f.Key, "category", StringComparison.OrdinalIgnoreCase)).Value;
            var known = category is null ? (system.Categories.Count > 0 ? system.Categories[0] : null) : system.Categories.FirstOrDefault(c => string.Equals(c, category.Trim(), StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                return Fail($"Record {n}: the category '{category}' is not one of {system.Name}'s ({string.Join(", ", system.Categories)}).");
            }

            var fields = row.Where(f => !string.Equals(f.Key, "category", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(f.Value))
                .ToDictionary(f => f.Key, f => (string?)f.Value!.Trim(), StringComparer.Ordinal);
            if (fields.Count > 0)
            {
                records.Add(new PersonalRecord(known, fields));
            }
        }

        return new OwnerUpload(records, null);
    }

    private static OwnerUpload Fail(string error) => new([], error);

    private static (List<List<KeyValuePair<string, string?>>> Rows, string? Error) CsvRows(string body)
    {
        var rows = new List<List<KeyValuePair<string, string?>>>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            DetectDelimiterValues = [",", ";", "\t"],
            BadDataFound = null,
            MissingFieldFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        try
        {
            using var csv = new CsvReader(new StringReader(body), config);
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header || header.All(string.IsNullOrWhiteSpace))
            {
                return (rows, "The CSV file has no header row: its first row must name the fields.");
            }

            if (header.Length > MaxFields)
            {
                return (rows, $"The CSV file has {header.Length} columns; at most {MaxFields}.");
            }

            var names = header.Select((h, i) => string.IsNullOrWhiteSpace(h) ? string.Create(CultureInfo.InvariantCulture, $"Column{i + 1}") : h.Trim()).ToArray();
            if (names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } dup)
            {
                return (rows, $"The CSV header names '{dup.Key}' twice.");
            }

            while (csv.Read())
            {
                if (rows.Count == MaxRecords)
                {
                    return (rows, $"The file has more than {MaxRecords} records; send the person's records only.");
                }

                rows.Add([.. names.Select((n, i) => new KeyValuePair<string, string?>(n, i < csv.ColumnCount ? csv.GetField(i) : null))]);
            }
        }
        catch (CsvHelperException e)
        {
            return (rows, $"The CSV file cannot be read (row {e.Context?.Parser?.Row}): save it as CSV and send it again.");
        }

        return (rows, null);
    }

    private static (List<List<KeyValuePair<string, string?>>> Rows, string? Error) JsonRows(string body)
    {
        var rows = new List<List<KeyValuePair<string, string?>>>();
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
            var array = doc.RootElement.ValueKind switch
            {
                JsonValueKind.Array => doc.RootElement,
                JsonValueKind.Object when doc.RootElement.TryGetProperty("records", out var r) && r.ValueKind == JsonValueKind.Array => r,
                JsonValueKind.Object => default,
                _ => default,
            };
            if (array.ValueKind != JsonValueKind.Array)
            {
                return doc.RootElement.ValueKind == JsonValueKind.Object
                    ? (rows, "The JSON file must be an array of records, or an object with a \"records\" array.")
                    : (rows, "The JSON file must be an array of records.");
            }

            foreach (var (item, n) in array.EnumerateArray().Select((e, i) => (e, i + 1)))
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    return (rows, $"Record {n} of the JSON file is not an object of fields.");
                }

                if (rows.Count == MaxRecords)
                {
                    return (rows, $"The file has more than {MaxRecords} records; send the person's records only.");
                }

                var fields = item.EnumerateObject().Take(MaxFields + 1).ToList();
                if (fields.Count > MaxFields)
                {
                    return (rows, $"Record {n} has more than {MaxFields} fields.");
                }

                rows.Add([.. fields.Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    _ => p.Value.GetRawText(),
                }))]);
            }
        }
        catch (JsonException e)
        {
            return (rows, $"The JSON file cannot be read (line {e.LineNumber + 1}): {e.Message.Split('.')[0]}.");
        }

        return (rows, null);
    }
}
