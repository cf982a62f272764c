using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Http;

/// <summary>
/// Staff API for legal holds: POST /api/legal-holds {"email", "reason"} places one, GET lists them (each with its id),
/// DELETE /api/legal-holds/{id} lifts one. The address travels in the body only, never in a URL: a hold's id is a hash of
/// the address (<see cref="Id"/>). A hold keeps everything about the person through any erasure (Art 17(3)(e):
/// establishing, exercising or defending legal claims). Each change is audited under the "legal-holds" partition.
/// </summary>
public sealed class LegalHoldsHandler(DsrStorage storage, RequestRepository requests, AuditLog audit, Fulfilment.ScheduledErasures schedule, TimeProvider time)
{
    public const string AuditPartition = "legal-holds";

    private const string Partition = "hold";

    /// <summary>The id of a person's hold, and its row key: a hash of the address (never the address itself).</summary>
    public static string Id(string email) => MailGuard.AddressKey(email);

    /// <summary>The hold on a person, if any: under its id, or under the address itself (rows written before ids were hashes).</summary>
    public static async Task<TableEntity?> FindAsync(TableClient table, string email, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(email);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Id(email), cancellationToken: ct);
        if (row.HasValue)
        {
            return row.Value;
        }

        var legacy = await table.GetEntityIfExistsAsync<TableEntity>(Partition, email.Trim().ToLowerInvariant(), cancellationToken: ct);
        return legacy.HasValue ? legacy.Value : null;
    }

    public async Task<IResult> PlaceAsync(HttpRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? email;
        string? reason;
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException();
            }

            email = root.TryGetProperty("email", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()?.Trim() : null;
            reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()?.Trim() : null;
        }
        catch (JsonException)
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Bad JSON", "The body must be JSON like {\"email\": \"person@example.com\", \"reason\": \"Litigation with …\"}.", "body");
        }

        if (email is null || !RequesterExtractor.IsValidAddress(email))
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Bad address", "email must be the person's email address.", "email");
        }

        if (string.IsNullOrEmpty(reason) || reason.Length > 500)
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "A reason is needed", "reason must say why the data is held (up to 500 characters); the person may be told it.", "reason");
        }

        await MigrateLegacyAsync(ct);
        var table = storage.Table(DsrStorage.LegalHoldsTable);
        var id = Id(email);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: ct);
        var wasActive = existing.HasValue && existing.Value!.GetBoolean("Active") != false;
        var now = time.GetUtcNow();
        await table.UpsertEntityAsync(new TableEntity(Partition, id) { ["Email"] = email.ToLowerInvariant(), ["Active"] = true, ["Reason"] = reason, ["Since"] = now }, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(AuditPartition, now, "legal-hold-placed", StaffConsole.StaffIdentity.ActorOf(request.HttpContext), $"Legal hold {id} placed: {reason}", ct);
        return Results.Json(new { id, active = true, reason, since = now }, statusCode: wasActive ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }

    /// <summary>
    /// Lifts a hold: the row keeps its id, reason and dates but no longer the address; the person's erasures waiting on it
    /// get LegalHoldLifted and decide the held records again (Art 17(1)).
    /// </summary>
    public async Task<IResult> LiftAsync(HttpRequest request, string id, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var actor = StaffConsole.StaffIdentity.ActorOf(request.HttpContext);
        id = (id ?? string.Empty).ToLowerInvariant();
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            return Responses.Problem(StatusCodes.Status404NotFound, "No hold", "There is no legal hold with that id (ids are listed by GET /api/legal-holds).", "id");
        }

        await MigrateLegacyAsync(ct);
        var table = storage.Table(DsrStorage.LegalHoldsTable);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: ct);
        if (!row.HasValue || row.Value!.GetBoolean("Active") == false)
        {
            return Responses.Problem(StatusCodes.Status404NotFound, "No hold", "There is no active legal hold with that id.", "id");
        }

        var now = time.GetUtcNow();
        var lifted = new TableEntity(Partition, id) { ["Active"] = false, ["Reason"] = row.Value.GetString("Reason"), ["Since"] = row.Value.GetDateTimeOffset("Since"), ["LiftedAt"] = now, ETag = row.Value.ETag };
        await table.UpdateEntityAsync(lifted, row.Value.ETag, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(AuditPartition, now, "legal-hold-lifted", actor, $"Legal hold {id} lifted.", ct);

        // Erasures that kept data only because of the hold decide it again now (Art 17(1)).
        var resumed = new List<string>();
        await foreach (var r in requests.ListAsync(ct))
        {
            if (r.Type != RequestType.Erasure.ToWire() || string.IsNullOrEmpty(r.PersonEmail()) || Id(r.PersonEmail()) != id)
            {
                continue;
            }

            if (await schedule.HoldLiftedAsync(client, r.RowKey, actor, ct))
            {
                resumed.Add(r.RowKey);
            }
            else if (await client.GetInstanceAsync(r.RowKey, getInputsAndOutputs: false, ct) is { IsRunning: true })
            {
                // A version 1 workflow waits for the lift itself.
                await client.RaiseEventAsync(r.RowKey, Workflow.DsrEvents.LegalHoldLifted, new Workflow.LinkDecision("legal-hold", "lift", null, actor, now), ct);
                resumed.Add(r.RowKey);
            }
        }

        return Results.Json(new { id, active = false, liftedAt = now, erasuresResumed = resumed });
    }

    public async Task<IResult> ListAsync(CancellationToken ct = default)
    {
        await MigrateLegacyAsync(ct);
        var list = new List<object>();
        await foreach (var e in storage.Table(DsrStorage.LegalHoldsTable).QueryAsync<TableEntity>($"PartitionKey eq '{Partition}'", cancellationToken: ct))
        {
            list.Add(new { id = e.RowKey, email = e.GetString("Email"), active = e.GetBoolean("Active") != false, reason = e.GetString("Reason"), since = e.GetDateTimeOffset("Since"), liftedAt = e.GetDateTimeOffset("LiftedAt") });
        }

        return Results.Json(new { count = list.Count, holds = list });
    }

    /// <summary>
    /// Holds written before ids were hashes were keyed by the address itself: each moves to its id (the address kept in the
    /// row while the hold is active), so every hold can be listed and lifted by id. Until then erasure finds them by
    /// address too (<see cref="FindAsync"/>), so no hold is ever missed.
    /// </summary>
    private async Task MigrateLegacyAsync(CancellationToken ct)
    {
        var table = storage.Table(DsrStorage.LegalHoldsTable);
        await foreach (var old in table.QueryAsync<TableEntity>($"PartitionKey eq '{Partition}'", cancellationToken: ct))
        {
            if (!old.RowKey.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            var moved = new TableEntity(Partition, Id(old.RowKey));
            foreach (var (name, value) in old)
            {
                if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
                {
                    moved[name] = value;
                }
            }

            if (old.GetBoolean("Active") != false)
            {
                moved["Email"] = old.RowKey;
            }

            try
            {
                await table.AddEntityAsync(moved, ct);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // A hold under the id already (placed again since): it is the newer one.
            }

            await table.DeleteEntityAsync(old, ETag.All, ct);
        }
    }
}
