using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Http;

/// <summary>
/// The Functions app's HTTP triggers, one per <see cref="RouteTable"/> entry: each binds what the Functions host must bind
/// (route, method, authorization level, the durable client) and calls the table's handler, as the local host does.
/// </summary>
public sealed class HttpTriggers
{
    // The staff console: App Service authentication (Entra ID) guards it in Azure; the handler also requires a signed-in staff member.
    [Function(nameof(ConsoleQueue))]
    public static Task<IActionResult> ConsoleQueue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Console)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleQueue), req, null, null, ct);

    // The queue's filter form posts: a search by email address stays out of the URL.
    [Function(nameof(ConsoleSearch))]
    public static Task<IActionResult> ConsoleSearch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Console)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleSearch), req, null, null, ct);

    [Function(nameof(ConsoleRequest))]
    public static Task<IActionResult> ConsoleRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleRequest)] HttpRequest req,
        string reference,
        CancellationToken ct) =>
        Run(nameof(ConsoleRequest), req, reference, null, ct);

    // Staff correct how a message was read: split, merge, mark as an agent's request.
    [Function(nameof(ConsoleRequestAction))]
    public static Task<IActionResult> ConsoleRequestAction(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleRequestAction)] HttpRequest req,
        string reference,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(ConsoleRequestAction), req, reference, client, ct);

    [Function(nameof(ConsoleDashboard))]
    public static Task<IActionResult> ConsoleDashboard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleDashboard)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleDashboard), req, null, null, ct);

    [Function(nameof(ConsoleSystems))]
    public static Task<IActionResult> ConsoleSystems(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleSystems)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleSystems), req, null, null, ct);

    [Function(nameof(ConsoleBulk))]
    public static Task<IActionResult> ConsoleBulk(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleBulk)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(ConsoleBulk), req, null, client, ct);

    [Function(nameof(ConsoleSystemAction))]
    public static Task<IActionResult> ConsoleSystemAction(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSystemAction)] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(ConsoleSystemAction), req, id, client, ct);

    [Function(nameof(ConsoleSignInPage))]
    public static Task<IActionResult> ConsoleSignInPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleSignIn)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleSignInPage), req, null, null, ct);

    [Function(nameof(ConsoleSignIn))]
    public static Task<IActionResult> ConsoleSignIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSignIn)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleSignIn), req, null, null, ct);

    [Function(nameof(ConsoleSignOut))]
    public static Task<IActionResult> ConsoleSignOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSignOut)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleSignOut), req, null, null, ct);

    [Function(nameof(ConsoleSetAside))]
    public static Task<IActionResult> ConsoleSetAside(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleSetAside)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ConsoleSetAside), req, null, null, ct);

    [Function(nameof(ConsoleSetAsideOpen))]
    public static Task<IActionResult> ConsoleSetAsideOpen(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSetAsideOpen)] HttpRequest req,
        string id,
        CancellationToken ct) =>
        Run(nameof(ConsoleSetAsideOpen), req, id, null, ct);

    // SendGrid: the handler checks Inbound Parse's basic auth (or the older ?key=).
    [Function(nameof(InboundSendGrid))]
    public static Task<IActionResult> InboundSendGrid(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Inbound)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(InboundSendGrid), req, null, client, ct);

    // SendGrid's event webhook: the handler checks its signature.
    [Function(nameof(SendGridEvents))]
    public static Task<IActionResult> SendGridEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.MailEvents)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(SendGridEvents), req, null, null, ct);

    // The staff API: the staff gate (StaffGateMiddleware) admits an Entra bearer token with the app role or a named API key.
    [Function(nameof(ListSetAside))]
    public static Task<IActionResult> ListSetAside(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.SetAside)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ListSetAside), req, null, null, ct);

    [Function(nameof(OpenSetAside))]
    public static Task<IActionResult> OpenSetAside(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.SetAsideOpen)] HttpRequest req,
        string id,
        CancellationToken ct) =>
        Run(nameof(OpenSetAside), req, id, null, ct);

    [Function(nameof(ListRequests))]
    public static Task<IActionResult> ListRequests(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Requests)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ListRequests), req, null, null, ct);

    [Function(nameof(CreateRequest))]
    public static Task<IActionResult> CreateRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Requests)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(CreateRequest), req, null, client, ct);

    [Function(nameof(GetRequest))]
    public static Task<IActionResult> GetRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Request)] HttpRequest req,
        string reference,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(GetRequest), req, reference, client, ct);

    [Function(nameof(SetRequestType))]
    public static Task<IActionResult> SetRequestType(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RequestType)] HttpRequest req,
        string reference,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(SetRequestType), req, reference, client, ct);

    [Function(nameof(GetEvidence))]
    public static Task<IActionResult> GetEvidence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Evidence)] HttpRequest req,
        string reference,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(GetEvidence), req, reference, client, ct);

    [Function(nameof(ListLegalHolds))]
    public static Task<IActionResult> ListLegalHolds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.LegalHolds)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ListLegalHolds), req, null, null, ct);

    [Function(nameof(PlaceLegalHold))]
    public static Task<IActionResult> PlaceLegalHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.LegalHolds)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(PlaceLegalHold), req, null, null, ct);

    [Function(nameof(LiftLegalHold))]
    public static Task<IActionResult> LiftLegalHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.LegalHold)] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(LiftLegalHold), req, id, client, ct);

    // Signed links: the token is the authorisation; GET shows, only the page's POST acts.
    [Function(nameof(ShowLink))]
    public static Task<IActionResult> ShowLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Links)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(ShowLink), req, null, client, ct);

    [Function(nameof(UseLink))]
    public static Task<IActionResult> UseLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Links)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(UseLink), req, null, client, ct);

    [Function(nameof(ShowOwnerTask))]
    public static Task<IActionResult> ShowOwnerTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OwnerTasks)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(ShowOwnerTask), req, null, null, ct);

    [Function(nameof(AnswerOwnerTask))]
    public static Task<IActionResult> AnswerOwnerTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.OwnerTasks)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(AnswerOwnerTask), req, null, client, ct);

    [Function(nameof(DownloadExport))]
    public static Task<IActionResult> DownloadExport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Exports)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(DownloadExport), req, null, client, ct);

    // Operations: anyone gets the overall health; the handler shows the checks to callers the staff gate admits.
    [Function(nameof(GetHealth))]
    public static Task<IActionResult> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        Run(nameof(GetHealth), req, null, client, ct);

    [Function(nameof(GetOpenApi))]
    public static Task<IActionResult> GetOpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest req,
        CancellationToken ct) =>
        Run(nameof(GetOpenApi), req, null, null, ct);

    /// <summary>Calls the table's handler for <paramref name="function"/> and answers with its result.</summary>
    internal static async Task<IActionResult> Run(string function, HttpRequest req, string? parameter, DurableTaskClient? client, CancellationToken ct) =>
        new ResultAction(await RouteTable.Get(function).InvokeAsync(req, parameter, client, ct));
}
