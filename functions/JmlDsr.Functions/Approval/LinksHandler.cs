using System.Text;
using System.Text.Json;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.StaffConsole;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.Approval;

/// <summary>
/// The pages signed links open. GET only shows the page (mail scanners follow links): the emailed
/// <c>?token=</c> is swapped for a cookie and a redirect to a URL without it (<see cref="LinkCookies"/>), and
/// the page is shown from the cookie. The POST from its button acts, with the token in the form body: the
/// token is checked, spent once, the event raised, and the use audited. Forged, reused and expired tokens
/// get a clear page and an audit entry.
/// </summary>
public sealed class LinksHandler(LinkService links, LinkCookies cookies, AuditLog audit, DsrStorage storage, RequestRepository requests, DecisionForms forms, DecisionStore decisions,
    WorkflowStarter starter, Deadlines.DeadlineWatchdog watchdog, Verification.IdentityForms identityForms, Verification.IdentityAnswers identityAnswers, StaffConsole.StaffAuth staffAuth, TimeProvider time, ILogger<LinksHandler> logger)
{
    private const int MaxReason = 2000;

    /// <summary>The link pages' path, and the cookies that hold their tokens once the URL has lost them.</summary>
    public const string Path = "/" + Routes.Links;

    public const string CookiePrefix = "jmldsr-link-";

    public async Task<IResult> ShowAsync(HttpRequest request, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var found = LinkCookies.Read(request, CookiePrefix);
        if (found.Token is not { } token)
        {
            return OpenFromEmail(request.HttpContext);
        }

        var check = links.Verify(token);
        if (await RefuseAsync(request.HttpContext, check, ct) is { } refused)
        {
            return refused;
        }

        var claims = check.Claims!;
        if (found.QueryToken is not null)
        {
            // The emailed link: its token leaves the URL (and so every log and history) for a cookie; nothing is spent.
            return cookies.Exchange(request, Path, CookiePrefix, token, claims.ExpiresAt);
        }

        if (await IsSpentAsync(claims, ct))
        {
            return await RefuseUsedAsync(request.HttpContext, claims, ct);
        }

        var pageForms = new List<JmlDsr.Pages.LinkForm>();
        var r = claims.Actions.Contains(LinkActions.Approve) ? await requests.GetAsync(claims.Reference, ct) : null;
        foreach (var action in claims.Actions)
        {
            // The form carries the token this page was made from, in its body: a link opened later in the same browser
            // (another cookie) does not change what this page's button does.
            pageForms.Add(new JmlDsr.Pages.LinkForm(action, LinkActions.Label(action))
            {
                Multipart = Verification.IdentityForms.IsMultipart(action),
                Extra = await forms.ExtraAsync(r, action, ct),
                Authority = action == LinkActions.Approve && r is not null ? Verification.IdentityForms.Authority(r) : null,
                ReasonLabel = LinkActions.NeedsReason(action) ? LinkActions.ReasonLabel(action) : null,
            });
        }

        return new JmlDsr.Pages.ComponentPageResult<JmlDsr.Pages.LinkPage>(StatusCodes.Status200OK, new Dictionary<string, object?>
        {
            [nameof(JmlDsr.Pages.LinkPage.Title)] = Title(claims),
            [nameof(JmlDsr.Pages.LinkPage.Reference)] = claims.Reference,
            [nameof(JmlDsr.Pages.LinkPage.Intro)] = Intro(claims),
            [nameof(JmlDsr.Pages.LinkPage.PostPath)] = request.PathBase + Path,
            [nameof(JmlDsr.Pages.LinkPage.Token)] = token,
            [nameof(JmlDsr.Pages.LinkPage.Forms)] = pageForms,
            [nameof(JmlDsr.Pages.LinkPage.ExpiresAt)] = claims.ExpiresAt.ToString("d MMMM yyyy HH:mm 'UTC'", System.Globalization.CultureInfo.GetCultureInfo("en-GB")),
            [nameof(JmlDsr.Pages.LinkPage.MaxReason)] = MaxReason,
        });
    }

    public async Task<IResult> ActAsync(HttpRequest request, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        if (!request.HasFormContentType)
        {
            return Notice(StatusCodes.Status400BadRequest, "Nothing to do", "Open the link from your email and use the button on the page.");
        }

        var form = await request.ReadFormAsync(ct);
        return await ActOnFormAsync(request, form, client, forgetCookie: true, ct);
    }

    /// <summary>
    /// What the link page's POST does, for a form in hand: the console's bulk actions call it once per request, with a token
    /// signed for the staff member, so each decision goes through the same checks, spend and audit as a single one.
    /// </summary>
    public async Task<IResult> ActOnFormAsync(HttpRequest request, IFormCollection form, DurableTaskClient client, bool forgetCookie, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(client);
        var token = form["token"].ToString();
        var check = links.Verify(token);
        if (await RefuseAsync(request.HttpContext, check, ct) is { } refused)
        {
            return refused;
        }

        var claims = check.Claims!;
        var action = form["action"].ToString();
        if (!claims.Allows(action))
        {
            await audit.AppendAsync(claims.Reference, time.GetUtcNow(), "link-refused", "unknown", $"A link for step {claims.Step} was used for an action it does not allow.", ct);
            Log.LinkRefused(logger, claims.Reference, "action not allowed");
            return Notice(StatusCodes.Status403Forbidden, "Not allowed", "This link does not allow that action.");
        }

        if (action == LinkActions.RestartWorkflow)
        {
            return await RestartAsync(request, claims, token, form, client, ct);
        }

        var reason = form["reason"].ToString().Trim();
        if (LinkActions.NeedsReason(action) && (reason.Length == 0 || reason.Length > MaxReason))
        {
            return Notice(StatusCodes.Status400BadRequest, "A reason is needed",
                $"Please go back and give a reason (up to {MaxReason} characters): the requester will be told it.");
        }

        var (details, problem) = action is LinkActions.GiveIdentifiers or LinkActions.GiveAuthority
            ? await identityForms.ParseAsync(claims.Reference, action, form, ct)
            : await forms.ParseAsync(claims.Reference, action, form, reason, ct);
        if (problem is not null)
        {
            return Notice(StatusCodes.Status400BadRequest, "The decision is not complete", problem, then: "Please go back, complete the form and press the button again. Nothing was changed.");
        }

        if (action == LinkActions.Approve && await requests.GetAsync(claims.Reference, ct) is { AgentKind: not null } agentRequest
            && Verification.IdentityForms.AuthorityProblem(agentRequest, form) is { } authorityProblem)
        {
            return Notice(StatusCodes.Status400BadRequest, "The decision is not complete", authorityProblem, then: "Please go back, complete the form and press the button again. Nothing was changed.");
        }

        var instance = await client.GetInstanceAsync(claims.Reference, getInputsAndOutputs: false, ct);
        // A restriction outlives its request's workflow, which ended with the response: lifting it starts its own.
        var liftAfterResponse = action == LinkActions.LiftRestriction && (instance is null || instance.IsCompleted);
        if ((instance is null || instance.IsCompleted) && !liftAfterResponse)
        {
            await audit.AppendAsync(claims.Reference, time.GetUtcNow(), "link-refused", Actor(action, request.HttpContext), $"A link for step {claims.Step} was used after the request closed.", ct);
            return Notice(StatusCodes.Status409Conflict, "This request is closed", "The request is no longer open, so nothing was changed.");
        }

        // A link for a step the request has moved past (an earlier approval round) decides nothing.
        var record = await requests.GetAsync(claims.Reference, ct);
        var current = action switch
        {
            LinkActions.ConfirmIdentity or LinkActions.GiveIdentifiers or LinkActions.GiveAuthority => record?.Status == Domain.Requests.RequestStatus.AwaitingIdentity,
            LinkActions.Answer => record?.Status == Domain.Requests.RequestStatus.AwaitingClarification,
            _ => record?.CurrentStep == claims.Step,
        };
        if (!current && !await IsSpentAsync(claims, ct))
        {
            await audit.AppendAsync(claims.Reference, time.GetUtcNow(), $"link-refused-stale-{claims.Step}", Actor(action, request.HttpContext), $"A link for step {claims.Step} was used after the request moved on.", ct);
            Log.LinkRefused(logger, claims.Reference, "stale step");
            return Notice(StatusCodes.Status409Conflict, "This decision has moved on", "The request is no longer waiting for this decision, so nothing was changed. Use the latest email or the console.");
        }

        var now = time.GetUtcNow();
        // The requester's answer and a complaint's outcome are about the person: they are kept in the Decisions table,
        // never in the orchestration's history.
        var eventReason = LinkActions.NeedsReason(action) && action is not (LinkActions.Answer or LinkActions.Respond) ? reason : null;
        var decision = new LinkDecision(claims.Step, action, eventReason, claims.By is { } by ? $"{by} (console)" : Actor(action, request.HttpContext), now);
        var outcome = await links.SpendAsync(claims, action, JsonSerializer.Serialize(decision), ct);
        if (outcome == SpendOutcome.AlreadyUsed)
        {
            return await RefuseUsedAsync(request.HttpContext, claims, ct);
        }

        if (details != DecisionDetails.None)
        {
            await decisions.SaveAsync(claims.Reference, claims.Step, details, ct);
            if (details.ManualRedactions.Count > 0)
            {
                // Art 5(2): a redaction beyond the proposals is recorded with who chose it and why (the texts stay in the decision).
                await audit.AppendAsync(claims.Reference, now, $"redacted-by-hand-{claims.Step}", decision.Actor,
                    $"{details.ManualRedactions.Count} text(s) redacted by hand from the copy. Reason: {details.ManualRedactionReason}", ct);
            }
        }

        if (action == LinkActions.Approve && record is { AgentKind: not null, AuthorityAcceptedBy: null })
        {
            await requests.UpdateAsync(claims.Reference, x => x.AuthorityAcceptedBy = decision.Actor, ct);
            await audit.AppendAsync(claims.Reference, now, $"authority-accepted-{claims.Step}", decision.Actor, "The agent's authority to act for the data subject was checked and accepted; the response may go to the agent.", ct);
        }

        if (liftAfterResponse)
        {
            await starter.StartRestrictionLiftAsync(client, record!, decision, ct);
        }
        else
        {
            await client.RaiseEventAsync(claims.Reference, EventFor(action), decision, ct);
            if (Verification.IdentityForms.IsIdentityAction(action))
            {
                // One message, several requests: the requester answers once, for each of them still waiting for it.
                await identityAnswers.ToLinkedAsync(client, record!, claims.Step, details, decision, $"the link of {claims.Reference}", ct);
            }
        }

        await links.MarkDeliveredAsync(claims, ct);
        await audit.AppendAsync(claims.Reference, now, $"link-used-{claims.Step}", decision.Actor, $"Link used: {LinkActions.Label(action)}.", ct);
        Log.LinkUsed(logger, claims.Reference, claims.Step, action);
        if (forgetCookie)
        {
            cookies.Forget(request.HttpContext.Response, Path, CookiePrefix, token);
        }

        if (ConsolePages.SafeReturnPath(form["returnTo"].ToString()) is { } back)
        {
            return Results.Redirect(back, permanent: false, preserveMethod: false);
        }

        return Notice(StatusCodes.Status200OK, "Thank you", Done(action), claims.Reference);
    }

    /// <summary>
    /// The deadline watchdog's restart link (or the console's restart button): the workflow starts again from its recorded
    /// state, if it is still not under watch; the link is spent only when it acts, and who pressed it is audited.
    /// </summary>
    private async Task<IResult> RestartAsync(HttpRequest request, LinkClaims claims, string token, IFormCollection form, DurableTaskClient client, CancellationToken ct)
    {
        var context = request.HttpContext;
        var action = LinkActions.RestartWorkflow;
        var actor = claims.By is { } by ? $"{by} (console)" : Actor(action, request.HttpContext);
        var (row, refusal) = await watchdog.CanRestartAsync(client, claims.Reference, ct);
        if (refusal is not null || row is null)
        {
            if (await IsSpentAsync(claims, ct))
            {
                return await RefuseUsedAsync(context, claims, ct);
            }

            await audit.AppendAsync(claims.Reference, time.GetUtcNow(), $"link-refused-{claims.Step}", actor, $"A restart link for step {claims.Step} was used; nothing was restarted: {refusal}", ct);
            Log.WorkflowRestartRefused(logger, claims.Reference, "under watch or closed");
            return Notice(StatusCodes.Status409Conflict, "Nothing to restart", $"{refusal ?? "There is no such request."} Nothing was changed.", claims.Reference);
        }

        var now = time.GetUtcNow();
        var outcome = await links.SpendAsync(claims, action, JsonSerializer.Serialize(new LinkDecision(claims.Step, action, null, actor, now)), ct);
        if (outcome == SpendOutcome.AlreadyUsed)
        {
            return await RefuseUsedAsync(context, claims, ct);
        }

        var phase = await watchdog.RestartAsync(client, row, actor, ct);
        await links.MarkDeliveredAsync(claims, ct);
        await audit.AppendAsync(claims.Reference, now, $"link-used-{claims.Step}", actor, $"Link used: {LinkActions.Label(action)}.", ct);
        Log.LinkUsed(logger, claims.Reference, claims.Step, action);
        cookies.Forget(context.Response, Path, CookiePrefix, token);
        if (ConsolePages.SafeReturnPath(form["returnTo"].ToString()) is { } back)
        {
            return Results.Redirect(back, permanent: false, preserveMethod: false);
        }

        return Notice(StatusCodes.Status200OK, "Restarted", $"The workflow was restarted from its recorded state and resumes at the {phase} phase. Nothing already sent is sent again. The deadline watchdog checks it again on its next run.", claims.Reference);
    }

    private static string EventFor(string action) => action switch
    {
        LinkActions.ConfirmIdentity or LinkActions.GiveIdentifiers or LinkActions.GiveAuthority => DsrEvents.IdentityConfirmed,
        LinkActions.RetryGathering => DsrEvents.RetryGathering,
        LinkActions.Answer => DsrEvents.ClarificationAnswered,
        LinkActions.LiftRestriction => DsrEvents.LiftRestriction,
        LinkActions.FeePaid => DsrEvents.FeePaid,
        _ => DsrEvents.StaffDecision,
    };

    /// <summary>
    /// Who pressed: the requester for their own steps; for staff steps the signed-in staff member if there is one (platform
    /// sign-in or a console session), else the holder of the link sent to the privacy mailbox.
    /// </summary>
    private string Actor(string action, HttpContext context) => action is LinkActions.ConfirmIdentity or LinkActions.GiveIdentifiers or LinkActions.Answer ? "requester"
        : action == LinkActions.GiveAuthority ? "requester (agent)"
        : staffAuth.StaffName(context) is { } staff ? $"{staff} (email link)" : "privacy team (email link)";

    private static string Title(LinkClaims c) =>
        c.Actions.Contains(LinkActions.ConfirmIdentity) ? "Confirm your request"
        : c.Actions.Contains(LinkActions.GiveIdentifiers) ? "Help us find your records"
        : c.Actions.Contains(LinkActions.GiveAuthority) ? "Your authority to act"
        : c.Actions.Contains(LinkActions.RestartWorkflow) ? "Restart a request's workflow"
        : c.Actions.Contains(LinkActions.Answer) ? "Tell us more about your request"
        : c.Actions.Contains(LinkActions.Respond) ? "Answer a complaint"
        : "Decision on a privacy request";

    private static string Intro(LinkClaims c) => c.Actions.Contains(LinkActions.ConfirmIdentity)
        ? "Press the button to confirm that you made this request. We will then start work on it."
        : c.Actions.Contains(LinkActions.GiveIdentifiers)
        ? "We could not find the address you wrote from in our records. Give us another address you have used with us, or a customer, contract or licence number, and we will look again. If you have none, press the button anyway: we will tell you what we hold, which may be nothing."
        : c.Actions.Contains(LinkActions.GiveAuthority)
        ? "You asked on someone else's behalf. Give us their name and the email address they use with us, and their signed authority for you to act. We respond to you only once the authority is checked."
        : c.Actions.Contains(LinkActions.Answer)
        ? "Please tell us what information or processing your request is about. The time we have to respond is paused until we receive your answer."
        : c.Actions.Contains(LinkActions.Respond)
            ? "Write the outcome of the complaint: what you found and what was done. It is emailed to the complainant as written, with their right to complain to the ICO (DPA 2018 s 164A). The complaint itself is on the console page."
        : c.Actions.Contains(LinkActions.RestartWorkflow)
            ? "The deadline watchdog found that this request's workflow is not running as it should (the email says what it found). Press the button to start it again from the state it recorded: nothing already sent is sent again. Nothing happens until you press it."
        : c.Actions.Contains(LinkActions.RetryGathering)
            ? "Press the button once the failed systems are back, to search them again."
            : "Check the summary in the email, then choose. Nothing happens until you press the button.";

    private static string Done(string action) => action switch
    {
        LinkActions.ConfirmIdentity => "Thank you: your request is confirmed. We will email you when we have responded.",
        LinkActions.GiveIdentifiers => "Thank you: we will look for your records with what you gave us, and email you.",
        LinkActions.GiveAuthority => "Thank you: we have the details. Our privacy team checks the authority before we respond to you; the time we have runs from today.",
        LinkActions.Approve => "Approved. The response is being prepared and sent.",
        LinkActions.Reject => "Rejected. The requester will be told, with your reasons and how to complain.",
        LinkActions.Extend => "Extension requested. If it is allowed, the requester will be told the new date and your reasons.",
        LinkActions.RetryGathering => "The failed systems will be searched again.",
        LinkActions.Refuse => "Refused. The requester will be told, with your reasons, the right to complain to the ICO and to seek a judicial remedy.",
        LinkActions.Clarify => "The requester has been asked to clarify. The clock is stopped until they answer.",
        LinkActions.LiftRestriction => "The requester will be told before the restriction is lifted (Art 18(3)); it lifts after the notice period.",
        LinkActions.Respond => "The outcome is being sent to the complainant, with their right to complain to the ICO. The complaint is now closed.",
        LinkActions.ChargeFee => "The requester has been asked for the fee. The clock is stopped until it is paid.",
        LinkActions.FeePaid => "Payment recorded. The one-month time limit now runs from today.",
        LinkActions.Answer => "Thank you: we have your answer and will carry on with your request. We will email you the new date we will respond by.",
        _ => "Done.",
    };

    private async Task<bool> IsSpentAsync(LinkClaims claims, CancellationToken ct)
    {
        var row = await storage.Table(DsrStorage.TokensTable).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(claims.Reference, claims.Step, cancellationToken: ct);
        return row.HasValue;
    }

    /// <summary>A link page without its token (another browser, a bookmark, or more than an hour later): nothing to show.</summary>
    internal static IResult OpenFromEmail(HttpContext context) =>
        Notice(StatusCodes.Status400BadRequest, "Please open the link from your email", "This page needs the link from your email: open it again from there. Nothing was changed.");

    private async Task<IResult?> RefuseAsync(HttpContext context, TokenCheck check, CancellationToken ct)
    {
        if (check.IsValid)
        {
            return null;
        }

        // A forged token's contents cannot be trusted: audit it under the security partition.
        var partition = check.Verdict == TokenVerdict.Expired ? check.Claims!.Reference : AuditLog.SecurityPartition;
        await audit.AppendAsync(partition, time.GetUtcNow(), $"link-refused-{check.Verdict.ToString().ToLowerInvariant()}", "unknown",
            $"A link was refused: {check.Verdict}.", ct);
        Log.LinkRefused(logger, check.Verdict == TokenVerdict.Expired ? check.Claims!.Reference : "(unverified)", check.Verdict.ToString());
        return check.Verdict == TokenVerdict.Expired
            ? Notice(StatusCodes.Status410Gone, "This link has expired", "The link is past its expiry date, so nothing was changed. Please contact the privacy team if you still need to act.")
            : Notice(StatusCodes.Status403Forbidden, "This link is not valid", "The link is not one we issued, or it was altered. Nothing was changed.");
    }

    private async Task<IResult> RefuseUsedAsync(HttpContext context, LinkClaims claims, CancellationToken ct)
    {
        await audit.AppendAsync(claims.Reference, time.GetUtcNow(), $"link-refused-reused-{claims.Step}", "unknown", $"A link for step {claims.Step} was used again and refused.", ct);
        Log.LinkRefused(logger, claims.Reference, "already used");
        return Notice(StatusCodes.Status409Conflict, "This link has already been used", "Each link works once, and this one has been used, so nothing was changed.");
    }
}
