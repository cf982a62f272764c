using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Deadlines;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Retention;
using JmlDsr.Functions.StaffConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace JmlDsr.Functions.Http;

/// <summary>Who may call a route.</summary>
public enum RouteAccess
{
    /// <summary>Anyone: a link page or download authorised by its signed token, or a sign-in page.</summary>
    Public,

    /// <summary>SendGrid: the handler checks the post itself (Inbound Parse's basic auth, the event webhook's signature).</summary>
    SendGrid,

    /// <summary>A staff member (Entra app role Privacy.Staff, bearer token) or a named API key; the gate checks before the handler runs.</summary>
    Staff,

    /// <summary>The data protection officer (app role Privacy.Dpo) or a named API key.</summary>
    Dpo,

    /// <summary>A signed-in staff member of the console (platform sign-in in Azure, a development account locally); the page sends others to sign in.</summary>
    Console,

    /// <summary>Automation only: a function key in Azure (checked by the Functions host, one key per caller), an API key locally.</summary>
    Automation,
}

/// <summary>
/// One HTTP route of the product: the Functions trigger's name, method and template, who may call it, and the call onto the
/// shared handler. The Functions triggers (<see cref="HttpTriggers"/>) and the local host are both built from this table; a
/// parity test compares it with functions.metadata and with the local host's endpoints, and the OpenAPI document with it.
/// </summary>
/// <param name="Function">The Functions trigger's name (<c>[Function(nameof(...))]</c>), also the OpenAPI operationId.</param>
/// <param name="Method">GET, POST or DELETE.</param>
/// <param name="Template">The route template, without a leading slash (host.json's routePrefix is empty).</param>
/// <param name="Handle">Calls the handler: the request, the route's one parameter (reference or id) if it has one, the durable client.</param>
public sealed record HttpRoute(string Function, string Method, string Template, RouteAccess Access, string Summary,
    Func<HttpRequest, string?, DurableTaskClient?, CancellationToken, Task<IResult>> Handle)
{
    /// <summary>The Functions host's authorization level for this route: only automation uses function keys.</summary>
    public string AuthLevel => Access == RouteAccess.Automation ? "Function" : "Anonymous";

    /// <summary>The route's parameter (reference or id), if it has one.</summary>
    public string? Parameter => Template.IndexOf('{', StringComparison.Ordinal) is var at and >= 0 ? Template[(at + 1)..Template.IndexOf('}', at)] : null;

    /// <summary>Calls the handler of this route for <paramref name="request"/>.</summary>
    public Task<IResult> InvokeAsync(HttpRequest request, string? parameter, DurableTaskClient? client, CancellationToken ct)
    {
        if (Parameter == "reference")
        {
            Telemetry.DsrTelemetry.Reference(parameter);
        }

        return Handle(request, parameter, client, ct);
    }
}

/// <summary>The product's HTTP routes (development-only routes of the local host are not here).</summary>
public static class RouteTable
{
    private static T H<T>(HttpRequest r)
        where T : notnull => r.HttpContext.RequestServices.GetRequiredService<T>();

    private static DurableTaskClient C(DurableTaskClient? client) => client ?? throw new InvalidOperationException("This route needs the durable client.");

    private static string P(string? parameter) => parameter ?? throw new InvalidOperationException("This route needs its parameter.");

