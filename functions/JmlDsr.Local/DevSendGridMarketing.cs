using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;

namespace JmlDsr.Local;

/// <summary>
/// The local stand-in for SendGrid's Marketing Campaigns contacts and its global suppression list, the endpoints the
/// <c>sendgrid-marketing</c> connector calls, answering as SendGrid documents them:
/// <list type="bullet">
/// <item><c>POST /v3/marketing/contacts/search/emails</c>: 200 with <c>result</c> keyed by address (a contact, or an error for
/// an address it does not know; alternate addresses match too), 404 when none is known;</item>
/// <item><c>PUT /v3/marketing/contacts</c>: upserts contacts by address, 202 with a job id;</item>
/// <item><c>DELETE /v3/marketing/contacts?ids=</c>: deletes them, 202 with a job id (<c>delete_all_contacts</c> is refused: this
/// app never asks for it);</item>
/// <item><c>GET|DELETE /v3/asm/suppressions/global/{email}</c> and <c>POST /v3/asm/suppressions/global</c>.</item>
/// </list>
/// Every call needs a bearer key, as SendGrid's do. Its tables live in the mail capture's Azurite account with the outbox: they
/// stand for SendGrid, outside the product's storage. The outbox asks it whether an address is suppressed: SendGrid drops mail
/// to a suppressed address unless the mail bypasses unsubscribe management. Local host only.
/// </summary>
public sealed class DevSendGridMarketing(TableServiceClient tables, TimeProvider time)
{
    public const string ContactsTable = "DevSendGridContacts";
    public const string SuppressionsTable = "DevSendGridSuppressions";
    private const string ContactPartition = "contact";
    private const string GlobalPartition = "global";

    private TableClient Contacts => tables.GetTableClient(ContactsTable);

