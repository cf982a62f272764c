using System.Text.Json;
using Azure.Data.Tables;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Functions.Http;

/// <summary>
/// Staff API for legal holds: PUT /api/legal-holds/{email} {"reason"} places one, DELETE lifts it, GET lists them. A
/// hold keeps everything about the person through any erasure (Art 17(3)(e): establishing, exercising or defending
/// legal claims). Each change is audited under the "legal-holds" partition.
/// </summary>
public sealed class LegalHoldsHandler(DsrStorage storage, RequestRepository requests, AuditLog audit, TimeProvider time)
{
    public const string AuditPartition = "legal-holds";

    public async Task<IResult> PutAsync(HttpRequest request, string email, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RequesterExtractor.IsValidAddress(email))
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Bad address", "The path must end in the person's email address.", "email");
        }

        string? reason;
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            reason = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()?.Trim() : null;
        }
        catch (JsonException)
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "Bad JSON", "The body must be JSON like {\"reason\": \"Litigation with …\"}.", "body");
        }

        if (string.IsNullOrEmpty(reason) || reason.Length > 500)
        {
            return Responses.Problem(StatusCodes.Status400BadRequest, "A reason is needed", "reason must say why the data is held (up to 500 characters); the person may be told it.", "reason");
        }

        var now = time.GetUtcNow();
        await storage.Table(DsrStorage.LegalHoldsTable).UpsertEntityAsync(new TableEntity("hold", SystemWriter.Key(email)) { ["Active"] = true, ["Reason"] = reason, ["Since"] = now }, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(AuditPartition, now, "legal-hold-placed", "privacy team (API)", $"Legal hold placed: {reason}", ct);
        return Results.Json(new { email = SystemWriter.Key(email), active = true, reason, since = now });
    }

    public async Task<IResult> DeleteAsync(string email, DurableTaskClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var table = storage.Table(DsrStorage.LegalHoldsTable);
        var row = await table.GetEntityIfExistsAsync<TableEntity>("hold", SystemWriter.Key(email), cancellationToken: ct);
        if (!row.HasValue || row.Value!.GetBoolean("Active") != true)
        {
            return Responses.Problem(StatusCodes.Status404NotFound, "No hold", "There is no active legal hold on that address.", "email");
        }

        var now = time.GetUtcNow();
        row.Value["Active"] = false;
        row.Value["LiftedAt"] = now;
        await table.UpdateEntityAsync(row.Value, row.Value.ETag, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(AuditPartition, now, "legal-hold-lifted", "privacy team (API)", "Legal hold lifted.", ct);

        // Erasures that kept data only because of the hold decide it again now (Art 17(1)).
        var resumed = new List<string>();
        await foreach (var r in requests.ListAsync(ct))
        {
            if (r.Type == RequestType.Erasure.ToWire() && string.Equals(r.RequesterEmail, email, StringComparison.OrdinalIgnoreCase)
                && await client.GetInstanceAsync(r.RowKey, getInputsAndOutputs: false, ct) is { IsRunning: true })
            {
                await client.RaiseEventAsync(r.RowKey, Workflow.DsrEvents.LegalHoldLifted, new Workflow.LinkDecision("legal-hold", "lift", null, "privacy team (API)", now), ct);
                resumed.Add(r.RowKey);
            }
        }

        return Results.Json(new { email = SystemWriter.Key(email), active = false, liftedAt = now, erasuresResumed = resumed });
    }

    public async Task<IResult> ListAsync(CancellationToken ct = default)
    {
        var list = new List<object>();
        await foreach (var e in storage.Table(DsrStorage.LegalHoldsTable).QueryAsync<TableEntity>("PartitionKey eq 'hold'", cancellationToken: ct))
        {
            list.Add(new { email = e.RowKey, active = e.GetBoolean("Active") == true, reason = e.GetString("Reason"), since = e.GetDateTimeOffset("Since"), liftedAt = e.GetDateTimeOffset("LiftedAt") });
        }

        return Results.Json(new { count = list.Count, holds = list });
    }
}
