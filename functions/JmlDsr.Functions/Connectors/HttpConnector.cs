using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using Microsoft.Extensions.Configuration;

namespace JmlDsr.Functions.Connectors;

/// <summary>
/// <c>http</c>: one of JML's own applications, through the REST contract in docs/http-connector.md (openapi/http-connector.openapi.json):
/// <c>POST {base}/dsr/find</c> and one <c>POST {base}/dsr/{action}</c> per right, each signed (<see cref="SystemCallSignature"/>)
/// and carrying an <c>Idempotency-Key</c> made from the call itself, so a retried activity asks for the same work again. An
/// answer may come at once (200) or later: 202 names an operation, polled at <c>GET {base}/dsr/operations/{id}</c> until it
/// succeeds or fails. The base URL and the secret are configuration settings the map names; no answer, 429, 5xx, a refused
/// signature or an operation still running after <see cref="PollFor"/> make the system unavailable (retried, then staff told).
/// </summary>
public sealed class HttpConnector(IConfiguration configuration, IHttpClientFactory http, TimeProvider time) : IConnector
{
    public const string KindName = "http";
    public const string HttpClientName = "HttpConnector";
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>How long one call waits for an asynchronous answer before the activity gives up (and is retried later).</summary>
    public static readonly TimeSpan PollFor = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(500);

    public string Kind => KindName;

    public string Describe(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return $"{system.Name} (JmlDsr HTTP contract)";
    }

    public async IAsyncEnumerable<PersonRow> FindAsync(SystemDescriptor system, LookupKey key, string value, string email, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var answer = await CallAsync(system, "find", new JsonObject { ["key"] = key.Key, ["value"] = value }, ct);
        foreach (var record in (answer?["records"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var id = record["id"]?.ToString();
            if (string.IsNullOrEmpty(id))
            {
                throw new SystemUnavailableException(system.Id, $"{system.Name} answered find with a record without an id (see docs/http-connector.md).");
            }

            var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (name, v) in record["fields"] as JsonObject ?? [])
            {
                fields[name] = v switch
                {
                    null => null,
                    JsonValue s when s.GetValueKind() == JsonValueKind.String => s.GetValue<string>(),
                    _ => v.ToJsonString(),
                };
            }

            yield return new PersonRow(system.Id, id, new PersonalRecord(record["category"]?.ToString() ?? "record", fields));
        }
    }

    public Task EraseAsync(SystemDescriptor system, PersonRow row, CancellationToken ct = default) => ActAsync(system, "erase", row, null, ct);

    public Task AnonymiseAsync(SystemDescriptor system, PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default) =>
        ActAsync(system, "anonymise", row, new JsonObject { ["keep"] = new JsonArray([.. kept.Keys.Select(k => (JsonNode?)k)]) }, ct);

    public Task RetainAsync(SystemDescriptor system, PersonRow row, string rule, string retainUntil, CancellationToken ct = default) =>
        ActAsync(system, "retain", row, new JsonObject { ["rule"] = rule, ["retainUntil"] = retainUntil }, ct);

    public bool CanRectify(SystemDescriptor system, string field) => Rectifiable(system).Contains(field, StringComparer.OrdinalIgnoreCase);

    public Task RectifyAsync(SystemDescriptor system, PersonRow row, string field, string? value, CancellationToken ct = default) =>
        ActAsync(system, "rectify", row, new JsonObject { ["field"] = field, ["value"] = value }, ct);

    public Task MarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        ActAsync(system, purpose == MarkPurposes.Restriction ? "restrict" : "object", row, null, ct);

    public Task UnmarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyList<string> fields, CancellationToken ct = default) =>
        purpose == MarkPurposes.Restriction ? ActAsync(system, "unrestrict", row, null, ct) : Task.CompletedTask;

    public bool HoldsFlags(SystemDescriptor system) => false;

