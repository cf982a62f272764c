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
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>
/// The privacy team's console at /console: the queue, one request (timeline, what each system
/// returned, the decision pending), and the dashboard. Decisions go through the same signed-link
/// path as the emails: the page mints a link for the signed-in staff member and posts it to /api/links.
/// </summary>
public sealed class ConsoleHandler(StaffAuth auth, RequestRepository requests, AuditLog audit, DsrStorage storage, LinkService links, Approval.DecisionForms forms,
    Intake.SetAsideStore setAside, Intake.SetAsideHandler setAsideHandler, Intake.RequestLinks requestLinks, Microsoft.Extensions.Options.IOptions<Configuration.DsrOptions> options, TimeProvider time)
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
        string Field(string name) => (form is not null ? form[name] : request.Query[name]).ToString();
        var type = Field("type");
        var status = Field("status");
        var show = Field("show") is "closed" or "all" ? Field("show") : "open";
        var q = form is not null ? form["q"].ToString().Trim() : string.Empty;
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var rows = new List<RequestRecord>();
        await foreach (var r in requests.ListAsync(status, type, ct))
        {
            var closed = RequestStatus.IsClosed(r.Status) || r.ClosedAt is not null;
            if ((show == "open" && closed) || (show == "closed" && !closed)
                || (q.Length > 0 && !r.RowKey.Contains(q, StringComparison.OrdinalIgnoreCase) && !string.Equals(r.RequesterEmail, q, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            rows.Add(r);
        }

        rows = rows.OrderBy(r => r.DueDate, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal).ToList();
        var html = new StringBuilder();
        html.Append("<h1>Requests</h1>");
        html.Append("<form class=\"filters\" method=\"post\" action=\"/console\" role=\"search\" aria-label=\"Filter requests\">");
        html.Append(Select("show", "Show", show, [("open", "Open"), ("closed", "Closed"), ("all", "All")]));
        html.Append(Select("type", "Type", type, [("", "Any type"), ("access", "Access"), ("rectification", "Rectification"), ("restriction", "Restriction"), ("erasure", "Erasure"), ("objection", "Objection"), ("complaint", "Complaint"), ("unclassified", "Unclassified")]));
        html.Append(Select("status", "Status", status, [("", "Any status"), (RequestStatus.AwaitingIdentity, "Awaiting identity"), (RequestStatus.Gathering, "Gathering"), (RequestStatus.GatheringFailed, "Gathering failed"),
            (RequestStatus.AwaitingApproval, "Awaiting approval"), (RequestStatus.AwaitingClarification, "Awaiting clarification"), (RequestStatus.NeedsTriage, "Needs triage"), (RequestStatus.Completed, "Completed"),
            (RequestStatus.Restricted, "Restricted"), (RequestStatus.LiftPending, "Restriction lift pending"), (RequestStatus.Rejected, "Rejected"), (RequestStatus.Refused, "Refused (unfounded/excessive)"),
            (RequestStatus.ClosedUnverified, "Closed unverified"), (RequestStatus.ClosedNoClarification, "Closed: no clarification"),
            (RequestStatus.ComplaintOpen, "Complaint open"), (RequestStatus.ComplaintClosed, "Complaint answered")]));
        html.Append("<div><label for=\"q\">Reference or email</label><input id=\"q\" name=\"q\" type=\"search\" value=\"").Append(E(q)).Append("\"></div>");
        html.Append("<div><button class=\"primary\" type=\"submit\">Filter</button></div></form>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\" role=\"status\">{rows.Count} request{(rows.Count == 1 ? "" : "s")}, soonest due first.</p>");
        html.Append("<table><caption class=\"muted\" style=\"text-align:left\">Requests and their statutory due dates</caption><thead><tr>")
            .Append("<th scope=\"col\">Reference</th><th scope=\"col\">Type</th><th scope=\"col\">Requester</th><th scope=\"col\">Status</th><th scope=\"col\">Received</th><th scope=\"col\">Due</th><th scope=\"col\">Days left</th></tr></thead><tbody>");
        foreach (var r in rows)
        {
            var due = ParseDate(r.DueDate);
            var paused = RequestStatus.IsPaused(r.Status);
            var closed = RequestStatus.IsClosed(r.Status) || r.ClosedAt is not null;
            var left = due is null ? (int?)null : StatutoryClock.DaysLeft(today, due.Value);
            // A complaint (DPA 2018 s 164A) has no DSR due date: its date is the last day to acknowledge it, and it is never overdue as a request.
            var complaint = RequestTypes.FromWire(r.Type) == RequestType.Complaint;
            var overdue = !complaint && !closed && !paused && (r.Overdue || left < 0);
            html.Append(overdue ? "<tr class=\"overdue\">" : "<tr>")
                .Append("<th scope=\"row\"><a href=\"/console/requests/").Append(E(r.RowKey)).Append("\">").Append(E(r.RowKey)).Append("</a></th>")
                .Append("<td>").Append(E(RequestTypes.FromWire(r.Type).Title())).Append("</td>")
                .Append("<td>").Append(E(EmailComposer.Mask(r.RequesterEmail))).Append("</td>")
                .Append("<td><span class=\"pill\">").Append(E(r.Status)).Append("</span></td>")
                .Append("<td>").Append(E(ConsolePages.Date(r.ReceivedAt))).Append("</td>")
                .Append("<td>").Append(complaint ? "<span class=\"muted\">acknowledge by</span> " : string.Empty).Append(E(ConsolePages.Date(r.DueDate))).Append("</td><td>");
            if (closed)
            {
                html.Append("<span class=\"muted\">Closed</span>");
            }
            else if (complaint)
            {
                html.Append(r.Status == RequestStatus.Received
                    ? string.Create(CultureInfo.InvariantCulture, $"{left} <span class=\"muted\">(to acknowledge)</span>")
                    : "<span class=\"muted\">Acknowledged; outcome without undue delay</span>");
            }
            else if (paused)
            {
                html.Append("<span class=\"paused\">Paused</span> <span class=\"muted\">(waiting for the requester)</span>");
            }
            else if (overdue)
            {
                html.Append(CultureInfo.InvariantCulture, $"<span class=\"overdue-flag\">Overdue by {-(left ?? 0)} day{(left == -1 ? "" : "s")}</span>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"{left}");
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table>");
        return ConsolePages.Render(request.HttpContext, StatusCodes.Status200OK, "Requests", staff, "queue", html.ToString());
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
            return ConsolePages.Render(request.HttpContext, StatusCodes.Status404NotFound, "Not found", staff, "queue", $"<h1>Not found</h1><p>There is no request {E(reference)}.</p><p><a href=\"/console\">Back to the queue</a></p>");
        }

        var type = RequestTypes.FromWire(r.Type);
        var today = StatutoryClock.UkDate(time.GetUtcNow());
        var due = ParseDate(r.DueDate);
        var html = new StringBuilder();
        html.Append("<p><a href=\"/console\">← Queue</a></p>");
        html.Append("<h1>").Append(E(r.RowKey)).Append(" — ").Append(E(type.Title())).Append("</h1>");
        html.Append("<dl class=\"facts\">")
            .Append("<dt>Status</dt><dd><span class=\"pill\" id=\"status\">").Append(E(r.Status)).Append("</span></dd>")
            .Append("<dt>").Append(type == RequestType.Complaint ? "Complainant" : "Requester").Append("</dt><dd>").Append(E(r.RequesterName ?? "—")).Append(" &lt;").Append(E(r.RequesterEmail)).Append("&gt;</dd>")
            .Append("<dt>Channel</dt><dd>").Append(E(r.Channel)).Append("</dd>")
            .Append("<dt>Received</dt><dd>").Append(E(ConsolePages.Date(r.ReceivedAt))).Append("</dd>");
        if (r.AgentKind is not null)
        {
            // Who writes and whose data it is, apart: the response goes to the agent only once their authority is checked.
            html.Append("<dt>Agent</dt><dd id=\"agent\">").Append(E(r.AgentKind)).Append(": ").Append(E(r.RequesterName ?? "—")).Append(" &lt;").Append(E(r.RequesterEmail)).Append("&gt;</dd>")
                .Append("<dt>Data subject</dt><dd id=\"data-subject\">").Append(E(r.SubjectName ?? "—")).Append(" &lt;").Append(E(r.SubjectEmail ?? "not given yet")).Append("&gt;</dd>")
                .Append("<dt>Authority</dt><dd>").Append(r.AuthorityAcceptedBy is { } by ? "checked by " + E(by)
                    : r.AuthorityReceivedAt is { } at ? $"received {E(ConsolePages.Date(at))}" + (r.AuthorityBlob is null ? " (no document uploaded)" : " (document in the evidence pack)") + ", not yet checked"
                    : "not received").Append("</dd>");
        }
        else if (!string.IsNullOrEmpty(r.SubjectEmail))
        {
            html.Append("<dt>Records found under</dt><dd>").Append(E(r.SubjectEmail)).Append(" <span class=\"muted\">(another address the requester gave)</span></dd>");
        }

        if (r.IdentityNeed is not null)
        {
            html.Append("<dt>Identity</dt><dd id=\"identity\">").Append(E(r.IdentityNeed)).Append(" <span class=\"muted\">").Append(E(r.IdentityReason ?? string.Empty)).Append("</span></dd>");
        }

        if (r.LinkedReferences() is { Count: > 0 } linked)
        {
            html.Append("<dt>Same message as</dt><dd id=\"linked\">");
            foreach (var l in linked)
            {
                html.Append("<a href=\"/console/requests/").Append(E(l)).Append("\">").Append(E(l)).Append("</a> ");
            }

            html.Append("</dd>");
        }
        if (type == RequestType.Objection)
        {
            // Art 21: to direct marketing it took (or takes) effect without a decision; to other processing staff decide.
            html.Append("<dt>Objection to</dt><dd>").Append(r.ObjectionScope switch
            {
                ObjectionScope.Marketing => "direct marketing (Art 21(2)-(3)): stops without a decision",
                ObjectionScope.Other => "other processing (Art 21(1)): staff decide, on the approval form",
                _ => "read from the wording once identity is confirmed",
            }).Append("</dd>");
        }

        if (type == RequestType.Complaint)
        {
            ComplaintFacts(html, r);
        }
        else
        {
            ClockFacts(html, r, due, today);
        }

        html.Append("<dt>Subject</dt><dd>").Append(E(r.Subject ?? "—")).Append("</dd>")
            .Append("<dt>Classified because</dt><dd>").Append(E(r.ClassificationReason ?? "—")).Append("</dd>")
            .Append("<dt>Sender authentication</dt><dd>").Append(E(r.SenderAuthentication ?? "—")).Append("</dd>")
            .Append("</dl>");
        if (type == RequestType.Complaint && !string.IsNullOrWhiteSpace(r.Details))
        {
            // Staff answer the complaint from here: its words, as received.
            html.Append("<h2>The complaint</h2><blockquote style=\"white-space:pre-line;border-left:4px solid var(--line);margin:0;padding:.4rem 1rem\">").Append(E(r.Details)).Append("</blockquote>");
        }

        html.Append(await DecisionAsync(r, staff, ct));
        if (type != RequestType.Complaint && !RequestStatus.IsClosed(r.Status))
        {
            html.Append(Corrections(r, request.Query["error"].ToString()));
        }

        if (type != RequestType.Complaint)
        {
            html.Append("<h2>What each system returned</h2>");
            html.Append(await SystemsAsync(r.RowKey, ct));
        }

        html.Append("<h2>Timeline</h2><ol class=\"timeline\" id=\"timeline\">");
        foreach (var a in (await audit.ReadAsync(r.RowKey, ct)).OrderBy(a => a.RowKey, StringComparer.Ordinal))
        {
            html.Append("<li><time datetime=\"").Append(E(a.At.ToString("O", CultureInfo.InvariantCulture))).Append("\">").Append(E(ConsolePages.Date(a.At))).Append("</time> ")
                .Append("<span class=\"pill\">").Append(E(a.Step)).Append("</span> ")
                .Append(E(a.Detail)).Append(" <span class=\"muted\">— ").Append(E(a.Actor)).Append("</span></li>");
        }

        html.Append("</ol>");
        return ConsolePages.Render(request.HttpContext, StatusCodes.Status200OK, r.RowKey, staff, "queue", html.ToString());
    }

    /// <summary>Staff correct how the message was read: another right it asks for (split), the same request twice (merge), an agent.</summary>
    private static string Corrections(RequestRecord r, string error)
    {
        var path = "/console/requests/" + E(r.RowKey) + "/action";
        var html = new StringBuilder("<h2>Correct how the message was read</h2>");
        if (error.Length > 0)
        {
            html.Append("<p class=\"error\" role=\"alert\">").Append(E(error)).Append("</p>");
        }

        html.Append("<div class=\"actions\">")
            .Append("<form method=\"post\" action=\"").Append(path).Append("\"><input type=\"hidden\" name=\"do\" value=\"split\">")
            .Append("<label for=\"split-type\">The message also asks for</label><select id=\"split-type\" name=\"type\">")
            .Append("<option value=\"access\">Access</option><option value=\"rectification\">Rectification</option><option value=\"restriction\">Restriction</option><option value=\"erasure\">Erasure</option><option value=\"objection\">Objection</option></select>")
            .Append("<p><button class=\"secondary\" type=\"submit\">Split: open it as a linked request</button></p></form>")
            .Append("<form method=\"post\" action=\"").Append(path).Append("\"><input type=\"hidden\" name=\"do\" value=\"merge\">")
            .Append("<label for=\"merge-into\">Same request as (reference)</label><input id=\"merge-into\" name=\"into\" pattern=\"[A-Z]+-\\d{4}-\\d{6}\" required>")
            .Append("<p><button class=\"secondary\" type=\"submit\">Merge: close this one as part of it</button></p></form>")
            .Append("<form method=\"post\" action=\"").Append(path).Append("\"><input type=\"hidden\" name=\"do\" value=\"agent\">")
            .Append("<label for=\"agent-kind\">Made on someone else's behalf by</label><select id=\"agent-kind\" name=\"kind\"><option value=\"solicitor\">a solicitor</option><option value=\"relative\">a relative or carer</option><option value=\"representative\">a colleague or representative</option></select>")
            .Append("<p><button class=\"secondary\" type=\"submit\">Mark as an agent's request</button></p></form>")
            .Append("</div>");
        return html.ToString();
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
            default:
                problem = "Nothing to do.";
                break;
        }

        return Results.Redirect(problem is null ? back : back + "?error=" + Uri.EscapeDataString(problem));
    }

    /// <summary>The statutory clock of a request (UK GDPR Art 12(3), Art 12A).</summary>
    private static void ClockFacts(StringBuilder html, RequestRecord r, DateOnly? due, DateOnly today) =>
        html.Append("<dt>Clock runs from</dt><dd>").Append(E(ConsolePages.Date(r.RelevantDate))).Append(r.PausedDays > 0 ? $" ({r.PausedDays} day(s) the clock was stopped)" : string.Empty).Append("</dd>")
            .Append("<dt>Due</dt><dd>").Append(E(ConsolePages.Date(r.DueDate))).Append(r.Extended ? " (extended)" : string.Empty)
            .Append(due is { } d && r.ClosedAt is null && StatutoryClock.DaysLeft(today, d) < 0 && !RequestStatus.IsPaused(r.Status) ? " <span class=\"overdue-flag\">Overdue</span>" : string.Empty).Append("</dd>");

    /// <summary>
    /// A complaint's own timeline (DPA 2018 s 164A): the request it is about, the acknowledgement (due within 30 days)
    /// and the outcome (without undue delay) — no DSR due date.
    /// </summary>
    private static void ComplaintFacts(StringBuilder html, RequestRecord r)
    {
        html.Append("<dt>About request</dt><dd>");
        if (RequestReference.IsValid(r.AboutReference))
        {
            html.Append("<a href=\"/console/requests/").Append(E(r.AboutReference!)).Append("\">").Append(E(r.AboutReference!)).Append("</a>");
        }
        else
        {
            html.Append("<span class=\"muted\">none named</span>");
        }

        var acknowledged = r.Status != RequestStatus.Received;
        html.Append("</dd><dt>Acknowledgement</dt><dd>").Append(acknowledged ? "Sent" : "Not sent yet")
            .Append(" <span class=\"muted\">(due by ").Append(E(ConsolePages.Date(r.DueDate))).Append(", s 164A(3))</span></dd>")
            .Append("<dt>Outcome</dt><dd>")
            .Append(r.ClosedAt is { } closed ? "Sent on " + E(ConsolePages.Date(closed)) : "Not sent yet <span class=\"muted\">(without undue delay, s 164A(4))</span>")
            .Append("</dd>");
    }

    /// <summary>The decision pending on staff, if any, as buttons that use the same single-use signed links as the emails.</summary>
    private async Task<string> DecisionAsync(RequestRecord r, string staff, CancellationToken ct)
    {
        var html = new StringBuilder();
        html.Append("<h2>Decision</h2>");
        if (r.CurrentStep is { } step && r.CurrentActions is { } actions && r.CurrentStepExpires > time.GetUtcNow())
        {
            var expires = time.GetUtcNow().AddHours(1) < r.CurrentStepExpires ? time.GetUtcNow().AddHours(1) : r.CurrentStepExpires.Value;
            html.Append("<p>Waiting for: <strong>").Append(E(step)).Append("</strong>. The same single-use decision as the email links: whichever is used first counts.</p><div class=\"actions\">");
            foreach (var action in actions.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var token = links.Sign(r.RowKey, step, [action], expires, staff);
                html.Append("<form method=\"post\" action=\"/api/links\">")
                    .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(E(token)).Append("\">")
                    .Append("<input type=\"hidden\" name=\"action\" value=\"").Append(E(action)).Append("\">")
                    .Append("<input type=\"hidden\" name=\"returnTo\" value=\"/console/requests/").Append(E(r.RowKey)).Append("\">");
                html.Append(await forms.ExtraFieldsAsync(r.RowKey, action, ct));
                if (action == LinkActions.Approve)
                {
                    html.Append(Verification.IdentityForms.AuthorityFields(r));
                }

                if (LinkActions.NeedsReason(action))
                {
                    html.Append("<label for=\"reason-").Append(E(action)).Append("\">").Append(E(action == LinkActions.Answer ? "The requester's answer, as received by post, phone or email" : LinkActions.ReasonLabel(action))).Append("</label>")
                        .Append("<textarea id=\"reason-").Append(E(action)).Append("\" name=\"reason\" required maxlength=\"2000\"></textarea>");
                }

                html.Append("<p><button type=\"submit\" class=\"").Append(action == LinkActions.Approve ? "primary" : "secondary").Append("\">")
                    .Append(E(action == LinkActions.Answer ? "Record the requester's answer (the clock runs again)" : LinkActions.Label(action))).Append("</button></p></form>");
            }

            html.Append("</div>");
        }
        else
        {
            html.Append("<p class=\"muted\">No decision is waiting on staff at this step.</p>");
        }

        return html.ToString();
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
        var html = new StringBuilder("<h1>Dashboard</h1><div class=\"cards\">");
        void Card(string label, string value, string? id = null) =>
            html.Append("<div class=\"card\"").Append(id is null ? string.Empty : $" id=\"{id}\"").Append("><span class=\"n\">").Append(E(value)).Append("</span>").Append(E(label)).Append("</div>");
        Card("open requests", d.Open.ToString(CultureInfo.InvariantCulture), "open");
        Card("due this week", d.DueThisWeek.ToString(CultureInfo.InvariantCulture), "due-week");
        Card("overdue", d.Overdue.ToString(CultureInfo.InvariantCulture), "overdue");
        Card("on time, last 12 months", d.OnTimeRate is { } rate ? rate.ToString("P0", Uk) : "—", "on-time");
        Card("median days to close", d.MedianDaysToClose is { } m ? m.ToString("0.#", Uk) : "—", "median");
        Card("open complaints", d.OpenComplaints.ToString(CultureInfo.InvariantCulture), "open-complaints");
        Card("requests not under watch", notWatched.Count.ToString(CultureInfo.InvariantCulture), "not-watched");
        Card("needs attention", attention.Count.ToString(CultureInfo.InvariantCulture), "needs-attention");
        html.Append("</div>");
        html.Append(await NotWatchedAsync(notWatched, staff, now, ct));
        html.Append(NeedsAttention(attention));
        html.Append("<h2>Open by type</h2><table><thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Open</th></tr></thead><tbody>");
        foreach (var (t, n) in d.OpenByType)
        {
            html.Append("<tr><th scope=\"row\">").Append(E(t.Title())).Append("</th><td>").Append(n).Append("</td></tr>");
        }

        html.Append("</tbody></table><h2>The last 12 months</h2>").Append(ConsolePages.Chart(request.HttpContext, d.Months));
        return ConsolePages.Render(request.HttpContext, StatusCodes.Status200OK, "Dashboard", staff, "dashboard", html.ToString());
    }

    /// <summary>
    /// The open requests the deadline watchdog does not vouch for (issue 15): its last verdict was not "watched", or it has not
    /// seen them for two of its intervals. A workflow it found failed, terminated, missing or stuck has a restart button: the
    /// same single-use restart as the watchdog's email, minted for the signed-in staff member and audited in their name.
    /// </summary>
    private async Task<string> NotWatchedAsync(List<(RequestRecord Row, string Problem)> rows, string staff, DateTimeOffset now, CancellationToken ct)
    {
        var html = new StringBuilder("<h2 id=\"not-watched-title\">Requests not under watch</h2>");
        var last = await storage.Table(DsrStorage.WatchdogTable).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(Deadlines.DeadlineWatchdog.RunPartition, Deadlines.DeadlineWatchdog.LastRow, cancellationToken: ct);
        html.Append("<p class=\"muted\" id=\"watchdog-last-run\">").Append(last.HasValue && last.Value!.GetDateTimeOffset("At") is { } at
            ? E(string.Create(CultureInfo.InvariantCulture, $"The deadline watchdog last ran {ConsolePages.Date(at)}: {last.Value.GetInt32("Open")} open, {last.Value.GetInt32("NotWatched")} not under watch, {last.Value.GetInt32("RemindersSent")} reminder(s), {last.Value.GetInt32("EscalationsSent")} escalation(s) and {last.Value.GetInt32("AlertsSent")} alert(s) sent."))
            : "The deadline watchdog has not run yet.").Append("</p>");
        if (rows.Count == 0)
        {
            return html.Append("<p>None: every open request's workflow is running and waiting where the index says.</p>").ToString();
        }

        html.Append("<table aria-describedby=\"not-watched-title\"><thead><tr><th scope=\"col\">Reference</th><th scope=\"col\">Status</th><th scope=\"col\">Due</th><th scope=\"col\">Problem</th><th scope=\"col\">Action</th></tr></thead><tbody>");
        foreach (var (r, problem) in rows.OrderBy(x => x.Row.DueDate, StringComparer.Ordinal))
        {
            html.Append("<tr><th scope=\"row\"><a href=\"/console/requests/").Append(E(r.RowKey)).Append("\">").Append(E(r.RowKey)).Append("</a></th>")
                .Append("<td><span class=\"pill\">").Append(E(r.Status)).Append("</span></td>")
                .Append("<td>").Append(E(ConsolePages.Date(r.DueDate))).Append("</td>")
                .Append("<td>").Append(E(problem)).Append("</td><td>");
            if (r.RestartedAt is { } restarted && (r.WatchedAt is null || restarted > r.WatchedAt))
            {
                html.Append("<span class=\"muted\">Restarted ").Append(E(ConsolePages.Date(restarted))).Append("; the watchdog checks it on its next run</span>");
            }
            else if (DeadlineWatch.FromWire(r.WatchVerdict) is { } verdict && verdict != WatchVerdict.Watched && r.WatchSince is { } since)
            {
                var token = links.Sign(r.RowKey, DeadlineWatch.AlertStep(verdict, since), [LinkActions.RestartWorkflow], now.AddHours(1), staff);
                html.Append("<form method=\"post\" action=\"/api/links\" aria-label=\"Restart the workflow of ").Append(E(r.RowKey)).Append("\">")
                    .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(E(token)).Append("\">")
                    .Append("<input type=\"hidden\" name=\"action\" value=\"").Append(LinkActions.RestartWorkflow).Append("\">")
                    .Append("<input type=\"hidden\" name=\"returnTo\" value=\"/console/dashboard\">")
                    .Append("<button type=\"submit\" class=\"primary\">Restart</button></form>");
            }
            else
            {
                html.Append("<span class=\"muted\">Waiting for the watchdog's next run</span>");
            }

            html.Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>Open requests with a step that failed after every retry and waits for staff (<see cref="RequestRecord.Attention"/>).</summary>
    private static string NeedsAttention(List<RequestRecord> rows)
    {
        var html = new StringBuilder("<h2 id=\"attention-title\">Needs attention</h2>");
        if (rows.Count == 0)
        {
            return html.Append("<p>None: no step is waiting for staff after a failure.</p>").ToString();
        }

        html.Append("<table aria-describedby=\"attention-title\"><thead><tr><th scope=\"col\">Reference</th><th scope=\"col\">Status</th><th scope=\"col\">Due</th><th scope=\"col\">What failed</th></tr></thead><tbody>");
        foreach (var r in rows.OrderBy(x => x.DueDate, StringComparer.Ordinal))
        {
            html.Append("<tr><th scope=\"row\"><a href=\"/console/requests/").Append(E(r.RowKey)).Append("\">").Append(E(r.RowKey)).Append("</a></th>")
                .Append("<td><span class=\"pill\">").Append(E(r.Status)).Append("</span></td>")
                .Append("<td>").Append(E(ConsolePages.Date(r.DueDate))).Append("</td>")
                .Append("<td>").Append(E(r.Attention!)).Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private async Task<string> SystemsAsync(string reference, CancellationToken ct)
    {
        var html = new StringBuilder("<table><thead><tr><th scope=\"col\">System</th><th scope=\"col\">Records</th><th scope=\"col\">Preview</th></tr></thead><tbody>");
        var container = storage.Container(DsrStorage.GatheredContainer);
        foreach (var system in SystemCatalog.All)
        {
            var blob = container.GetBlobClient(GatherFromSystem.BlobName(reference, system.Id));
            html.Append("<tr><th scope=\"row\">").Append(E(system.Name)).Append("</th>");
            if (!await blob.ExistsAsync(ct))
            {
                html.Append("<td colspan=\"2\" class=\"muted\">Not searched yet</td></tr>");
                continue;
            }

            // Counts and a preview: the first two records, streamed, never the whole set.
            await using var stream = await blob.OpenReadAsync(cancellationToken: ct);
            using var reader = GatheredBlob.Reader(stream);
            await GatheredBlob.ReadSearchAsync(reader, ct);
            var preview = new StringBuilder();
            var count = 0;
            await foreach (var rec in GatheredBlob.ReadRecordsAsync(reader, ct))
            {
                if (count++ < 2)
                {
                    preview.Append("<div><strong>").Append(E(rec.Category)).Append(":</strong> ")
                        .Append(E(string.Join("; ", rec.Fields.Take(4).Select(f => $"{f.Key} = {f.Value}")))).Append("</div>");
                }
            }

            html.Append("<td>").Append(count).Append("</td><td>").Append(preview);
            if (count > 2)
            {
                html.Append("<div class=\"muted\">and ").Append(count - 2).Append(" more</div>");
            }

            html.Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>
    /// The set-aside list: inbound mail that opened no request (auto-replies, bounces, our own mail come back…), newest
    /// first, filterable by reason, each with one action to open it as a request.
    /// </summary>
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
        var html = new StringBuilder("<h1>Set aside</h1>");
        html.Append("<p class=\"muted\">Mail to the privacy mailbox that opened no request and was answered by no one: automatic replies, delivery failures, our own emails come back, other organisations' automatic acknowledgements, bulk mail, mail with no one outside JML to answer, and forwards that did not authenticate. Every one is kept as it arrived. If a person wrote it, open it as a request: the time limit counts from when it arrived.</p>");
        html.Append("<form class=\"filters\" method=\"get\" action=\"/console/set-aside\" role=\"search\" aria-label=\"Filter set-aside mail\">")
            .Append(Select("reason", "Reason", reason, [("", "Any reason"), .. reasons.Select(r => (r, r))]))
            .Append("<div><button class=\"primary\" type=\"submit\">Filter</button></div></form>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\" role=\"status\">{list.Count} email{(list.Count == 1 ? "" : "s")} set aside, newest first.</p>");
        var error = request.Query["error"].ToString();
        if (error.Length > 0)
        {
            html.Append("<p class=\"error\" role=\"alert\">").Append(E(error)).Append("</p>");
        }

        html.Append("<table><caption class=\"muted\" style=\"text-align:left\">Set-aside mail</caption><thead><tr>")
            .Append("<th scope=\"col\">Received</th><th scope=\"col\">Reason</th><th scope=\"col\">From</th><th scope=\"col\">Subject</th><th scope=\"col\">Why</th><th scope=\"col\">Request</th></tr></thead><tbody>");
        foreach (var r in list)
        {
            html.Append("<tr><td>").Append(E(ConsolePages.Date(r.ReceivedAt))).Append("</td>")
                .Append("<td><span class=\"pill\">").Append(E(r.Reason)).Append("</span></td>")
                .Append("<td>").Append(E(r.From ?? "—")).Append("</td>")
                .Append("<td>").Append(E(r.Subject ?? "(no subject)")).Append("</td>")
                .Append("<td>").Append(E(r.Explanation));
            foreach (var quoted in (r.QuotedReferences ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                html.Append(" <a href=\"/console/requests/").Append(E(quoted)).Append("\">").Append(E(quoted)).Append("</a>");
            }

            html.Append("</td><td>");
            if (r.OpenedAs is { } opened)
            {
                html.Append("<a href=\"/console/requests/").Append(E(opened)).Append("\">").Append(E(opened)).Append("</a> <span class=\"muted\">opened by ").Append(E(r.OpenedBy ?? "staff")).Append("</span>");
            }
            else
            {
                var id = E(r.RowKey);
                html.Append("<form method=\"post\" action=\"/console/set-aside/").Append(id).Append("/open\" aria-label=\"Open as a request\">")
                    .Append("<label for=\"t-").Append(id).Append("\">Type</label><select id=\"t-").Append(id).Append("\" name=\"type\"><option value=\"\">Classify it</option>")
                    .Append("<option value=\"access\">Access</option><option value=\"rectification\">Rectification</option><option value=\"restriction\">Restriction</option><option value=\"erasure\">Erasure</option><option value=\"objection\">Objection</option><option value=\"complaint\">Complaint</option></select>")
                    .Append("<label for=\"e-").Append(id).Append("\">Requester email (if not the sender)</label><input id=\"e-").Append(id).Append("\" name=\"requesterEmail\" type=\"email\">")
                    .Append("<p><button class=\"secondary\" type=\"submit\">Open as request</button></p></form>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table>");
        return ConsolePages.Render(request.HttpContext, StatusCodes.Status200OK, "Set aside", staff, "set-aside", html.ToString());
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

    private static string Select(string name, string label, string current, IReadOnlyList<(string Value, string Text)> options)
    {
        var html = new StringBuilder();
        html.Append("<div><label for=\"f-").Append(name).Append("\">").Append(E(label)).Append("</label><select id=\"f-").Append(name).Append("\" name=\"").Append(name).Append("\">");
        foreach (var (value, text) in options)
        {
            html.Append("<option value=\"").Append(E(value)).Append('"').Append(value == current ? " selected" : string.Empty).Append('>').Append(E(text)).Append("</option>");
        }

        return html.Append("</select></div>").ToString();
    }

    private static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
