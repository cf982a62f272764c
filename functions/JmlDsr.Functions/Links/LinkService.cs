using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Storage;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Links;

public enum SpendOutcome
{
    /// <summary>First use: the caller acts.</summary>
    Spent,

    /// <summary>Used before, but the action it triggered never got through (a crash): the caller completes it.</summary>
    SpentButNotDelivered,

    /// <summary>Used before and delivered: refuse.</summary>
    AlreadyUsed,
}

/// <summary>Builds signed links and spends them once (an optimistic insert in the Tokens table).</summary>
public sealed class LinkService(IOptions<DsrOptions> options, IOptions<SecretOptions> secrets, DsrStorage storage, TimeProvider time)
{
    public const string LinksRoute = "links";
    public const string ExportsRoute = "exports";

    private readonly LinkTokenSigner _signer = new(secrets.Value.LinkSigningKey, secrets.Value.LinkSigningKeyPrevious);

    public string Sign(string reference, string step, IReadOnlyList<string> actions, DateTimeOffset expires, string? by = null) =>
        _signer.Sign(new LinkClaims(reference, step, actions, expires.ToUnixTimeSeconds(), Convert.ToHexString(RandomNumberGenerator.GetBytes(12)), by));

    /// <summary>A link to the page that offers <paramref name="actions"/> for one step.</summary>
    public string ActionUrl(string reference, string step, IReadOnlyList<string> actions, DateTimeOffset expires) =>
        $"{Base}/api/{LinksRoute}?token={Sign(reference, step, actions, expires)}";

    public string DownloadUrl(string reference, DateTimeOffset expires) =>
        $"{Base}/api/{ExportsRoute}?token={Sign(reference, "export", [LinkActions.Download], expires)}";

    public TokenCheck Verify(string? token) => _signer.Verify(token, time.GetUtcNow());

    public async Task<SpendOutcome> SpendAsync(LinkClaims claims, string action, string payload, CancellationToken ct = default)
    {
        var tokens = storage.Table(DsrStorage.TokensTable);
        var row = new TableEntity(claims.Reference, claims.Step)
        {
            ["Action"] = action,
            ["Nonce"] = claims.Nonce,
            ["UsedAt"] = time.GetUtcNow(),
            ["Delivered"] = false,
            ["Payload"] = payload,
        };
        try
        {
            await tokens.AddEntityAsync(row, ct);
            return SpendOutcome.Spent;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await tokens.GetEntityAsync<TableEntity>(claims.Reference, claims.Step, cancellationToken: ct);
            var sameLink = existing.Value.GetString("Nonce") == claims.Nonce && existing.Value.GetString("Action") == action;
            return sameLink && existing.Value.GetBoolean("Delivered") != true ? SpendOutcome.SpentButNotDelivered : SpendOutcome.AlreadyUsed;
        }
    }

    public async Task MarkDeliveredAsync(LinkClaims claims, CancellationToken ct = default)
    {
        var tokens = storage.Table(DsrStorage.TokensTable);
        await tokens.UpdateEntityAsync(new TableEntity(claims.Reference, claims.Step) { ["Delivered"] = true }, ETag.All, TableUpdateMode.Merge, ct);
    }

    private string Base => options.Value.PublicBaseUrl.TrimEnd('/');
}
