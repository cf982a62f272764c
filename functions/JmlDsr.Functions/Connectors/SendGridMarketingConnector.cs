using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SendGrid;

namespace JmlDsr.Functions.Connectors;

/// <summary>
/// <c>sendgrid-marketing</c>: JML's marketing contacts in SendGrid (Marketing Campaigns), through SendGrid's own API client.
/// A person is found by address (<c>POST /v3/marketing/contacts/search/emails</c>, which also matches alternate addresses),
/// and their place on the global suppression list is a record too (<c>GET /v3/asm/suppressions/global/{email}</c>). Erasure
/// deletes the contact (<c>DELETE /v3/marketing/contacts?ids=</c>) and, where the data map says <c>suppress</c>, puts the
/// address on the global suppression list (<c>POST /v3/asm/suppressions/global</c>) so that no campaign reaches them again;
/// an objection to direct marketing and a restriction suppress too. Lifting a restriction leaves the suppression: only the
/// person's fresh consent should lift it, and that is the marketing team's act in SendGrid, not this app's. The API key is
/// the configuration setting the map names (<c>apiKey</c>, default the mail key); the host is the mail's (<c>SendGrid:Host</c>),
/// so the local stand-in serves both.
/// </summary>
public sealed class SendGridMarketingConnector(IConfiguration configuration, IOptions<SendGridOptions> mail, IHttpClientFactory http) : IConnector
{
    public const string KindName = "sendgrid-marketing";
    public const string HttpClientName = "SendGridMarketing";
    public const string ContactCategory = "contact";
    public const string SuppressionCategory = "global suppression";

    /// <summary>The row that stands for the address's entry on the global suppression list (no address in it).</summary>
    public const string SuppressionRow = "global-suppression";

