using System.Globalization;
using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Gathering;

/// <summary>One owner task of a request, as the OwnerTasks table keeps it (no personal data: the records go to the gathered blob).</summary>
public sealed record OwnerTaskRecord(string Reference, string Step, string SystemId, string Purpose, DateTimeOffset OpenedAt, int Reminders, bool Alerted, string State, int RecordCount, string? SettledBy, DateTimeOffset? SettledAt)
{
    /// <summary>The staff decision the right carries out, if any (its approved corrections are on the owner's page).</summary>
    public string? DecisionStep { get; init; }
}

/// <summary>
/// The tasks of owner-task systems (<see cref="Connectors.OwnerTaskConnector"/>): the owner is mailed a signed link to a page
/// where they send the person's records (CSV or JSON) for a search, or confirm a right carried out by hand; reminded every
/// <see cref="OwnerTaskTiming.RemindEvery"/>; and after <see cref="OwnerTaskTiming.AlertAfter"/> the privacy team is told,
/// to skip the system with a reason, mark it done by hand, or keep the request waiting. Every look is idempotent: a task
/// opens once, each reminder and the alert go once (the mailer's once-only keys), so the activity may run again safely.
/// </summary>
public sealed class OwnerTasks(DsrStorage storage, RequestRepository requests, DataMap map, LinkService links, Mailer mailer, AuditLog audit, RequestSystemStates states, IOptions<DsrOptions> options)
{
    public const string Table = DsrStorage.OwnerTasksTable;

    /// <summary>The link action of a search's task: send the records.</summary>
    public const string RecordsAction = "owner-records";

    /// <summary>The link action of a right's task: confirm it was done.</summary>
    public const string ConfirmAction = "owner-confirm";

    public const string Open = "open";
    public const string Answered = "answered";

    public static string ActionFor(string purpose) => purpose == OwnerTaskPurposes.Gather ? RecordsAction : ConfirmAction;

    public async Task<OwnerTaskRecord?> GetAsync(string reference, string step, CancellationToken ct = default)
    {
        var row = await storage.Table(Table).GetEntityIfExistsAsync<TableEntity>(reference, step, cancellationToken: ct);
        return row.HasValue ? Read(row.Value!) : null;
    }