    private TableClient Suppressions => tables.GetTableClient(SuppressionsTable);

    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        await Contacts.CreateIfNotExistsAsync(ct);
        await Suppressions.CreateIfNotExistsAsync(ct);
    }

    /// <summary>Maps the endpoints onto the host.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v3/marketing/contacts/search/emails", (HttpRequest r, DevSendGridMarketing s, CancellationToken ct) => Authorised(r, () => s.SearchAsync(r, ct)));
        app.MapPut("/v3/marketing/contacts", (HttpRequest r, DevSendGridMarketing s, CancellationToken ct) => Authorised(r, () => s.UpsertAsync(r, ct)));
        app.MapDelete("/v3/marketing/contacts", (HttpRequest r, DevSendGridMarketing s, CancellationToken ct) => Authorised(r, () => s.DeleteAsync(r, ct)));
        app.MapGet("/v3/asm/suppressions/global/{email}", (string email, HttpRequest r, DevSendGridMarketing s, CancellationToken ct) => Authorised(r, async () =>
            await s.IsSuppressedAsync(email, ct) ? Results.Json(new { recipient_email = Key(email) }) : Results.Json(new { })));
        app.MapPost("/v3/asm/suppressions/global", (HttpRequest r, DevSendGridMarketing s, CancellationToken ct) => Authorised(r, () => s.SuppressAsync(r, ct)));
        app.MapDelete("/v3/asm/suppressions/global/{email}", (string email, HttpRequest r, DevSendGridMarketing s, CancellationToken ct) => Authorised(r, async () =>
        {
            await s.Suppressions.DeleteEntityAsync(GlobalPartition, Key(email), ETag.All, ct);
            return Results.StatusCode(StatusCodes.Status204NoContent);
        }));
    }

    public async Task<bool> IsSuppressedAsync(string email, CancellationToken ct = default) =>
        (await Suppressions.GetEntityIfExistsAsync<TableEntity>(GlobalPartition, Key(email), select: ["PartitionKey"], cancellationToken: ct)).HasValue;

    /// <summary>Adds or updates a contact, as the marketing team's sign-up forms would (demo data).</summary>
    public async Task<string> UpsertContactAsync(JsonObject contact, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var email = Key(contact["email"]?.GetValue<string>() ?? throw new ArgumentException("A contact needs an email."));
        var now = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var existing = await FindAsync(email, ct);
        var merged = existing?.Contact ?? new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["created_at"] = now };
        foreach (var (name, value) in contact)
        {
            if (name == "custom_fields" && value is JsonObject custom)
            {
                var into = merged["custom_fields"] as JsonObject ?? [];
                foreach (var (k, v) in custom)
                {
                    into[k] = v?.DeepClone();
                }

                merged["custom_fields"] = into;
            }
            else if (name != "id")
            {
                merged[name] = value?.DeepClone();
            }
        }

        merged["email"] = email;
        merged["updated_at"] = now;
        var id = merged["id"]!.GetValue<string>();
        await Contacts.UpsertEntityAsync(new TableEntity(ContactPartition, id) { ["Email"] = email, ["Json"] = merged.ToJsonString() }, TableUpdateMode.Replace, ct);
        return id;
    }

    private static async Task<IResult> Authorised(HttpRequest request, Func<Task<IResult>> then) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal) && request.Headers.Authorization.ToString().Length > 7
            ? await then()
            : Error(StatusCodes.Status401Unauthorized, "authorization required");

    private async Task<IResult> SearchAsync(HttpRequest request, CancellationToken ct)
    {
        if (await BodyAsync(request, ct) is not JsonObject body || body["emails"] is not JsonArray emails || emails.Count is 0 or > 100)
        {
            return Error(StatusCodes.Status400BadRequest, "emails: between 1 and 100 addresses", "emails");
        }

        var result = new JsonObject();
        var any = false;
        foreach (var email in emails.Select(e => e?.GetValue<string>()).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => Key(e!)).Distinct())
        {
            if (await FindAsync(email, ct) is { } found)
            {
                result[email] = new JsonObject { ["contact"] = found.Contact };
                any = true;
            }
            else
            {
                result[email] = new JsonObject { ["error"] = "contact not found" };
            }
        }

        return any ? Results.Json(new JsonObject { ["result"] = result }) : Error(StatusCodes.Status404NotFound, "No contacts found");
    }

    private async Task<IResult> UpsertAsync(HttpRequest request, CancellationToken ct)
    {
        if (await BodyAsync(request, ct) is not JsonObject body || body["contacts"] is not JsonArray contacts || contacts.Count == 0
            || contacts.Any(c => c is not JsonObject o || o["email"]?.GetValueKind() != JsonValueKind.String))
        {
            return Error(StatusCodes.Status400BadRequest, "contacts: each needs an email", "contacts");
        }

        foreach (var contact in contacts.OfType<JsonObject>())
        {
            await UpsertContactAsync(contact, ct);
        }

        return Results.Json(new { job_id = Guid.NewGuid().ToString() }, statusCode: StatusCodes.Status202Accepted);
    }

    private async Task<IResult> DeleteAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.Query.ContainsKey("delete_all_contacts"))
        {
            return Error(StatusCodes.Status400BadRequest, "this stand-in does not delete every contact", "delete_all_contacts");
        }

        var ids = request.Query["ids"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0)
        {
            return Error(StatusCodes.Status400BadRequest, "ids or delete_all_contacts is required", "ids");
        }

        foreach (var id in ids)
        {
            await Contacts.DeleteEntityAsync(ContactPartition, id, ETag.All, ct);
        }

        return Results.Json(new { job_id = Guid.NewGuid().ToString() }, statusCode: StatusCodes.Status202Accepted);
    }

    private async Task<IResult> SuppressAsync(HttpRequest request, CancellationToken ct)
    {
        if (await BodyAsync(request, ct) is not JsonObject body || body["recipient_emails"] is not JsonArray emails || emails.Count == 0)
        {
            return Error(StatusCodes.Status400BadRequest, "recipient_emails is required", "recipient_emails");
        }

        var added = new List<string>();
        foreach (var email in emails.Select(e => e?.GetValue<string>()).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => Key(e!)))
        {
            await Suppressions.UpsertEntityAsync(new TableEntity(GlobalPartition, email) { ["Created"] = time.GetUtcNow().ToUnixTimeSeconds() }, TableUpdateMode.Replace, ct);
            added.Add(email);
        }

        return Results.Json(new { recipient_emails = added }, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The contact whose address or alternate address this is (a full read: a demo holds few contacts).</summary>
    private async Task<(string Id, JsonObject Contact)?> FindAsync(string email, CancellationToken ct)
    {
        await foreach (var row in Contacts.QueryAsync<TableEntity>($"PartitionKey eq '{ContactPartition}'", cancellationToken: ct))
        {
            var contact = JsonNode.Parse(row.GetString("Json") ?? "{}") as JsonObject ?? [];
            var alternates = contact["alternate_emails"] as JsonArray ?? [];
            if (row.GetString("Email") == email || alternates.Any(a => a?.GetValueKind() == JsonValueKind.String && Key(a.GetValue<string>()) == email))
            {
                return (row.RowKey, contact);
            }
        }

        return null;
    }

    private static async Task<JsonNode?> BodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult Error(int status, string message, string? field = null) =>
        Results.Json(new { errors = new[] { new { field, message } } }, statusCode: status);

    private static string Key(string email) => email.Trim().ToLowerInvariant();
}