    /// <summary>Contact fields SendGrid keeps for itself, not about the person.</summary>
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "id", "_metadata", "custom_fields" };

    /// <summary>The reserved contact fields a correction may change (the address is the contact's key in SendGrid: not here).</summary>
    private static readonly HashSet<string> Rectifiable = new(StringComparer.OrdinalIgnoreCase)
    {
        "first_name", "last_name", "address_line_1", "address_line_2", "city", "state_province_region", "postal_code", "country", "phone_number",
    };

    public string Kind => KindName;

    public string Describe(SystemDescriptor system) => "SendGrid marketing contacts and global suppressions";

    public async IAsyncEnumerable<PersonRow> FindAsync(SystemDescriptor system, LookupKey key, string value, string email, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var client = Client(system);
        var found = await CallAsync(system, () => client.RequestAsync(BaseClient.Method.POST, new JsonObject { ["emails"] = new JsonArray(value) }.ToJsonString(),
            urlPath: "marketing/contacts/search/emails", cancellationToken: ct), HttpStatusCode.NotFound);
        if (found is not null && found["result"] is JsonObject result)
        {
            foreach (var (_, entry) in result)
            {
                if (entry?["contact"] is JsonObject contact && contact["id"]?.GetValue<string>() is { Length: > 0 } id)
                {
                    yield return new PersonRow(system.Id, id, new PersonalRecord(ContactCategory, Fields(contact)));
                }
            }
        }

        var suppressed = await CallAsync(system, () => client.RequestAsync(BaseClient.Method.GET, urlPath: "asm/suppressions/global/" + Uri.EscapeDataString(value), cancellationToken: ct));
        if (suppressed?["recipient_email"] is not null)
        {
            yield return new PersonRow(system.Id, SuppressionRow, new PersonalRecord(SuppressionCategory, new SortedDictionary<string, string?>(StringComparer.Ordinal)
            {
                ["email"] = value,
                ["suppressed"] = "yes: no marketing email from JML's SendGrid account reaches this address",
            }));
        }
    }

    public async Task EraseAsync(SystemDescriptor system, PersonRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.RowKey == SuppressionRow)
        {
            // The entry on the suppression list is what keeps the person unmailed: erasing it would undo an objection.
            return;
        }

        var client = Client(system);
        // Deleting a contact that is already gone is done: a retried erasure finds nothing to delete.
        await CallAsync(system, () => client.RequestAsync(BaseClient.Method.DELETE, queryParams: new JsonObject { ["ids"] = row.RowKey }.ToJsonString(),
            urlPath: "marketing/contacts", cancellationToken: ct), HttpStatusCode.NotFound);
    }

    /// <summary>The contact goes; the address stays only on the global suppression list (the data map's <c>suppress</c>).</summary>
    public async Task AnonymiseAsync(SystemDescriptor system, PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        await SuppressAsync(system, row, ct);
        await EraseAsync(system, row, ct);
    }

    /// <summary>A kept contact is used for nothing but the rule's purpose: it is suppressed from every campaign.</summary>
    public Task RetainAsync(SystemDescriptor system, PersonRow row, string rule, string retainUntil, CancellationToken ct = default) =>
        SuppressAsync(system, row, ct);

    public bool CanRectify(SystemDescriptor system, string field) => Rectifiable.Contains(field);

    public async Task RectifyAsync(SystemDescriptor system, PersonRow row, string field, string? value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!CanRectify(system, field) || row.Record.Fields.GetValueOrDefault("email") is not { Length: > 0 } address)
        {
            throw new InvalidOperationException($"System '{system.Id}': the field '{field}' of a SendGrid contact cannot be corrected here.");
        }

        var client = Client(system);
        // Contacts are upserted by address: this changes the one field on the contact the search found.
        var body = new JsonObject { ["contacts"] = new JsonArray(new JsonObject { ["email"] = address, [field.ToLowerInvariant()] = value ?? string.Empty }) };
        await CallAsync(system, () => client.RequestAsync(BaseClient.Method.PUT, body.ToJsonString(), urlPath: "marketing/contacts", cancellationToken: ct));
    }

    public Task MarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        SuppressAsync(system, row, ct);

    /// <summary>Lifting a restriction leaves the address suppressed (see the class): nothing to undo here.</summary>
    public Task UnmarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyList<string> fields, CancellationToken ct = default) => Task.CompletedTask;

    /// <summary>The suppression list holds an address even when SendGrid has no contact for it: an objection made first still counts.</summary>
    public bool HoldsFlags(SystemDescriptor system) => true;

    public Task SetFlagAsync(SystemDescriptor system, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        SuppressAddressAsync(system, email, ct);

    public Task DeleteFlagAsync(SystemDescriptor system, string email, string flag, CancellationToken ct = default) => Task.CompletedTask;

    private Task SuppressAsync(SystemDescriptor system, PersonRow row, CancellationToken ct) =>
        row.Record.Fields.GetValueOrDefault("email") is { Length: > 0 } address ? SuppressAddressAsync(system, address, ct) : Task.CompletedTask;

    private async Task SuppressAddressAsync(SystemDescriptor system, string email, CancellationToken ct)
    {
        var client = Client(system);
        var body = new JsonObject { ["recipient_emails"] = new JsonArray(SystemConnector.Key(email)) };
        await CallAsync(system, () => client.RequestAsync(BaseClient.Method.POST, body.ToJsonString(), urlPath: "asm/suppressions/global", cancellationToken: ct));
    }

    /// <summary>A contact's fields as the copy shows them: every value SendGrid holds, lists joined, custom fields by their names.</summary>
    public static SortedDictionary<string, string?> Fields(JsonObject contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in contact)
        {
            if (!Skipped.Contains(name) && Text(value) is { Length: > 0 } text)
            {
                fields[name] = text;
            }
        }

        if (contact["custom_fields"] is JsonObject custom)
        {
            foreach (var (name, value) in custom)
            {
                if (Text(value) is { Length: > 0 } text)
                {
                    fields[name] = text;
                }
            }
        }

        return fields;
    }

    private static string? Text(JsonNode? value) => value switch
    {
        null => null,
        JsonArray a => string.Join(", ", a.Select(Text).Where(t => !string.IsNullOrEmpty(t))),
        JsonObject => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    /// <summary>
    /// A client for this call: the factory's pooled handler, and the key as configuration holds it now (a rotated key
    /// applies at once; a client kept for the process's life would keep the old key and a handler past its lifetime).
    /// </summary>
    private SendGridClient Client(SystemDescriptor system)
    {
        // The map's setting when it is set, else the mail key (one key with both scopes is common).
        var setting = system.Connector.Setting("apiKey");
        var key = setting is null ? null : configuration[setting.Replace("__", ":", StringComparison.Ordinal)];
        key = string.IsNullOrWhiteSpace(key) ? mail.Value.ApiKey : key;
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name}: no SendGrid API key (neither {setting ?? "the connector's apiKey"} nor SendGrid__ApiKey is set).");
        }

        var options = new SendGridClientOptions { ApiKey = key };
        if (!string.IsNullOrWhiteSpace(mail.Value.Host))
        {
            options.Host = mail.Value.Host.TrimEnd('/');
        }

        return new SendGridClient(http.CreateClient(HttpClientName), options);
    }

    /// <summary>
    /// One call: its JSON answer, or null for no content or an <paramref name="empty"/> status. Any other failure, or no answer,
    /// makes the system unavailable (retried, then staff are told); the message names the status, never the address.
    /// </summary>
    private static async Task<JsonNode?> CallAsync(SystemDescriptor system, Func<Task<Response>> call, HttpStatusCode? empty = null)
    {
        Response response;
        try
        {
            response = await call();
        }
        catch (HttpRequestException e)
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name}: SendGrid is not answering ({e.HttpRequestError}).");
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name}: SendGrid did not answer in time.");
        }

        if (response.StatusCode == empty)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new SystemUnavailableException(system.Id, string.Create(CultureInfo.InvariantCulture, $"{system.Name}: SendGrid answered HTTP {(int)response.StatusCode}."));
        }

        var text = response.Body is null ? string.Empty : await response.Body.ReadAsStringAsync();
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }
}
