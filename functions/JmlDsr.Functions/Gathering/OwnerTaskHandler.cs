using System.Globalization;
using System.Text.Json;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.StaffConsole;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.Gathering;

/// <summary>
/// The page of an owner task (<see cref="OwnerTasks"/>), behind the signed link in the owner's email. GET only shows it: the
/// emailed token is swapped for a cookie and a redirect (<see cref="LinkCookies"/>), so it leaves the URL. The POST sends
/// the person's records (a CSV or JSON file, read and checked before anything is kept: a file that cannot be read is refused
/// with the reason and nothing changes) or the confirmation; the token is spent once for the task, the answer kept, the
/// workflow told, and the owner's answer audited.
/// </summary>
public sealed class OwnerTaskHandler(LinkService links, LinkCookies cookies, OwnerTasks tasks, RequestRepository requests, DecisionStore decisions, DataMap map,
    AuditLog audit, TimeProvider time, ILogger<OwnerTaskHandler> logger)
{
    public const string Path = "/" + Routes.OwnerTasks;

    public const string CookiePrefix = "jmldsr-owner-";

    private const int MaxNote = 2000;

    private static readonly CultureInfo Uk = CultureInfo.GetCultureInfo("en-GB");

    public async Task<IResult> ShowAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var found = LinkCookies.Read(request, CookiePrefix);
        if (found.Token is not { } token)
        {
            return Approval.LinksHandler.OpenFromEmail(request.HttpContext);
        }

        var (claims, task, refused) = await CheckAsync(token, ct);
        if (refused is not null)
        {
            return refused;
        }

        if (found.QueryToken is not null)
        {
            return cookies.Exchange(request, Path, CookiePrefix, token, claims!.ExpiresAt);
        }

        return await PageAsync(request, token, claims!, task!, null, StatusCodes.Status200OK, ct);
    }

    public async Task<IResult> ActAsync(HttpRequest request, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        if (!request.HasFormContentType)
        {
            return Notice(StatusCodes.Status400BadRequest, "Nothing to do", "Open the link from your email and use the form on the page.");
        }

        var form = await request.ReadFormAsync(ct);
        var token = form["token"].ToString();
        var (claims, task, refused) = await CheckAsync(token, ct);
        if (refused is not null)
        {
            return refused;
        }

        var system = map.Get(task!.SystemId);
        var answer = form["answer"].ToString();
        var gather = task.Purpose == OwnerTaskPurposes.Gather;
        if (!(gather ? answer is "records" or "none" : answer == "done"))
        {
            return Notice(StatusCodes.Status400BadRequest, "Nothing to do", "Use the form on the page. Nothing was changed.");
        }

        if (answer != "records" && form["checked"].ToString() != "yes")
        {
            return await PageAsync(request, token, claims!, task, "Tick the box to confirm.", StatusCodes.Status400BadRequest, ct);
        }

        IReadOnlyList<PersonalRecord>? records = null;
        if (answer == "records")
        {
            var file = form.Files["records"];
            if (file is null || file.Length == 0)
            {
                return await PageAsync(request, token, claims!, task, "Choose the file of the person's records.", StatusCodes.Status400BadRequest, ct);
            }

            if (file.Length > OwnerUpload.MaxBytes)
            {
                return await PageAsync(request, token, claims!, task, $"The file is larger than {OwnerUpload.MaxBytes / (1024 * 1024)} MB; send the person's records only.", StatusCodes.Status413PayloadTooLarge, ct);
            }

            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            var upload = OwnerUpload.Parse(file.FileName, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), system);
            if (upload.Error is { } error)
            {
                Log.OwnerUploadRefused(logger, claims!.Reference, task.SystemId);
                return await PageAsync(request, token, claims!, task, error, StatusCodes.Status400BadRequest, ct);
            }

            records = upload.Records;
        }
        else if (answer == "none")
        {
            records = [];
        }

        var note = form["note"].ToString().Trim();
        if (note.Length > MaxNote)
        {
            return await PageAsync(request, token, claims!, task, $"The note is longer than {MaxNote} characters.", StatusCodes.Status400BadRequest, ct);
        }

        var now = time.GetUtcNow();
        var by = claims!.By is { } staff ? $"{staff} (console)" : $"{system.Owner} (owner of {system.Name})";
        var decision = new LinkDecision(task.SystemId, SystemControls.Answered, null, by, now);
        if (await links.SpendAsync(claims, OwnerTasks.ActionFor(task.Purpose), JsonSerializer.Serialize(decision), ct) == SpendOutcome.AlreadyUsed)
        {
            return Notice(StatusCodes.Status409Conflict, "This task has already been answered", "Each task is answered once, and this one has been, so nothing was changed.", claims.Reference);
        }

        if (!await tasks.AnswerAsync(claims.Reference, claims.Step, records, by, now, ct) && (await tasks.GetAsync(claims.Reference, claims.Step, ct))?.State != OwnerTasks.Answered)
        {
            return Notice(StatusCodes.Status409Conflict, "This task is closed", "The privacy team has already settled this system for the request, so nothing was changed.", claims.Reference);
        }

        if (note.Length > 0)
        {
            await audit.AppendAsync(claims.Reference, now, $"owner-note-{claims.Step}", by, $"The owner of {system.Name} wrote: {note}", ct);
        }

        await client.RaiseEventAsync(claims.Reference, DsrEvents.SystemControl, decision, ct);
        await links.MarkDeliveredAsync(claims, ct);
        Log.OwnerAnswered(logger, claims.Reference, task.SystemId, task.Purpose);
        cookies.Forget(request.HttpContext.Response, Path, CookiePrefix, token);
        if (ConsolePages.SafeReturnPath(form["returnTo"].ToString()) is { } back)
        {
            return Results.Redirect(back, permanent: false, preserveMethod: false);
        }

        return Notice(StatusCodes.Status200OK, "Thank you", gather
            ? records!.Count == 0 ? $"We have your answer: {system.Name} holds nothing about the person." : string.Create(CultureInfo.InvariantCulture, $"We have the {records.Count} record(s). The privacy team checks them before the person gets their copy.")
            : $"Thank you for confirming the {task.Purpose} in {system.Name}. It is recorded with the request.", claims.Reference);
    }

    private async Task<(Domain.Links.LinkClaims? Claims, OwnerTaskRecord? Task, IResult? Refused)> CheckAsync(string? token, CancellationToken ct)
    {
        var check = links.Verify(token);
        if (!check.IsValid)
        {
            var partition = check.Verdict == Domain.Links.TokenVerdict.Expired ? check.Claims!.Reference : AuditLog.SecurityPartition;
            await audit.AppendAsync(partition, time.GetUtcNow(), $"owner-link-refused-{check.Verdict.ToString().ToLowerInvariant()}", "unknown", $"An owner's link was refused: {check.Verdict}.", ct);
            return (null, null, check.Verdict == Domain.Links.TokenVerdict.Expired
                ? Notice(StatusCodes.Status410Gone, "This link has expired", "The link is past its expiry date, so nothing was changed. A reminder brings a new one; or ask the privacy team.")
                : Notice(StatusCodes.Status403Forbidden, "This link is not valid", "The link is not one we issued, or it was altered. Nothing was changed."));
        }

        var claims = check.Claims!;
        var task = OwnerTaskPurposes.Parse(claims.Step) is not null && (claims.Allows(OwnerTasks.RecordsAction) || claims.Allows(OwnerTasks.ConfirmAction))
            ? await tasks.GetAsync(claims.Reference, claims.Step, ct)
            : null;
        if (task is null)
        {
            return (null, null, Notice(StatusCodes.Status403Forbidden, "This link is not valid", "The link is not one for a system owner's task. Nothing was changed."));
        }

        if (task.State != OwnerTasks.Open)
        {
            return (null, null, Notice(StatusCodes.Status409Conflict, task.State == OwnerTasks.Answered ? "This task has already been answered" : "This task is closed",
                task.State == OwnerTasks.Answered ? "It was answered, so there is nothing more to do. Thank you." : "The privacy team has settled this system for the request, so there is nothing more to do.", claims.Reference));
        }

        return (claims, task, null);
    }

    private async Task<IResult> PageAsync(HttpRequest request, string token, Domain.Links.LinkClaims claims, OwnerTaskRecord task, string? error, int status, CancellationToken ct)
    {
        var system = map.Get(task.SystemId);
        var r = await requests.GetRequiredAsync(claims.Reference, ct);
        var person = new List<(string, string)>
        {
            ("Name", (r.AgentKind is null ? r.RequesterName : r.SubjectName) is { Length: > 0 } name ? name : "not given"),
            ("Email address", r.PersonEmail()),
        };
        if (r.AgentKind is null && !string.IsNullOrEmpty(r.SubjectEmail) && !string.Equals(r.SubjectEmail, r.RequesterEmail, StringComparison.OrdinalIgnoreCase))
        {
            person.Add(("Also wrote from", r.RequesterEmail));
        }

        var corrections = task.Purpose == OwnerTaskPurposes.Rectification && task.DecisionStep is { } step
            ? (await decisions.GetAsync(claims.Reference, step, ct)).Changes.Where(c => c.Apply).Select(c => (c.Field, (string?)c.NewValue)).ToList()
            : [];
        // A right's task means the records the owner sent for the search.
        var sent = task.Purpose == OwnerTaskPurposes.Gather ? 0 : (await tasks.GetAsync(claims.Reference, OwnerTaskPurposes.Step(OwnerTaskPurposes.Gather, task.SystemId), ct))?.RecordCount ?? 0;
        return new JmlDsr.Pages.ComponentPageResult<JmlDsr.Pages.OwnerTaskPage>(status, new Dictionary<string, object?>
        {
            [nameof(JmlDsr.Pages.OwnerTaskPage.Title)] = task.Purpose == OwnerTaskPurposes.Gather ? $"{system.Name}: the person's records" : $"{system.Name}: confirm the {task.Purpose}",
            [nameof(JmlDsr.Pages.OwnerTaskPage.Reference)] = claims.Reference,
            [nameof(JmlDsr.Pages.OwnerTaskPage.SystemName)] = system.Name,
            [nameof(JmlDsr.Pages.OwnerTaskPage.Ask)] = OwnerTaskPurposes.Ask(task.Purpose, system.Name),
            [nameof(JmlDsr.Pages.OwnerTaskPage.Person)] = person,
            [nameof(JmlDsr.Pages.OwnerTaskPage.Todo)] = OwnerTaskPurposes.Todo(task.Purpose, system, sent, corrections),
            [nameof(JmlDsr.Pages.OwnerTaskPage.Gather)] = task.Purpose == OwnerTaskPurposes.Gather,
            [nameof(JmlDsr.Pages.OwnerTaskPage.Categories)] = system.Categories,
            [nameof(JmlDsr.Pages.OwnerTaskPage.PostPath)] = request.PathBase + Path,
            [nameof(JmlDsr.Pages.OwnerTaskPage.Token)] = token,
            [nameof(JmlDsr.Pages.OwnerTaskPage.ExpiresAt)] = claims.ExpiresAt.ToString("d MMMM yyyy HH:mm 'UTC'", Uk),
            [nameof(JmlDsr.Pages.OwnerTaskPage.Error)] = error,
            [nameof(JmlDsr.Pages.OwnerTaskPage.MaxNote)] = MaxNote,
        });
    }
}
