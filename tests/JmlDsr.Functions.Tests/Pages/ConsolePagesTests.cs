using JmlDsr.Pages;
using JmlDsr.Pages.Console;
using Xunit;

namespace JmlDsr.Functions.Tests.Pages;

/// <summary>The console's pages as staff see them: what each state says, and every value encoded by the framework.</summary>
public sealed class ConsolePagesTests
{
    private const string Script = "<script>alert(1)</script>";

    private static readonly PageRenderer Renderer = PageRenderer.For(null);

    [Fact]
    public async Task The_queue_says_what_each_request_waits_for_and_flags_the_overdue_row()
    {
        var html = await Renderer.RenderAsync<QueuePage>(new Dictionary<string, object?>
        {
            [nameof(QueuePage.StaffName)] = "Priya Patel",
            [nameof(QueuePage.Filter)] = new QueueFilter("open", "erasure", "", "jane@example.com"),
            [nameof(QueuePage.Rows)] = new List<QueueRow>
            {
                new("DSR-2026-000001", "Access", "j***@example.com", "gathering", "Tue 1 Dec 2026", "Fri 1 Jan 2027", false, QueueState.Overdue, -3),
                new("DSR-2026-000002", "Erasure", "s***@example.com", "awaiting-clarification", "Tue 1 Dec 2026", "Fri 1 Jan 2027", false, QueueState.Paused, 12),
                new("CMP-2026-000003", "Complaint", "k***@example.com", "received", "Tue 1 Dec 2026", "Thu 31 Dec 2026", true, QueueState.ToAcknowledge, 29),
            },
            [nameof(QueuePage.Total)] = 3,
        });

        Assert.Contains("<tr class=\"overdue\"><td><input type=\"checkbox\" name=\"ref\" value=\"DSR-2026-000001\" form=\"bulk\" aria-label=\"Select DSR-2026-000001\" /></td><th scope=\"row\"><a href=\"/console/requests/DSR-2026-000001\">DSR-2026-000001</a></th>", html, StringComparison.Ordinal);
        Assert.Contains("Overdue by 3 days", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"paused\">Paused</span> <span class=\"muted\">(waiting for the requester)</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"muted\">acknowledge by</span> Thu 31 Dec 2026", html, StringComparison.Ordinal);
        Assert.Contains("29 <span class=\"muted\">(to acknowledge)</span>", html, StringComparison.Ordinal);
        Assert.Contains("3 requests, soonest due first.", html, StringComparison.Ordinal);
        Assert.Matches("<option value=\"erasure\" selected>Erasure</option>", html);
        Assert.Contains("value=\"jane@example.com\"", html, StringComparison.Ordinal);
        Assert.Contains("Signed in as <strong>Priya Patel</strong>", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "class=\"overdue\""));
    }

    [Fact]
    public async Task The_request_page_encodes_what_the_requester_wrote_wherever_it_appears()
    {
        var html = await Renderer.RenderAsync<RequestPage>(new Dictionary<string, object?>
        {
            [nameof(RequestPage.StaffName)] = Script,
            [nameof(RequestPage.Request)] = new RequestView
            {
                Reference = "CMP-2026-000009",
                TypeTitle = "Complaint",
                Status = "complaint-open",
                Complaint = true,
                RequesterName = Script,
                RequesterEmail = "x\"><script>@example.com",
                Channel = "email",
                Received = "1 Dec 2026 10:00",
                ComplaintFacts = new ComplaintFacts("DSR-2026-000001", true, "Thu 31 Dec 2026", null),
                Subject = Script,
                ComplaintText = Script + "\nSecond line",
                Timeline = [new TimelineEntry(DateTimeOffset.UnixEpoch, "1 Jan 1970 00:00", "received", Script, "Priya Patel [dev account priya] (console)")],
            },
            [nameof(RequestPage.Decision)] = new ConsoleDecision("approval", [
                new SignedLinkForm("tok\"en", new LinkForm("approve", "Approve") { Extra = new RedactionOffer([new RedactionChoice(Script, "name", Script)], "[redacted]", 4020, 2000), Authority = new AgentAuthority("solicitor", Script, "a@example.com", Script, null, Script), ButtonClass = "primary" }),
                new SignedLinkForm("tok2", new LinkForm("reject", "Reject") { Extra = new CorrectionOffer(Script, [new HeldField(Script, ["CRM: " + Script, "Billing: 1"])], 2000), ReasonLabel = Script, ButtonClass = "secondary" }),
            ], "/console/requests/CMP-2026-000009"),
        });

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Complainant</dt>", html, StringComparison.Ordinal);
        Assert.Contains("<dt>About request</dt><dd><a href=\"/console/requests/DSR-2026-000001\">DSR-2026-000001</a></dd>", html, StringComparison.Ordinal);
        Assert.Contains("Not sent yet <span class=\"muted\">(without undue delay, s 164A(4))</span>", html, StringComparison.Ordinal);
        Assert.Contains("<h2>The complaint</h2><blockquote class=\"words\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Correct how the message was read", html, StringComparison.Ordinal);
        Assert.DoesNotContain("What each system returned", html, StringComparison.Ordinal);

        // The decision's forms: one per action, each with its own token, every value from the records encoded.
        Assert.Contains("Waiting for: <strong>approval</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\" action=\"/api/links\"><input type=\"hidden\" name=\"token\" value=\"tok&quot;en\" /><input type=\"hidden\" name=\"action\" value=\"approve\" /><input type=\"hidden\" name=\"returnTo\" value=\"/console/requests/CMP-2026-000009\" />", html, StringComparison.Ordinal);
        Assert.Contains("name=\"redact\" value=\"&lt;script&gt;alert(1)&lt;/script&gt;\" checked", html, StringComparison.Ordinal);
        Assert.Contains("Ticked items are replaced by “[redacted]”", html, StringComparison.Ordinal);
        Assert.Contains("name=\"authorityChecked\" value=\"yes\"", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"field_0\" value=\"&lt;script&gt;alert(1)&lt;/script&gt;\" />", html, StringComparison.Ordinal);
        Assert.Contains("CRM: &lt;script&gt;alert(1)&lt;/script&gt;<br>Billing: 1</td>", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" class=\"primary\">Approve</button>", html, StringComparison.Ordinal);
        Assert.Contains("name=\"reason\" required maxlength=\"2000\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_open_request_page_shows_its_clock_its_systems_and_the_corrections()
    {
        var html = await Renderer.RenderAsync<RequestPage>(new Dictionary<string, object?>
        {
            [nameof(RequestPage.StaffName)] = "Sam Okafor",
            [nameof(RequestPage.Request)] = new RequestView
            {
                Reference = "DSR-2026-000010",
                TypeTitle = "Access",
                Status = "gathering",
                RequesterEmail = "jane@example.com",
                Channel = "email",
                Received = "1 Dec 2026 10:00",
                Linked = ["DSR-2026-000011"],
                Clock = new ClockFacts("Tue 1 Dec 2026", 4, "Tue 5 Jan 2027", true, true),
                OffersCorrections = true,
                CorrectionError = "Give the reference of the request this one is the same as.",
                Systems = [new SystemRow("CRM", null, []), new SystemRow("Licensing", 5, [new RecordPreview("licence", "key = ABC"), new RecordPreview("licence", "key = DEF")])],
            },
            [nameof(RequestPage.Decision)] = ConsoleDecision.None("/console/requests/DSR-2026-000010"),
        });

        Assert.Contains("<dd>&#x2014; &lt;jane@example.com&gt;</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"linked\"><a href=\"/console/requests/DSR-2026-000011\">DSR-2026-000011</a> </dd>", html, StringComparison.Ordinal);
        Assert.Contains("Tue 1 Dec 2026 (4 day(s) the clock was stopped)", html, StringComparison.Ordinal);
        Assert.Contains("Tue 5 Jan 2027 (extended) <span class=\"overdue-flag\">Overdue</span>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"error\" role=\"alert\">Give the reference of the request this one is the same as.</p>", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/console/requests/DSR-2026-000010/action\"", html, StringComparison.Ordinal);
        Assert.Contains("<td colspan=\"2\" class=\"muted\">Not searched yet</td>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"muted\">and 3 more</div>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"muted\">No decision is waiting on staff at this step.</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/links", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_offers_a_restart_only_where_one_helps()
    {
        var html = await Renderer.RenderAsync<DashboardPage>(new Dictionary<string, object?>
        {
            [nameof(DashboardPage.StaffName)] = "Dana Price",
            [nameof(DashboardPage.Cards)] = new List<DashboardCard> { new("not-watched", "3", "requests not under watch") },
            [nameof(DashboardPage.WatchdogLastRun)] = "The deadline watchdog has not run yet.",
            [nameof(DashboardPage.NotWatched)] = new List<NotWatchedRow>
            {
                new("DSR-2026-000001", "gathering", "Fri 1 Jan 2027", "its workflow failed", null, "tok&en"),
                new("DSR-2026-000002", "gathering", "Fri 1 Jan 2027", "its workflow failed", "2 Dec 2026 09:00", null),
                new("DSR-2026-000003", "gathering", "Fri 1 Jan 2027", "not seen for two runs", null, null),
            },
            [nameof(DashboardPage.Attention)] = new List<AttentionRow>(),
            [nameof(DashboardPage.OpenByType)] = new List<TypeCount> { new("Access", 2) },
            [nameof(DashboardPage.Months)] = new List<JmlDsr.Domain.Reporting.MonthBar>(),
            [nameof(DashboardPage.RestartAction)] = "restart",
        });

        Assert.Contains("id=\"not-watched\"><span class=\"n\">3</span>requests not under watch", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "aria-label=\"Restart the workflow of "));
        Assert.Contains("aria-label=\"Restart the workflow of DSR-2026-000001\"><input type=\"hidden\" name=\"token\" value=\"tok&amp;en\"", html, StringComparison.Ordinal);
        Assert.Contains("Restarted 2 Dec 2026 09:00; the watchdog checks it on its next run", html, StringComparison.Ordinal);
        Assert.Contains("Waiting for the watchdog's next run", html, StringComparison.Ordinal);
        Assert.Contains("None: no step is waiting for staff after a failure.", html, StringComparison.Ordinal);
    }
}