    public Task SetFlagAsync(SystemDescriptor system, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        throw new NotSupportedException("An http system holds no flag records: its records are marked.");

    public Task DeleteFlagAsync(SystemDescriptor system, string email, string flag, CancellationToken ct = default) => Task.CompletedTask;

    private static List<string> Rectifiable(SystemDescriptor system) =>
        system.Connector.Setting("rectify") is { } json ? JsonSerializer.Deserialize<List<string>>(json) ?? [] : [];

    private async Task ActAsync(SystemDescriptor system, string action, PersonRow row, JsonObject? more, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        var body = new JsonObject { ["recordId"] = row.RowKey };
        foreach (var (k, v) in more ?? [])
        {
            body[k] = v?.DeepClone();
        }

        await CallAsync(system, action, body, ct);
    }

    /// <summary>One signed call, and its operation polled to the end when the system answers later.</summary>
    private async Task<JsonNode?> CallAsync(SystemDescriptor system, string action, JsonObject body, CancellationToken ct)
    {
        var (baseUrl, secret) = Endpoint(system);
        var json = body.ToJsonString();
        var bytes = Encoding.UTF8.GetBytes(json);
        var idempotency = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{system.Id}|{action}|{json}")))[..32];
        var (status, answer) = await SendAsync(system, HttpMethod.Post, baseUrl, $"dsr/{action}", bytes, secret, idempotency, ct);
        if (status != HttpStatusCode.Accepted)
        {
            return answer;
        }

        var operation = answer?["operation"]?.ToString();
        if (string.IsNullOrEmpty(operation) || operation.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name} answered {action} with 202 but no operation id (see docs/http-connector.md).");
        }

        var until = time.GetUtcNow() + PollFor;
        while (true)
        {
            await Task.Delay(PollEvery, time, ct);
            var (_, state) = await SendAsync(system, HttpMethod.Get, baseUrl, $"dsr/operations/{operation}", [], secret, null, ct);
            switch (state?["status"]?.ToString())
            {
                case "succeeded":
                    return state["result"] ?? state;
                case "failed":
                    throw new SystemUnavailableException(system.Id, $"{system.Name}: the {action} operation failed ({Short(state["error"]?.ToString())}).");
                case "running":
                    if (time.GetUtcNow() > until)
                    {
                        throw new SystemUnavailableException(system.Id, $"{system.Name}: the {action} operation was still running after {PollFor.TotalMinutes:0} minutes.");
                    }

                    break;
                default:
                    throw new SystemUnavailableException(system.Id, $"{system.Name}: the operation's status is not one the contract knows.");
            }
        }
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(SystemDescriptor system, HttpMethod method, Uri baseUrl, string path, byte[] body, string secret, string? idempotency, CancellationToken ct)
    {
        var url = new Uri(baseUrl, path);
        using var request = new HttpRequestMessage(method, url);
        if (method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        var timestamp = SystemCallSignature.Timestamp(time.GetUtcNow());
        request.Headers.Add(SystemCallSignature.TimestampHeader, timestamp);
        request.Headers.Add(SystemCallSignature.SignatureHeader, SystemCallSignature.Sign(secret, timestamp, method.Method, url.AbsolutePath, body));
        if (idempotency is not null)
        {
            request.Headers.Add(IdempotencyHeader, idempotency);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name} is not answering ({e.HttpRequestError}).");
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name} did not answer in time.");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new SystemUnavailableException(system.Id, string.Create(CultureInfo.InvariantCulture, $"{system.Name} answered {method.Method} /{path.Split('/')[0]}/{path.Split('/')[1]} with HTTP {(int)response.StatusCode}."));
            }

            var text = await response.Content.ReadAsStringAsync(ct);
            try
            {
                return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text));
            }
            catch (JsonException)
            {
                throw new SystemUnavailableException(system.Id, $"{system.Name} answered with something that is not JSON.");
            }
        }
    }

    private (Uri BaseUrl, string Secret) Endpoint(SystemDescriptor system)
    {
        string Read(string name)
        {
            var setting = system.Connector.Setting(name) ?? throw new InvalidOperationException($"System '{system.Id}' has no '{name}' setting.");
            var value = configuration[setting.Replace("__", ":", StringComparison.Ordinal)];
            return string.IsNullOrWhiteSpace(value)
                ? throw new SystemUnavailableException(system.Id, $"{system.Name}: the setting {setting} is empty.")
                : value;
        }

        var url = Read("baseUrl");
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("https" or "http"))
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name}: the base URL setting is not an http(s) URL.");
        }

        return (baseUrl, Read("secret"));
    }

    private static string Short(string? text) => string.IsNullOrWhiteSpace(text) ? "no reason given" : Domain.Telemetry.TelemetryRedaction.Text(text.Length > 200 ? text[..200] : text);
}