    public static IReadOnlyList<HttpRoute> All { get; } =
    [
        // Mail in and mail events: SendGrid.
        new(nameof(HttpTriggers.InboundSendGrid), "POST", Routes.Inbound, RouteAccess.SendGrid,
            "SendGrid Inbound Parse posts an email sent to the privacy mailbox (parsed or raw mode); it is stored before anything else.",
            (r, _, c, ct) => H<InboundHandler>(r).HandleAsync(r, C(c), ct)),
        new(nameof(HttpTriggers.SendGridEvents), "POST", Routes.MailEvents, RouteAccess.SendGrid,
            "SendGrid's signed event webhook: delivery, bounce and spam reports of the mail the product sent.",
            (r, _, _, ct) => H<MailEventsHandler>(r).HandleAsync(r, ct)),

        // Signed links: requesters and staff from their emails.
        new(nameof(HttpTriggers.ShowLink), "GET", Routes.Links, RouteAccess.Public,
            "The page behind an emailed link (confirm identity, answer, approve...): shows it and changes nothing.",
            (r, _, c, ct) => H<LinksHandler>(r).ShowAsync(r, C(c), ct)),
        new(nameof(HttpTriggers.UseLink), "POST", Routes.Links, RouteAccess.Public,
            "The form of a link page: spends the single-use token and acts.",
            (r, _, c, ct) => H<LinksHandler>(r).ActAsync(r, C(c), ct)),
        new(nameof(HttpTriggers.ShowOwnerTask), "GET", Routes.OwnerTasks, RouteAccess.Public,
            "The page behind an owner-task system's email (send the person's records, or confirm a right done by hand): shows it and changes nothing.",
            (r, _, _, ct) => H<Gathering.OwnerTaskHandler>(r).ShowAsync(r, ct)),
        new(nameof(HttpTriggers.AnswerOwnerTask), "POST", Routes.OwnerTasks, RouteAccess.Public,
            "The owner's answer: the person's records as a CSV or JSON file (multipart), that the system holds none, or that the right was done; spends the task's single-use token.",
            (r, _, c, ct) => H<Gathering.OwnerTaskHandler>(r).ActAsync(r, C(c), ct)),
        new(nameof(HttpTriggers.DownloadExport), "GET", Routes.Exports, RouteAccess.Public,
            "The requester's copy of their data behind an expiring signed link (page, PDF, JSON).",
            (r, _, c, ct) => H<ExportsHandler>(r).GetAsync(r, C(c), ct)),

        // The staff API.
        new(nameof(HttpTriggers.ListRequests), "GET", Routes.Requests, RouteAccess.Staff,
            "Lists requests, optionally by status and type.",
            (r, _, _, ct) => H<RequestsHandler>(r).ListAsync(r, ct)),
        new(nameof(HttpTriggers.CreateRequest), "POST", Routes.Requests, RouteAccess.Staff,
            "Logs a request received by phone, letter or in person; its workflow starts at once.",
            (r, _, c, ct) => H<RequestsHandler>(r).CreateAsync(r, C(c), ct)),
        new(nameof(HttpTriggers.GetRequest), "GET", Routes.Request, RouteAccess.Staff,
            "One request: status, due date, identity, timeline.",
            (r, p, c, ct) => H<RequestsHandler>(r).GetAsync(r, P(p), C(c), ct)),
        new(nameof(HttpTriggers.SetRequestType), "POST", Routes.RequestType, RouteAccess.Staff,
            "Classifies a request waiting for triage.",
            (r, p, c, ct) => H<RequestsHandler>(r).SetTypeAsync(r, P(p), C(c), ct)),
        new(nameof(HttpTriggers.GetEvidence), "GET", Routes.Evidence, RouteAccess.Staff,
            "The evidence pack of a request (or one document of it).",
            (r, p, c, ct) => H<EvidenceHandler>(r).GetAsync(r, P(p), C(c), ct)),
        new(nameof(HttpTriggers.ListSetAside), "GET", Routes.SetAside, RouteAccess.Staff,
            "Mail set aside as not a request (auto-replies, bounces, our own mail, spam).",
            (r, _, _, ct) => H<SetAsideHandler>(r).ListAsync(r, ct)),
        new(nameof(HttpTriggers.OpenSetAside), "POST", Routes.SetAsideOpen, RouteAccess.Staff,
            "Opens a request from mail that was set aside.",
            (r, p, _, ct) => H<SetAsideHandler>(r).OpenAsync(r, P(p), ct)),
        new(nameof(HttpTriggers.ListLegalHolds), "GET", Routes.LegalHolds, RouteAccess.Staff,
            "The legal holds in force.",
            (r, _, _, ct) => H<LegalHoldsHandler>(r).ListAsync(ct)),
        new(nameof(HttpTriggers.PlaceLegalHold), "POST", Routes.LegalHolds, RouteAccess.Dpo,
            "Places a legal hold: the person's data is kept past its retention while the hold lasts.",
            (r, _, _, ct) => H<LegalHoldsHandler>(r).PlaceAsync(r, ct)),
        new(nameof(HttpTriggers.LiftLegalHold), "DELETE", Routes.LegalHold, RouteAccess.Dpo,
            "Lifts a legal hold; erasures it held back go ahead.",
            (r, p, c, ct) => H<LegalHoldsHandler>(r).LiftAsync(r, P(p), C(c), ct)),

        // Operations: health and the API's description.
        new(nameof(HttpTriggers.GetHealth), "GET", Routes.Health, RouteAccess.Public,
            "Health of storage, the task hub and SendGrid: 200 or 503 for anyone; each check's result for staff (bearer token or API key).",
            (r, _, c, ct) => H<HealthHandler>(r).GetAsync(r, C(c), ct)),
        new(nameof(HttpTriggers.GetOpenApi), "GET", Routes.OpenApi, RouteAccess.Public,
            "This OpenAPI document.",
            (r, _, _, _) => Task.FromResult(H<ApiDocument>(r).Get())),

        // Automation: on-demand runs of the hourly jobs.
        new(nameof(HousekeepingFunctions.RunHousekeeping), "POST", Routes.Housekeeping, RouteAccess.Automation,
            "Runs the retention schedule now (it also runs hourly).",
            async (r, _, c, ct) => Results.Ok(await H<Housekeeping>(r).RunAsync(C(c), ct))),
        new(nameof(DeadlineWatchdogFunctions.RunDeadlineWatchdog), "POST", Routes.Watchdog, RouteAccess.Automation,
            "Runs the deadline watchdog now (it also runs hourly).",
            async (r, _, c, ct) => Results.Ok(await H<DeadlineWatchdog>(r).RunAsync(C(c), ct))),

        // The staff console.
        new(nameof(HttpTriggers.ConsoleQueue), "GET", Routes.Console, RouteAccess.Console,
            "The console's queue of open requests.",
            (r, _, _, ct) => H<ConsoleHandler>(r).QueueAsync(r, ct)),
        new(nameof(HttpTriggers.ConsoleSearch), "POST", Routes.Console, RouteAccess.Console,
            "The queue's filter form (a search by email address stays out of the URL).",
            (r, _, _, ct) => H<ConsoleHandler>(r).QueueAsync(r, ct)),
        new(nameof(HttpTriggers.ConsoleRequest), "GET", Routes.ConsoleRequest, RouteAccess.Console,
            "One request in the console: timeline, decision, corrections.",
            (r, p, _, ct) => H<ConsoleHandler>(r).RequestAsync(r, P(p), ct)),
        new(nameof(HttpTriggers.ConsoleRequestAction), "POST", Routes.ConsoleRequestAction, RouteAccess.Console,
            "Staff correct how a message was read (split, merge, mark as an agent's request) or act on one of its systems (retry, skip with a reason, mark done by hand).",
            (r, p, c, ct) => H<ConsoleHandler>(r).RequestActionAsync(r, P(p), C(c), ct)),
        new(nameof(HttpTriggers.ConsoleDashboard), "GET", Routes.ConsoleDashboard, RouteAccess.Console,
            "Deadlines, workload and workflows that need a restart.",
            (r, _, _, ct) => H<ConsoleHandler>(r).DashboardAsync(r, ct)),
        new(nameof(HttpTriggers.ConsoleSystems), "GET", Routes.ConsoleSystems, RouteAccess.Console,
            "JML's record of processing (Art 30): every system in the data map, how it is reached and what each right does there.",
            (r, _, _, ct) => H<ConsoleHandler>(r).SystemsAsync(r, ct)),
        new(nameof(HttpTriggers.ConsoleBulk), "POST", Routes.ConsoleBulk, RouteAccess.Console,
            "The queue's bulk form: approve, ask the same clarification or set aside the ticked requests (or all the filter matches), each as its own audited decision.",
            (r, _, c, ct) => H<ConsoleHandler>(r).BulkAsync(r, C(c), ct)),
        new(nameof(HttpTriggers.ConsoleSystemAction), "POST", Routes.ConsoleSystemAction, RouteAccess.Console,
            "Staff pause a system (requests wait for it instead of failing) or resume it (the waiting requests go on at once); audited with who and why.",
            (r, p, c, ct) => H<ConsoleHandler>(r).SystemActionAsync(r, P(p), C(c), ct)),
        new(nameof(HttpTriggers.ConsoleSetAside), "GET", Routes.ConsoleSetAside, RouteAccess.Console,
            "Mail set aside, in the console.",
            (r, _, _, ct) => H<ConsoleHandler>(r).SetAsideAsync(r, ct)),
        new(nameof(HttpTriggers.ConsoleSetAsideOpen), "POST", Routes.ConsoleSetAsideOpen, RouteAccess.Console,
            "Opens a request from mail set aside, in the console.",
            (r, p, _, ct) => H<ConsoleHandler>(r).OpenSetAsideAsync(r, P(p), ct)),
        new(nameof(HttpTriggers.ConsoleSignInPage), "GET", Routes.ConsoleSignIn, RouteAccess.Public,
            "The console's sign-in page (development accounts; in Azure, platform sign-in).",
            (r, _, _, _) => Task.FromResult(H<ConsoleHandler>(r).SignInPage(r))),
        new(nameof(HttpTriggers.ConsoleSignIn), "POST", Routes.ConsoleSignIn, RouteAccess.Public,
            "Signs in with a development account and the development key (off when platform sign-in is on).",
            (r, _, _, ct) => H<ConsoleHandler>(r).SignInAsync(r, ct)),
        new(nameof(HttpTriggers.ConsoleSignOut), "POST", Routes.ConsoleSignOut, RouteAccess.Public,
            "Signs out of the console.",
            (r, _, _, _) => Task.FromResult(H<ConsoleHandler>(r).SignOut(r))),
    ];

    private static readonly Dictionary<string, HttpRoute> ByFunction = All.ToDictionary(r => r.Function, StringComparer.Ordinal);

    /// <summary>The route of the Functions trigger named <paramref name="function"/>, or null for a function that is not an HTTP route.</summary>
    public static HttpRoute? ForFunction(string function) => ByFunction.GetValueOrDefault(function);

    /// <summary>The route of <paramref name="function"/>; the triggers call this.</summary>
    public static HttpRoute Get(string function) => ByFunction[function];
}
