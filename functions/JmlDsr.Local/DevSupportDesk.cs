using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Local;

/// <summary>
/// A reference implementation of the <c>http</c> connector's contract (docs/http-connector.md): a small support desk holding
/// tickets, under <c>/api/dev/support-desk/</c>. It checks every call's signature and timestamp, answers <c>find</c>
/// asynchronously (202 and an operation that is still running at the first poll) and the rights at once, and gives the same
/// operation to a call repeated with the same Idempotency-Key. Its secret is the setting <c>SupportDesk:Secret</c>; without one it
/// answers nothing. Its tickets live in the mail capture's Azurite account: they stand for another application's database,
/// outside the product's storage. Local host and tests only.
/// </summary>
public sealed class DevSupportDesk(TableServiceClient tables, IConfiguration configuration, TimeProvider time)
{
    public const string Table = "DevSupportDesk";
    public const string Prefix = "api/dev/support-desk";
    private const string Partition = "ticket";

    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);

    private TableClient Tickets => tables.GetTableClient(Table);

    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        await Tickets.CreateIfNotExistsAsync(ct);
        // Two tickets of Erin's and one of someone else's, as a real desk would have.
        await Seed("T-1001", "Erin.Green@example.com", "Erin Green", "Licence will not activate", "Customer reports error 0x42 on activation; fixed by reissuing the key.", ct);
        await Seed("T-1002", "erin.green@example.com", "Erin Green", "Invoice address", "Asked for invoices to go to accounts@greenfreight.example.", ct);
        await Seed("T-2001", "someone.else@example.com", "Someone Else", "Payroll export", "Export to CSV fails for March.", ct);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Prefix + "/dsr/{action}", (string action, HttpRequest r, DevSupportDesk d, CancellationToken ct) => d.HandleAsync(action, r, ct));
        app.MapGet(Prefix + "/dsr/operations/{id}", (string id, HttpRequest r, DevSupportDesk d, CancellationToken ct) => d.OperationAsync(id, r, ct));
    }

    private async Task Seed(string id, string email, string name, string subject, string notes, CancellationToken ct) =>
        await Tickets.UpsertEntityAsync(new TableEntity(Partition, id) { ["Email"] = email, ["Name"] = name, ["Subject"] = subject, ["Notes"] = notes, ["Restricted"] = false }, TableUpdateMode.Replace, ct);

    private async Task<IResult> HandleAsync(string action, HttpRequest request, CancellationToken ct)
    {
        var (refusal, body) = await VerifiedAsync(request, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (action == "find")
        {
            if (body?["key"]?.ToString() != "email" || body["value"]?.ToString() is not { Length: > 0 } value)
            {
                return Problem(StatusCodes.Status422UnprocessableEntity, "This desk finds people by email only.");
            }

            // Asynchronous, as a slow search would be: the same call (Idempotency-Key) gets the same operation.
            var key = request.Headers["Idempotency-Key"].ToString();
            var operation = _operations.GetOrAdd(key.Length > 0 ? key : Guid.NewGuid().ToString("N"), _ => new Operation(Guid.NewGuid().ToString("N"), value));
            return Results.Json(new { operation = operation.Id }, statusCode: StatusCodes.Status202Accepted);
        }

        if (body?["recordId"]?.ToString() is not { Length: > 0 } id)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "recordId is required.");
        }

        var found = await Tickets.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: ct);
        if (!found.HasValue)
        {
            // Done already (a retried erasure): the contract makes every action idempotent.
            return Results.Json(new { done = true });
        }

        var ticket = found.Value!;
        switch (action)
        {
            case "erase":
                await Tickets.DeleteEntityAsync(Partition, id, ETag.All, ct);
                break;
            case "anonymise":
                ticket["Email"] = null;
                ticket["Name"] = null;
                ticket["Notes"] = null;
                await Tickets.UpdateEntityAsync(ticket, ETag.All, TableUpdateMode.Replace, ct);
                break;
            case "retain":
                ticket["Restricted"] = true;
                ticket["RetainUntil"] = body["retainUntil"]?.ToString();
                await Tickets.UpdateEntityAsync(ticket, ETag.All, TableUpdateMode.Replace, ct);
                break;
            case "rectify" when body["field"]?.ToString() == "Name":
                ticket["Name"] = body["value"]?.ToString();
                await Tickets.UpdateEntityAsync(ticket, ETag.All, TableUpdateMode.Replace, ct);
                break;
            case "rectify":
                return Problem(StatusCodes.Status422UnprocessableEntity, "Only Name can be corrected here.");
            case "restrict" or "unrestrict":
                ticket["Restricted"] = action == "restrict";
                await Tickets.UpdateEntityAsync(ticket, ETag.All, TableUpdateMode.Replace, ct);
                break;
            case "object":
                break;
            default:
                return Problem(StatusCodes.Status404NotFound, $"No action '{action}'.");
        }

        return Results.Json(new { done = true });
    }

    private async Task<IResult> OperationAsync(string id, HttpRequest request, CancellationToken ct)
    {
        var (refusal, _) = await VerifiedAsync(request, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var operation = _operations.Values.FirstOrDefault(o => o.Id == id);
        if (operation is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such operation.");
        }

        // Still running at the first poll, done at the next.
        if (Interlocked.Increment(ref operation.Polls) == 1)
        {
            return Results.Json(new { status = "running" });
        }

        var records = new JsonArray();
        await foreach (var t in Tickets.QueryAsync<TableEntity>($"PartitionKey eq '{Partition}'", cancellationToken: ct))
        {
            if (string.Equals(t.GetString("Email"), operation.Email, StringComparison.OrdinalIgnoreCase))
            {
                records.Add(new JsonObject
                {
                    ["id"] = t.RowKey,
                    ["category"] = "support ticket",
                    ["fields"] = new JsonObject { ["Subject"] = t.GetString("Subject"), ["Name"] = t.GetString("Name"), ["Notes"] = t.GetString("Notes") },
                });
            }
        }

        return Results.Json(new JsonObject { ["status"] = "succeeded", ["result"] = new JsonObject { ["records"] = records } });
    }

    /// <summary>The call's body, when its signature (over timestamp, method, path and body) is JmlDsr's and fresh.</summary>
    private async Task<(IResult? Refusal, JsonNode? Body)> VerifiedAsync(HttpRequest request, CancellationToken ct)
    {
        var secret = configuration["SupportDesk:Secret"];
        if (string.IsNullOrEmpty(secret))
        {
            return (Problem(StatusCodes.Status503ServiceUnavailable, "The support desk has no secret configured (SupportDesk__Secret)."), null);
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        var verdict = SystemCallSignature.Check(secret, request.Headers[SystemCallSignature.TimestampHeader], request.Headers[SystemCallSignature.SignatureHeader],
            request.Method, request.Path, bytes, time.GetUtcNow());
        if (verdict != SystemCallSignature.Verdict.Valid)
        {
            return (Problem(StatusCodes.Status401Unauthorized, $"Signature {verdict.ToString().ToLowerInvariant()}."), null);
        }

        try
        {
            return (null, bytes.Length == 0 ? null : JsonNode.Parse(bytes));
        }
        catch (JsonException)
        {
            return (Problem(StatusCodes.Status400BadRequest, "The body is not JSON."), null);
        }
    }

    private static IResult Problem(int status, string title) => Results.Problem(statusCode: status, title: title);

    private sealed class Operation(string id, string email)
    {
        public string Id { get; } = id;

        public string Email { get; } = email;

        public int Polls;
    }
}