    /// <summary>Opens the task if it is not open yet, sends what is due (a reminder, the alert) and says whether it is done.</summary>
    public async Task<OwnerTaskState> CheckAsync(OwnerTaskInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var step = OwnerTaskPurposes.Step(input.Purpose, input.SystemId);
        var system = map.Get(input.SystemId);
        var task = await GetAsync(input.Reference, step, ct) ?? await OpenAsync(input, step, ct);
        if (task.State != Open)
        {
            return new OwnerTaskState(input.SystemId, true, task.RecordCount, task.State == Answered ? null : $"{task.State} by {task.SettledBy}", input.At);
        }

        var r = await requests.GetRequiredAsync(input.Reference, ct);
        var timing = OwnerTaskTiming.Of(system);
        if (task.Reminders == 0 && !task.Alerted)
        {
            // Until the first reminder: the opening email, its audit entry and the state, each once-only or the same again.
            await mailer.SendOnceAsync(input.Reference, step, Email(r, system, task, 0), ct);
            await audit.AppendAsync(input.Reference, task.OpenedAt, $"owner-asked-{step}", "system",
                $"{system.Name} has no API: its owner ({system.Owner}) was asked to {(input.Purpose == OwnerTaskPurposes.Gather ? "send the person's records" : $"carry out the {input.Purpose} and confirm it")}, by a signed link.", ct);
            await states.SetAsync(input.Reference, input.SystemId, SystemStates.WaitingForOwner, $"Asked {system.Owner} ({input.Purpose})", "system", task.OpenedAt, ct);
        }

        var due = OwnerTaskSchedule.Due(task.OpenedAt, task.Reminders, task.Alerted, input.At, timing);
        if (due.Reminder is { } n)
        {
            await mailer.SendOnceAsync(input.Reference, string.Create(CultureInfo.InvariantCulture, $"{step}-reminder-{n}"), Email(r, system, task, n), ct);
            await audit.AppendAsync(input.Reference, input.At, string.Create(CultureInfo.InvariantCulture, $"owner-reminded-{step}-{n}"), "system", $"The owner of {system.Name} was reminded ({n}).", ct);
        }

        if (due.Alert)
        {
            var console = new EmailLink("Open the request in the console", $"{options.Value.PublicBaseUrl.TrimEnd('/')}/{Routes.Console}/requests/{Uri.EscapeDataString(input.Reference)}");
            await mailer.SendOnceAsync(input.Reference, $"{step}-alert",
                EmailComposer.StaffOwnerTaskOverdue(options.Value.PrivacyTeamAddress, input.Reference, system.Name, system.Owner, input.Purpose, task.OpenedAt, console), ct);
            await audit.AppendAsync(input.Reference, input.At, $"owner-overdue-{step}", "system",
                $"The owner of {system.Name} has not answered since {task.OpenedAt:yyyy-MM-dd HH:mm} UTC: the privacy team was told (skip with a reason, mark done by hand, or keep waiting).", ct);
        }

        if (due.Reminder is not null || due.Alert)
        {
            await storage.Table(Table).UpdateEntityAsync(new TableEntity(input.Reference, step)
            {
                ["Reminders"] = due.Reminder ?? task.Reminders,
                ["Alerted"] = task.Alerted || due.Alert,
            }, ETag.All, TableUpdateMode.Merge, ct);
        }

        return new OwnerTaskState(input.SystemId, false, 0, null, due.NextCheck);
    }

    /// <summary>
    /// The owner's answer from the page: the records for a search (written to the request's gathered blob, as any search's
    /// are), or the confirmation of a right. False when the task was no longer open (answered, skipped or done by hand).
    /// </summary>
    public async Task<bool> AnswerAsync(string reference, string step, IReadOnlyList<PersonalRecord>? records, string by, DateTimeOffset at, CancellationToken ct = default)
    {
        var task = await GetAsync(reference, step, ct);
        if (task is not { State: Open })
        {
            return false;
        }

        var system = map.Get(task.SystemId);
        if (records is not null)
        {
            var blob = storage.Container(DsrStorage.GatheredContainer).GetBlobClient(GatheredBlob.Name(reference, task.SystemId));
            await using var stream = new BlobWriteStream(blob, "application/x-ndjson");
            await GatheredBlob.WriteAsync(stream, new SystemSearch(task.SystemId, at, $"{system.Name}: records sent by its owner, {system.Owner}"), ToAsync(records), ct);
        }

        try
        {
            await storage.Table(Table).UpdateEntityAsync(new TableEntity(reference, step)
            {
                ["State"] = Answered,
                ["RecordCount"] = records?.Count ?? 0,
                ["SettledBy"] = by,
                ["SettledAt"] = at,
            }, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }

        var what = records is null ? $"confirmed the {task.Purpose} was done" : $"sent {records.Count} record(s)";
        await audit.AppendAsync(reference, at, $"owner-answered-{step}", by, $"The owner of {system.Name} {what}.", ct);
        await states.SetAsync(reference, task.SystemId, records is null ? SystemStates.Confirmed : SystemStates.Searched,
            records is null ? $"{task.Purpose} confirmed by its owner" : $"{records.Count} record(s) sent by its owner", by, at, ct);
        return true;
    }

    /// <summary>Staff settled the system's open task (skipped, or done by hand): the owner's link no longer acts.</summary>
    public async Task SettleAsync(string reference, string systemId, string purpose, string state, string by, DateTimeOffset at, CancellationToken ct = default)
    {
        var step = OwnerTaskPurposes.Step(purpose, systemId);
        if (await GetAsync(reference, step, ct) is { State: Open })
        {
            await storage.Table(Table).UpdateEntityAsync(new TableEntity(reference, step) { ["State"] = state, ["SettledBy"] = by, ["SettledAt"] = at }, ETag.All, TableUpdateMode.Merge, ct);
        }
    }

    /// <summary>The request's open tasks (the console offers their pages to staff).</summary>
    public async Task<IReadOnlyList<OwnerTaskRecord>> OpenTasksAsync(string reference, CancellationToken ct = default)
    {
        var list = new List<OwnerTaskRecord>();
        await foreach (var e in storage.Table(Table).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {reference} and State eq {Open}"), cancellationToken: ct))
        {
            list.Add(Read(e));
        }

        return list;
    }

    /// <summary>A link to the task's page, for its owner (or, signed for them, a staff member in the console).</summary>
    public string PageUrl(string reference, string step, string purpose, DateTimeOffset expires, string? by = null) =>
        $"{options.Value.PublicBaseUrl.TrimEnd('/')}/{Routes.OwnerTasks}?token={links.Sign(reference, step, [ActionFor(purpose)], expires, by)}";

    private async Task<OwnerTaskRecord> OpenAsync(OwnerTaskInput input, string step, CancellationToken ct)
    {
        var row = new TableEntity(input.Reference, step)
        {
            ["SystemId"] = input.SystemId,
            ["Purpose"] = input.Purpose,
            ["OpenedAt"] = input.At,
            ["Reminders"] = 0,
            ["Alerted"] = false,
            ["State"] = Open,
            ["RecordCount"] = 0,
            ["DecisionStep"] = input.DecisionStep,
        };
        try
        {
            await storage.Table(Table).AddEntityAsync(row, ct);
            return Read(row);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return (await GetAsync(input.Reference, step, ct))!;
        }
    }

    private EmailMessage Email(Storage.RequestRecord r, SystemDescriptor system, OwnerTaskRecord task, int reminder)
    {
        var timing = OwnerTaskTiming.Of(system);
        var expires = task.OpenedAt + Max(options.Value.ApprovalLinkLifetime, timing.AlertAfter) + (timing.RemindEvery * reminder);
        var answerBy = StatutoryClock.UkDate(task.OpenedAt + timing.AlertAfter);
        if (DateOnly.TryParse(r.DueDate, CultureInfo.InvariantCulture, out var due) && due < answerBy)
        {
            answerBy = due;
        }

        var link = new EmailLink(task.Purpose == OwnerTaskPurposes.Gather ? "Send the records" : "See what to do and confirm", PageUrl(r.RowKey, task.Step, task.Purpose, expires));
        return EmailComposer.OwnerTask(system.Owner, r.RowKey, system.Name, task.Purpose, link, answerBy, reminder);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static OwnerTaskRecord Read(TableEntity e) => new(e.PartitionKey, e.RowKey, e.GetString("SystemId") ?? string.Empty, e.GetString("Purpose") ?? string.Empty,
        e.GetDateTimeOffset("OpenedAt") ?? DateTimeOffset.MinValue, e.GetInt32("Reminders") ?? 0, e.GetBoolean("Alerted") == true, e.GetString("State") ?? Open,
        e.GetInt32("RecordCount") ?? 0, e.GetString("SettledBy"), e.GetDateTimeOffset("SettledAt"))
    {
        DecisionStep = e.GetString("DecisionStep"),
    };

#pragma warning disable CS1998 // An async iterator over a list in memory.
    private static async IAsyncEnumerable<PersonalRecord> ToAsync(IReadOnlyList<PersonalRecord> records)
#pragma warning restore CS1998
    {
        foreach (var r in records)
        {
            yield return r;
        }
    }
}
