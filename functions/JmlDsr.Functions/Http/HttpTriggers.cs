using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.StaffConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Http;

/// <summary>
/// The Functions app's HTTP triggers: thin adapters onto the shared handlers the local host maps too.
/// Staff routes use function keys (x-functions-key); the inbound route checks its own secret (basic auth, or the
/// older ?key=); link pages are authorised by their signed token.
/// </summary>
public sealed class HttpTriggers(InboundHandler inbound, SetAsideHandler setAside, MailEventsHandler mailEvents, RequestsHandler requests, EvidenceHandler evidence, LegalHoldsHandler holds, LinksHandler links, ExportsHandler exports, ConsoleHandler console)
{
    // The staff console: App Service authentication (Entra ID) guards it in Azure; the handler also
    // requires a signed-in staff member, so no page is ever open.
    [Function(nameof(ConsoleQueue))]
    public async Task<IActionResult> ConsoleQueue([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Console)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await console.QueueAsync(req, ct));

    // The queue's filter form posts: a search by email address stays out of the URL.
    [Function(nameof(ConsoleSearch))]
    public async Task<IActionResult> ConsoleSearch([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Console)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await console.QueueAsync(req, ct));

    [Function(nameof(ConsoleRequest))]
    public async Task<IActionResult> ConsoleRequest([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleRequest)] HttpRequest req, string reference, CancellationToken ct) =>
        new ResultAction(await console.RequestAsync(req, reference, ct));

    // Staff correct how a message was read: split, merge, mark as an agent's request.
    [Function(nameof(ConsoleRequestAction))]
    public async Task<IActionResult> ConsoleRequestAction([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleRequestAction)] HttpRequest req, string reference, [DurableClient] DurableTaskClient client, CancellationToken ct) =>
        new ResultAction(await console.RequestActionAsync(req, reference, client, ct));

    [Function(nameof(ConsoleDashboard))]
    public async Task<IActionResult> ConsoleDashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleDashboard)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await console.DashboardAsync(req, ct));

    [Function(nameof(ConsoleSignInPage))]
    public IActionResult ConsoleSignInPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleSignIn)] HttpRequest req) =>
        new ResultAction(console.SignInPage(req));

    [Function(nameof(ConsoleSignIn))]
    public async Task<IActionResult> ConsoleSignIn([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSignIn)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await console.SignInAsync(req, ct));

    [Function(nameof(ConsoleSignOut))]
    public IActionResult ConsoleSignOut([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSignOut)] HttpRequest req) =>
        new ResultAction(console.SignOut(req));

    [Function(nameof(InboundSendGrid))]
    public async Task<IActionResult> InboundSendGrid(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Inbound)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await inbound.HandleAsync(req, client, ct));

    [Function(nameof(ListSetAside))]
    public async Task<IActionResult> ListSetAside([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.SetAside)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await setAside.ListAsync(req, ct));

    [Function(nameof(OpenSetAside))]
    public async Task<IActionResult> OpenSetAside([HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.SetAsideOpen)] HttpRequest req, string id, CancellationToken ct) =>
        new ResultAction(await setAside.OpenAsync(req, id, ct));

    [Function(nameof(ConsoleSetAside))]
    public async Task<IActionResult> ConsoleSetAside([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleSetAside)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await console.SetAsideAsync(req, ct));

    [Function(nameof(ConsoleSetAsideOpen))]
    public async Task<IActionResult> ConsoleSetAsideOpen([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ConsoleSetAsideOpen)] HttpRequest req, string id, CancellationToken ct) =>
        new ResultAction(await console.OpenSetAsideAsync(req, id, ct));

    // SendGrid's Event Webhook: authorised by its ECDSA signature.
    [Function(nameof(SendGridEvents))]
    public async Task<IActionResult> SendGridEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.MailEvents)] HttpRequest req,
        CancellationToken ct) =>
        new ResultAction(await mailEvents.HandleAsync(req, ct));

    [Function(nameof(ListRequests))]
    public async Task<IActionResult> ListRequests(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Requests)] HttpRequest req,
        CancellationToken ct) =>
        new ResultAction(await requests.ListAsync(req, ct));

    [Function(nameof(CreateRequest))]
    public async Task<IActionResult> CreateRequest(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Requests)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await requests.CreateAsync(req, client, ct));

    [Function(nameof(GetEvidence))]
    public async Task<IActionResult> GetEvidence(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Evidence)] HttpRequest req,
        string reference,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await evidence.GetAsync(req, reference, client, ct));

    [Function(nameof(ListLegalHolds))]
    public async Task<IActionResult> ListLegalHolds([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.LegalHolds)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await holds.ListAsync(ct));

    [Function(nameof(PlaceLegalHold))]
    public async Task<IActionResult> PlaceLegalHold([HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.LegalHolds)] HttpRequest req, CancellationToken ct) =>
        new ResultAction(await holds.PlaceAsync(req, ct));

    [Function(nameof(LiftLegalHold))]
    public async Task<IActionResult> LiftLegalHold([HttpTrigger(AuthorizationLevel.Function, "delete", Route = Routes.LegalHold)] HttpRequest req, string id, [DurableClient] DurableTaskClient client, CancellationToken ct) =>
        new ResultAction(await holds.LiftAsync(id, client, ct));

    [Function(nameof(GetRequest))]
    public async Task<IActionResult> GetRequest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Request)] HttpRequest req,
        string reference,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await requests.GetAsync(req, reference, client, ct));

    [Function(nameof(SetRequestType))]
    public async Task<IActionResult> SetRequestType(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.RequestType)] HttpRequest req,
        string reference,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await requests.SetTypeAsync(req, reference, client, ct));

    [Function(nameof(ShowLink))]
    public async Task<IActionResult> ShowLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Links)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await links.ShowAsync(req, client, ct));

    [Function(nameof(UseLink))]
    public async Task<IActionResult> UseLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Links)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await links.ActAsync(req, client, ct));

    [Function(nameof(DownloadExport))]
    public async Task<IActionResult> DownloadExport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Exports)] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        CancellationToken ct) =>
        new ResultAction(await exports.GetAsync(req, client, ct));
}
