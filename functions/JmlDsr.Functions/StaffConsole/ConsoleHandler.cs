using System.Globalization;
using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Deadlines;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Links;
using JmlDsr.Domain.Reporting;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using JmlDsr.Pages;
using JmlDsr.Pages.Console;
using Microsoft.DurableTask.Client;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>
/// The privacy team's console at /console: the queue, one request (timeline, what each system
/// returned, the decision pending), and the dashboard. Decisions go through the same signed-link
/// path as the emails: the page mints a link for the signed-in staff member and posts it to /api/links.
/// </summary>
public sealed class ConsoleHandler(StaffAuth auth, RequestRepository requests, AuditLog audit, DsrStorage storage, LinkService links, Approval.DecisionForms forms,
    Intake.SetAsideStore setAside, Intake.SetAsideHandler setAsideHandler, Intake.RequestLinks requestLinks, Microsoft.Extensions.Options.IOptions<Configuration.DsrOptions> options, TimeProvider time,
    RequestSystemStates systemStates, SystemPauses pauses, OwnerTasks ownerTasks, Approval.LinksHandler linksHandler, Microsoft.Extensions.Logging.ILogger<ConsoleHandler> logger)
{
    private static readonly CultureInfo Uk = CultureInfo.GetCultureInfo("en-GB");

    public IResult SignInPage(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not null)
        {
            return Results.Redirect("/console");
        }

        return SignInForm(StatusCodes.Status200OK, request.Query["returnTo"].ToString(), null);
    }

    public async Task<IResult> SignInAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasFormContentType)
        {
            return SignInForm(StatusCodes.Status400BadRequest, null, "Please use the sign-in form.");
        }

        var form = await request.ReadFormAsync(ct);
        var back = ConsolePages.SafeReturnPath(form["returnTo"].ToString()) ?? "/console";
        return auth.SignIn(request.HttpContext, form["account"].ToString() is { Length: > 0 } account ? account : form["name"].ToString(), form["key"].ToString())
            ? Results.Redirect(back)
            : SignInForm(StatusCodes.Status401Unauthorized, back, "Choose a development account and give the staff key; the key must be right.");
    }

    public IResult SignOut(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        auth.SignOut(request.HttpContext);
        return Results.Redirect("/console/signin");
    }

    public async Task<IResult> QueueAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        // The filter form posts (a search may be an email address, which must not sit in a URL); links to the queue may
        // still name a type, status or show in the query, never q.
        IFormCollection? form = request.HasFormContentType && HttpMethods.IsPost(request.Method) ? await request.ReadFormAsync(ct) : null;
        return await QueueWithAsync(staff, FilterOf(request, form), null, ct);
    }

    /// <summary>How many requests a page of the queue shows.</summary>
    public const int QueuePageSize = 50;

    /// <summary>The most requests one bulk action takes (a bigger campaign is done in turns).</summary>
    public const int BulkLimit = 2000;

    /// <summary>
    /// POST from the queue's bulk form: approve, ask the same clarification, or set aside the requests ticked (or all those the
    /// filter matches), each as its own decision in the signed-in staff member's name, through the same path as a single one
    /// (a token signed for them, spent once, audited per request). A request that is not waiting for that decision, or whose
    /// decision needs more than a button (a correction decided field by field), is left alone and listed with why.
    /// </summary>
    public async Task<IResult> BulkAsync(HttpRequest request, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        if (!request.HasFormContentType)
        {
            return Results.Redirect("/console");
        }

        var form = await request.ReadFormAsync(ct);
        var filter = FilterOf(request, form);
        var action = form["action"].ToString();
        var reason = form["reason"].ToString().Trim();
        var refs = form["all"].ToString() == "yes"
            ? (await MatchingAsync(filter, ct)).Select(r => r.RowKey).ToList()
            : form["ref"].Select(v => v ?? string.Empty).Where(RequestReference.IsValid).Distinct(StringComparer.Ordinal).ToList();
        var notDone = new List<string>();
        var label = action switch
        {
            LinkActions.Approve => "Approve",
            LinkActions.Clarify => "Clarification",
            "set-aside" => "Set aside",
            _ => null,
        };
        if (label is null || refs.Count == 0 || ((action is LinkActions.Clarify or "set-aside") && reason.Length is 0 or > 2000) || refs.Count > BulkLimit)
        {
            notDone.Add(label is null ? "Choose what to do."
                : refs.Count == 0 ? "Tick the requests to act on, or choose all those the filter matches."
                : refs.Count > BulkLimit ? $"{refs.Count} requests match: at most {BulkLimit} at a time; narrow the filter (received from, status) and act in turns."
                : action == LinkActions.Clarify ? "Write the clarification to send (up to 2000 characters)." : "Give the reason for setting them aside (up to 2000 characters).");
            return await QueueWithAsync(staff, filter, new BulkOutcome(label ?? "Nothing", 0, refs.Count, notDone), ct);
        }

        var done = 0;
        foreach (var reference in refs)
        {
            var problem = action == "set-aside"
                ? await requestLinks.SetAsideAsync(client, reference, reason, $"{staff} (console)", ct)
                : await DecideAsync(request, client, reference, action, reason, staff, ct);
            if (problem is null)
            {
                done++;
            }
            else
            {
                notDone.Add($"{reference}: {problem}");
            }
        }

        Log.BulkAction(logger, action, done, refs.Count);
        return await QueueWithAsync(staff, filter, new BulkOutcome(label, done, refs.Count, notDone), ct);
    }

    /// <summary>One request's decision from a bulk action: the form the console would post for it, with a token signed for the staff member.</summary>
    private async Task<string?> DecideAsync(HttpRequest request, DurableTaskClient client, string reference, string action, string reason, string staff, CancellationToken ct)
    {
        var r = await requests.GetAsync(reference, ct);
        if (r is null || r.CurrentStep is not { } step || r.CurrentStepExpires is not { } expires || expires <= time.GetUtcNow()
            || !(r.CurrentActions ?? string.Empty).Split(',').Contains(action, StringComparer.Ordinal))
        {
            return $"not waiting for {(action == LinkActions.Approve ? "approval" : "a decision that can ask for clarification")} (status {r?.Status ?? "unknown"}).";
        }

        var fields = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(StringComparer.Ordinal)
        {
            ["token"] = links.Sign(reference, step, [action], time.GetUtcNow().AddMinutes(10) < expires ? time.GetUtcNow().AddMinutes(10) : expires, staff),
            ["action"] = action,
            ["reason"] = reason,
        };
        if (action == LinkActions.Approve && await forms.ExtraAsync(r, action, ct) is RedactionOffer offer)
        {
            // As the single form comes: every proposed redaction ticked.
            fields["redact"] = new Microsoft.Extensions.Primitives.StringValues([.. offer.Proposed.Select(p => p.Text)]);
        }

        var result = await linksHandler.ActOnFormAsync(request, new FormCollection(fields), client, forgetCookie: false, ct);
        return (result as IStatusCodeHttpResult)?.StatusCode switch
        {
            StatusCodes.Status200OK or StatusCodes.Status302Found => null,
            StatusCodes.Status400BadRequest => "its decision needs more than a button (open it to decide field by field or give the grounds).",
            StatusCodes.Status409Conflict => "it moved on or closed before this decision.",
            var code => $"refused (HTTP {code}).",
        };
    }

    /// <summary>The queue's page the filter asks for, with what a bulk action did when it follows one.</summary>
    private async Task<IResult> QueueWithAsync(string staff, QueueFilter filter, BulkOutcome? outcome, CancellationToken ct)
    {
        var rows = await MatchingAsync(filter, ct);
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var pages = Math.Max(1, (rows.Count + QueuePageSize - 1) / QueuePageSize);
        filter = filter with { Page = Math.Clamp(filter.Page, 1, pages) };
        return Page<QueuePage>(StatusCodes.Status200OK, staff, new()
        {
            [nameof(QueuePage.Filter)] = filter,
            [nameof(QueuePage.Rows)] = rows.Skip((filter.Page - 1) * QueuePageSize).Take(QueuePageSize).Select(r => QueueRowOf(r, today)).ToList(),
            [nameof(QueuePage.Total)] = rows.Count,
            [nameof(QueuePage.PageCount)] = pages,
            [nameof(QueuePage.Outcome)] = outcome,
        });
    }

    private static QueueFilter FilterOf(HttpRequest request, IFormCollection? form)
    {
        string Field(string name) => (form is not null ? form[name] : request.Query[name]).ToString();
        var show = Field("show") is "closed" or "all" ? Field("show") : "open";
        var from = DateOnly.TryParseExact(Field("from"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f) ? f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty;
        return new QueueFilter(show, Field("type"), Field("status"), form is not null ? form["q"].ToString().Trim() : string.Empty)
        {
            Subject = Field("subject").Trim(),
            From = from,
            Page = int.TryParse(Field("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1,
        };
    }

    /// <summary>The requests the filter matches, soonest due first: read as a projection of the columns the queue shows.</summary>
    private async Task<List<RequestRecord>> MatchingAsync(QueueFilter filter, CancellationToken ct)
    {
        var rows = new List<RequestRecord>();
        DateTimeOffset? from = filter.From.Length > 0 ? new DateTimeOffset(DateOnly.ParseExact(filter.From, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
        await foreach (var r in requests.ListAsync(filter.Status, filter.Type, QueueColumns, ct))
        {
            var closed = RequestStatus.IsClosed(r.Status) || r.ClosedAt is not null;
            if ((filter.Show == "open" && closed) || (filter.Show == "closed" && !closed)
                || (filter.Query.Length > 0 && !r.RowKey.Contains(filter.Query, StringComparison.OrdinalIgnoreCase) && !string.Equals(r.RequesterEmail, filter.Query, StringComparison.OrdinalIgnoreCase))
                || (filter.Subject.Length > 0 && !(r.Subject ?? string.Empty).Contains(filter.Subject, StringComparison.OrdinalIgnoreCase))
                || (from is { } f && r.ReceivedAt < f))
            {
                continue;
            }

            rows.Add(r);
        }

        return [.. rows.OrderBy(r => r.DueDate, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal)];
    }

    private static readonly string[] QueueColumns = ["PartitionKey", "RowKey", "Type", "Status", "RequesterEmail", "ReceivedAt", "DueDate", "ClosedAt", "Overdue", "Subject"];

    private static QueueRow QueueRowOf(RequestRecord r, DateOnly today)
    {
        var due = ParseDate(r.DueDate);
        var left = due is null ? (int?)null : StatutoryClock.DaysLeft(today, due.Value);
        // A complaint (DPA 2018 s 164A) has no DSR due date: its date is the last day to acknowledge it, and it is never overdue as a request.
        var complaint = RequestTypes.FromWire(r.Type) == RequestType.Complaint;
        var state = (RequestStatus.IsClosed(r.Status) || r.ClosedAt is not null) ? QueueState.Closed
            : complaint ? (r.Status == RequestStatus.Received ? QueueState.ToAcknowledge : QueueState.Acknowledged)
            : RequestStatus.IsPaused(r.Status) ? QueueState.Paused
            : r.Overdue || left < 0 ? QueueState.Overdue
            : QueueState.Running;
        return new QueueRow(r.RowKey, RequestTypes.FromWire(r.Type).Title(), EmailComposer.Mask(r.RequesterEmail), r.Status,
            ConsolePages.Date(r.ReceivedAt), ConsolePages.Date(r.DueDate), complaint, state, left);
    }

    public async Task<IResult> RequestAsync(HttpRequest request, string reference, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        var r = RequestReference.IsValid(reference) ? await requests.GetAsync(reference, ct) : null;
        if (r is null)
        {
            return Page<ConsoleMessage>(StatusCodes.Status404NotFound, staff, new()
            {
                [nameof(ConsoleMessage.Title)] = "Not found",
                [nameof(ConsoleMessage.Message)] = $"There is no request {reference}.",
            });
        }

        var type = RequestTypes.FromWire(r.Type);
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var complaint = type == RequestType.Complaint;
        var view = new RequestView
        {
            Reference = r.RowKey,
            TypeTitle = type.Title(),
            Status = r.Status,
            Complaint = complaint,
            RequesterName = r.RequesterName,
            RequesterEmail = r.RequesterEmail,
            Channel = r.Channel,
            Received = ConsolePages.Date(r.ReceivedAt),
            Agent = r.AgentKind is null ? null : new AgentFacts(r.AgentKind, r.RequesterName ?? "—", r.RequesterEmail, r.SubjectName ?? "—", r.SubjectEmail ?? "not given yet",
                r.AuthorityAcceptedBy is { } by ? "checked by " + by
                : r.AuthorityReceivedAt is { } at ? $"received {ConsolePages.Date(at)}" + (r.AuthorityBlob is null ? " (no document uploaded)" : " (document in the evidence pack)") + ", not yet checked"
                : "not received"),
            FoundUnder = r.AgentKind is null && !string.IsNullOrEmpty(r.SubjectEmail) ? r.SubjectEmail : null,
            IdentityNeed = r.IdentityNeed,
            IdentityReason = r.IdentityReason,
            Linked = r.LinkedReferences(),
            // Art 21: to direct marketing it took (or takes) effect without a decision; to other processing staff decide.
            ObjectionTo = type != RequestType.Objection ? null : r.ObjectionScope switch
            {
                ObjectionScope.Marketing => "direct marketing (Art 21(2)-(3)): stops without a decision",
                ObjectionScope.Other => "other processing (Art 21(1)): staff decide, on the approval form",
                _ => "read from the wording once identity is confirmed",
            },
            ComplaintFacts = complaint
                ? new ComplaintFacts(RequestReference.IsValid(r.AboutReference) ? r.AboutReference : null, r.Status != RequestStatus.Received,
                    ConsolePages.Date(r.DueDate), r.ClosedAt is { } closed ? ConsolePages.Date(closed) : null)
                : null,
            Clock = complaint ? null : new ClockFacts(ConsolePages.Date(r.RelevantDate), r.PausedDays, ConsolePages.Date(r.DueDate), r.Extended,
                ParseDate(r.DueDate) is { } d && r.ClosedAt is null && StatutoryClock.DaysLeft(today, d) < 0 && !RequestStatus.IsPaused(r.Status)),
            Subject = r.Subject,
            ClassifiedBecause = r.ClassificationReason,
            SenderAuthentication = r.SenderAuthentication,
            ComplaintText = complaint && !string.IsNullOrWhiteSpace(r.Details) ? r.Details : null,
            OffersCorrections = !complaint && !RequestStatus.IsClosed(r.Status),
            CorrectionError = request.Query["error"].ToString(),
            Systems = complaint ? null : await SystemsAsync(r.RowKey, staff, RequestStatus.IsClosed(r.Status), ct),
            Timeline = (await audit.ReadAsync(r.RowKey, ct)).OrderBy(a => a.RowKey, StringComparer.Ordinal)
                .Select(a => new TimelineEntry(a.At, ConsolePages.Date(a.At), a.Step, a.Detail, a.Actor)).ToList(),
        };
        var decision = await DecisionAsync(r, staff, ct);
        return Page<RequestPage>(StatusCodes.Status200OK, staff, new()
        {
            [nameof(RequestPage.Request)] = view,
            [nameof(RequestPage.Decision)] = decision,
        });
    }

    /// <summary>POST from the request page's corrections: split, merge or mark as an agent's, in the signed-in staff member's name.</summary>
    public async Task<IResult> RequestActionAsync(HttpRequest request, string reference, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        var back = "/console/requests/" + Uri.EscapeDataString(reference);
        if (!RequestReference.IsValid(reference) || !request.HasFormContentType)
        {
            return Results.Redirect(back);
        }

        var form = await request.ReadFormAsync(ct);
        string? problem;
        switch (form["do"].ToString())
        {
            case "split":
                (var opened, problem) = RequestTypes.TryParseWire(form["type"].ToString(), out var t)
                    ? await requestLinks.SplitAsync(reference, t, staff, ct)
                    : (null, "Choose the right the message also asks for.");
                if (opened is not null)
                {
                    return Results.Redirect("/console/requests/" + Uri.EscapeDataString(opened));
                }

                break;
            case "merge":
                var into = form["into"].ToString().Trim().ToUpperInvariant();
                problem = RequestReference.IsValid(into) ? await requestLinks.MergeAsync(client, reference, into, staff, ct) : "Give the reference of the request this one is the same as.";
                break;
            case "agent":
                problem = await requestLinks.MarkAgentAsync(reference, form["kind"].ToString(), staff, ct);
                break;
            case "system":
                problem = await SystemControlAsync(client, reference, form["system"].ToString(), form["control"].ToString(), form["reason"].ToString().Trim(), staff, ct);
                break;
            default:
                problem = "Nothing to do.";
                break;
        }

        return Results.Redirect(problem is null ? back : back + "?error=" + Uri.EscapeDataString(problem));
    }

    /// <summary>The decision pending on staff, if any, as forms that use the same single-use signed links as the emails.</summary>
    private async Task<ConsoleDecision> DecisionAsync(RequestRecord r, string staff, CancellationToken ct)
    {
        var back = "/console/requests/" + r.RowKey;
        if (r.CurrentStep is not { } step || r.CurrentActions is not { } actions || r.CurrentStepExpires is not { } stepExpires || stepExpires <= time.GetUtcNow())
        {
            return ConsoleDecision.None(back);
        }

        var expires = time.GetUtcNow().AddHours(1) < stepExpires ? time.GetUtcNow().AddHours(1) : stepExpires;
        var signed = new List<SignedLinkForm>();
        foreach (var action in actions.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var answer = action == LinkActions.Answer;
            signed.Add(new SignedLinkForm(links.Sign(r.RowKey, step, [action], expires, staff), new LinkForm(action, answer ? "Record the requester's answer (the clock runs again)" : LinkActions.Label(action))
            {
                Multipart = Verification.IdentityForms.IsMultipart(action),
                Extra = await forms.ExtraAsync(r, action, ct),
                Authority = action == LinkActions.Approve ? Verification.IdentityForms.Authority(r) : null,
                ReasonLabel = !LinkActions.NeedsReason(action) ? null : answer ? "The requester's answer, as received by post, phone or email" : LinkActions.ReasonLabel(action),
                ButtonClass = action == LinkActions.Approve ? "primary" : "secondary",
            }));
        }

        return new ConsoleDecision(step, signed, back);
    }

    public async Task<IResult> DashboardAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        var facts = new List<RequestFacts>();
        var now = time.GetUtcNow();
        var notWatched = new List<(RequestRecord Row, string Problem)>();
        var attention = new List<RequestRecord>();
        await foreach (var r in requests.ListAsync(ct))
        {
            if (r.ClosedAt is null && DeadlineWatch.NotUnderWatchBecause(r.WatchVerdict, r.WatchReason, r.WatchedAt, r.ReceivedAt, now, options.Value.WatchdogInterval) is { } problem)
            {
                notWatched.Add((r, problem));
            }

            if (r.ClosedAt is null && !string.IsNullOrWhiteSpace(r.Attention))
            {
                attention.Add(r);
            }

            if (ParseDate(r.DueDate) is { } due)
            {
                facts.Add(new RequestFacts(r.RowKey, RequestTypes.FromWire(r.Type), r.Status, StatutoryClock.UkDate(r.ReceivedAt), due,
                    r.ClosedAt is { } c ? StatutoryClock.UkDate(c) : null));
            }
        }

        // Case files past their retention period live on as anonymous statistics rows: the history stays whole.
        await foreach (var row in storage.Table(DsrStorage.StatisticsTable).QueryAsync<Azure.Data.Tables.TableEntity>(cancellationToken: ct))
        {
            if (Retention.StatisticsRow.ToFacts(row) is { } stats)
            {
                facts.Add(stats);
            }
        }

        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var d = DashboardStats.Compute(facts, today);
        var cards = new List<DashboardCard>
        {
            new("open", d.Open.ToString(CultureInfo.InvariantCulture), "open requests"),
            new("due-week", d.DueThisWeek.ToString(CultureInfo.InvariantCulture), "due this week"),
            new("overdue", d.Overdue.ToString(CultureInfo.InvariantCulture), "overdue"),
            new("on-time", d.OnTimeRate is { } rate ? rate.ToString("P0", Uk) : "—", "on time, last 12 months"),
            new("median", d.MedianDaysToClose is { } m ? m.ToString("0.#", Uk) : "—", "median days to close"),
            new("open-complaints", d.OpenComplaints.ToString(CultureInfo.InvariantCulture), "open complaints"),
            new("not-watched", notWatched.Count.ToString(CultureInfo.InvariantCulture), "requests not under watch"),
            new("needs-attention", attention.Count.ToString(CultureInfo.InvariantCulture), "needs attention"),
        };
        return Page<DashboardPage>(StatusCodes.Status200OK, staff, new()
        {
            [nameof(DashboardPage.Cards)] = cards,
            [nameof(DashboardPage.WatchdogLastRun)] = await WatchdogLastRunAsync(ct),
            [nameof(DashboardPage.NotWatched)] = notWatched.OrderBy(x => x.Row.DueDate, StringComparer.Ordinal).Select(x => NotWatchedRowOf(x.Row, x.Problem, staff, now)).ToList(),
            [nameof(DashboardPage.Attention)] = attention.OrderBy(x => x.DueDate, StringComparer.Ordinal)
                .Select(r => new AttentionRow(r.RowKey, r.Status, ConsolePages.Date(r.DueDate), r.Attention!)).ToList(),
            [nameof(DashboardPage.OpenByType)] = d.OpenByType.Select(x => new TypeCount(x.Key.Title(), x.Value)).ToList(),
            [nameof(DashboardPage.Months)] = d.Months,
            [nameof(DashboardPage.RestartAction)] = LinkActions.RestartWorkflow,
        });
    }

    private async Task<string> WatchdogLastRunAsync(CancellationToken ct)
    {
        var last = await storage.Table(DsrStorage.WatchdogTable).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(Deadlines.DeadlineWatchdog.RunPartition, Deadlines.DeadlineWatchdog.LastRow, cancellationToken: ct);
        return last.HasValue && last.Value!.GetDateTimeOffset("At") is { } at
            ? string.Create(CultureInfo.InvariantCulture, $"The deadline watchdog last ran {ConsolePages.Date(at)}: {last.Value.GetInt32("Open")} open, {last.Value.GetInt32("NotWatched")} not under watch, {last.Value.GetInt32("RemindersSent")} reminder(s), {last.Value.GetInt32("EscalationsSent")} escalation(s) and {last.Value.GetInt32("AlertsSent")} alert(s) sent.")
            : "The deadline watchdog has not run yet.";
    }

    /// <summary>
    /// An open request the deadline watchdog does not vouch for (issue 15): its last verdict was not "watched", or it has not
    /// seen it for two of its intervals. A workflow it found failed, terminated, missing or stuck gets a restart button: the
    /// same single-use restart as the watchdog's email, minted for the signed-in staff member and audited in their name.
    /// </summary>
    private NotWatchedRow NotWatchedRowOf(RequestRecord r, string problem, string staff, DateTimeOffset now)
    {
        string? restarted = null, token = null;
        if (r.RestartedAt is { } at && (r.WatchedAt is null || at > r.WatchedAt))
        {
            restarted = ConsolePages.Date(at);
        }
        else if (DeadlineWatch.FromWire(r.WatchVerdict) is { } verdict && verdict != WatchVerdict.Watched && r.WatchSince is { } since)
        {
            token = links.Sign(r.RowKey, DeadlineWatch.AlertStep(verdict, since), [LinkActions.RestartWorkflow], now.AddHours(1), staff);
        }

        return new NotWatchedRow(r.RowKey, r.Status, ConsolePages.Date(r.DueDate), problem, restarted, token);
    }

    /// <summary>What each system returned: counts and a preview of the first two records, streamed, never the whole set.</summary>
    /// <summary>
    /// Staff act on one system of a request (retry, skip with a reason, mark done by hand): the workflow is told and applies it
    /// (recording who and why); null when it was passed on, else what is wrong.
    /// </summary>
    private async Task<string?> SystemControlAsync(DurableTaskClient client, string reference, string systemId, string control, string reason, string staff, CancellationToken ct)
    {
        if (forms.Map.Find(systemId) is not { } system)
        {
            return "Choose one of the request's systems.";
        }

        if (control is not (SystemControls.Retry or SystemControls.Skip or SystemControls.Done or SystemControls.Block))
        {
            return "Choose retry, skip, done by hand or keep waiting.";
        }

        if (SystemControls.NeedsNote(control) && reason.Length is 0 or > 1000)
        {
            return control switch
            {
                SystemControls.Skip => $"Give the reason for skipping {system.Name} (up to 1000 characters): it is recorded with the request.",
                SystemControls.Block => $"Give the reason for holding the request for {system.Name}'s owner (up to 1000 characters): it is recorded with the request.",
                _ => $"Say what was done by hand in {system.Name} (up to 1000 characters): it is recorded with the request.",
            };
        }

        var state = (await systemStates.GetAsync(reference, systemId, ct))?.State;
        if (!SystemStates.Open(state) || (control == SystemControls.Block && state != SystemStates.WaitingForOwner))
        {
            return control == SystemControls.Block
                ? $"{system.Name} is not waiting for its owner, so the request cannot be held for them."
                : $"{system.Name} is not waiting for anything in this request, so there is nothing to do.";
        }

        var instance = await client.GetInstanceAsync(reference, getInputsAndOutputs: false, ct);
        if (instance is null || instance.IsCompleted)
        {
            return "The request's workflow is not running, so nothing was changed.";
        }

        var now = time.GetUtcNow();
        var actor = $"{staff} (console)";
        await client.RaiseEventAsync(reference, DsrEvents.SystemControl, new LinkDecision(systemId, control, SystemControls.NeedsNote(control) ? reason : null, actor, now), ct);
        if (control == SystemControls.Retry)
        {
            await audit.AppendAsync(reference, now, $"system-retry-{systemId}", actor, $"{actor} asked to try {system.Name} again now.", ct);
        }

        return null;
    }

    /// <summary>POST from the Systems page: pause a system (with a reason) or resume it, in the signed-in staff member's name.</summary>
    public async Task<IResult> SystemActionAsync(HttpRequest request, string id, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        const string back = "/console/systems#control";
        if (forms.Map.Find(id) is not { } system || !request.HasFormContentType)
        {
            return Results.Redirect(back);
        }

        var form = await request.ReadFormAsync(ct);
        var reason = form["reason"].ToString().Trim();
        switch (form["do"].ToString())
        {
            case "pause" when reason.Length is > 0 and <= 500:
                await pauses.PauseAsync(system.Id, system.Name, staff, reason, ct);
                break;
            case "pause":
                return Results.Redirect("/console/systems?error=" + Uri.EscapeDataString($"Give the reason for pausing {system.Name} (up to 500 characters).") + "#control");
            case "resume":
                await pauses.ResumeAsync(client, system.Id, system.Name, staff, ct);
                break;
            default:
                break;
        }

        return Results.Redirect(back);
    }

    private async Task<IReadOnlyList<SystemRow>> SystemsAsync(string reference, string staff, bool closed, CancellationToken ct)
    {
        var rows = new List<SystemRow>();
        var container = storage.Container(DsrStorage.GatheredContainer);
        var states = await systemStates.ReadAsync(reference, ct);
        var open = (await ownerTasks.OpenTasksAsync(reference, ct)).ToDictionary(t => t.SystemId, StringComparer.Ordinal);
        foreach (var system in forms.Map.Systems)
        {
            var state = states.GetValueOrDefault(system.Id);
            var pageUrl = !closed && open.TryGetValue(system.Id, out var task)
                ? ownerTasks.PageUrl(reference, task.Step, task.Purpose, time.GetUtcNow().AddHours(1), staff)
                : null;
            var row = new SystemRow(system.Name, null, [])
            {
                Id = system.Id,
                State = state?.State,
                StateDetail = state is null ? null : $"{state.Detail} ({ConsolePages.Date(state.At)}, {state.Actor})",
                Controllable = !closed && SystemStates.Open(state?.State),
                OwnerPage = pageUrl,
            };
            var blob = container.GetBlobClient(GatherFromSystem.BlobName(reference, system.Id));
            if (!await blob.ExistsAsync(ct))
            {
                rows.Add(row);
                continue;
            }

            await using var stream = await blob.OpenReadAsync(cancellationToken: ct);
            using var reader = GatheredBlob.Reader(stream);
            await GatheredBlob.ReadSearchAsync(reader, ct);
            var preview = new List<RecordPreview>();
            var count = 0;
            await foreach (var rec in GatheredBlob.ReadRecordsAsync(reader, ct))
            {
                if (count++ < 2)
                {
                    preview.Add(new RecordPreview(rec.Category, string.Join("; ", rec.Fields.Take(4).Select(f => $"{f.Key} = {f.Value}"))));
                }
            }

            rows.Add(row with { Count = count, Preview = preview });
        }

        return rows;
    }

    /// <summary>
    /// The set-aside list: inbound mail that opened no request (auto-replies, bounces, our own mail come back…), newest
    /// first, filterable by reason, each with one action to open it as a request.
    /// </summary>
    /// <summary>JML's record of processing (Art 30), from the data map.</summary>
    public async Task<IResult> SystemsAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        var paused = await pauses.AllAsync(ct);
        var history = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var system in forms.Map.Systems)
        {
            history[system.Id] = [.. (await pauses.HistoryAsync(system.Id, ct)).Take(3).Select(h => $"{ConsolePages.Date(h.At)}: {h.Detail} ({h.Actor})")];
        }

        return Page<SystemsPage>(StatusCodes.Status200OK, staff, new()
        {
            [nameof(SystemsPage.Map)] = forms.Map,
            [nameof(SystemsPage.Source)] = forms.Map.Source,
            [nameof(SystemsPage.Paused)] = paused.ToDictionary(p => p.Key, p => new PauseView(p.Value.By, ConsolePages.Date(p.Value.Since), p.Value.Reason), StringComparer.Ordinal),
            [nameof(SystemsPage.History)] = history,
            [nameof(SystemsPage.Error)] = request.Query["error"].ToString(),
        });
    }

    public async Task<IResult> SetAsideAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        var reasons = Enum.GetValues<Domain.Intake.SetAsideReason>().Select(r => Domain.Intake.MailTriage.ToWire(r)).ToList();
        var reason = request.Query["reason"].ToString();
        if (!reasons.Contains(reason))
        {
            reason = string.Empty;
        }

        var list = await setAside.ListAsync(reason, ct);
        return Page<SetAsidePage>(StatusCodes.Status200OK, staff, new()
        {
            [nameof(SetAsidePage.Reasons)] = reasons,
            [nameof(SetAsidePage.Reason)] = reason,
            [nameof(SetAsidePage.Error)] = request.Query["error"].ToString(),
            [nameof(SetAsidePage.Rows)] = list.Select(r => new SetAsideRow(r.RowKey, ConsolePages.Date(r.ReceivedAt), r.Reason, r.From ?? "—", r.Subject ?? "(no subject)", r.Explanation,
                (r.QuotedReferences ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries), r.OpenedAs, r.OpenedBy)).ToList(),
        });
    }

    /// <summary>POST from the set-aside page: opens the email as a request in the signed-in staff member's name.</summary>
    public async Task<IResult> OpenSetAsideAsync(HttpRequest request, string id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (auth.StaffName(request.HttpContext) is not { } staff)
        {
            return ToSignIn(request);
        }

        if (!request.HasFormContentType)
        {
            return Results.Redirect("/console/set-aside");
        }

        var form = await request.ReadFormAsync(ct);
        var outcome = await setAsideHandler.OpenAsync(id, new Intake.SetAsideHandler.OpenSetAside(form["type"].ToString(), form["requesterEmail"].ToString(), null), staff, ct);
        return outcome.Reference is { } reference
            ? Results.Redirect("/console/requests/" + Uri.EscapeDataString(reference))
            : Results.Redirect("/console/set-aside?error=" + Uri.EscapeDataString(outcome.Problem ?? "Could not open it."));
    }

    private IResult ToSignIn(HttpRequest request)
    {
        var back = Uri.EscapeDataString(request.Path + request.QueryString);
        // Behind App Service authentication, Entra ID signs staff in; locally, the staff-key form does.
        return Results.Redirect(auth.UsesPlatformSignIn ? "/.auth/login/aad?post_login_redirect_uri=" + back : "/console/signin?returnTo=" + back);
    }

    private JmlDsr.Pages.ComponentPageResult<JmlDsr.Pages.SignInPage> SignInForm(int status, string? returnTo, string? error) =>
        new JmlDsr.Pages.ComponentPageResult<JmlDsr.Pages.SignInPage>(status, new Dictionary<string, object?>
        {
            [nameof(JmlDsr.Pages.SignInPage.ReturnTo)] = ConsolePages.SafeReturnPath(returnTo) ?? "/console",
            [nameof(JmlDsr.Pages.SignInPage.Error)] = error,
            [nameof(JmlDsr.Pages.SignInPage.PlatformSignIn)] = auth.UsesPlatformSignIn,
            [nameof(JmlDsr.Pages.SignInPage.Accounts)] = auth.DevAccounts.Select(a => new JmlDsr.Pages.SignInAccount(a.Id, a.Name)).ToList(),
        });

    /// <summary>A console page, signed in as <paramref name="staff"/>.</summary>
    private static ComponentPageResult<TPage> Page<TPage>(int status, string staff, Dictionary<string, object?> parameters)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        parameters["StaffName"] = staff;
        return new ComponentPageResult<TPage>(status, parameters);
    }

    private static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
