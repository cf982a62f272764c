using JmlDsr.Domain.Links;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Storage;
using Microsoft.AspNetCore.Http;
using static JmlDsr.Functions.Http.Responses;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// GET /api/exports?token=…[&amp;format=pdf|html|json]: the requester's copy, while the link lasts. Reading only. The emailed
/// token is swapped for a cookie and a redirect to <c>/api/exports?link=…[&amp;format=…]</c> (<see cref="LinkCookies"/>);
/// the page's own links name that cookie, never the token.
/// </summary>
public sealed class ExportsHandler(LinkService links, LinkCookies cookies, DsrStorage storage, AuditLog audit, RequestRepository requests, TimeProvider time, Microsoft.Extensions.Logging.ILogger<ExportsHandler> logger)
{
    /// <summary>The export pages' path, and the cookies that hold their tokens once the URL has lost them.</summary>
    public const string Path = "/" + Routes.Exports;

    public const string CookiePrefix = "jmldsr-export-";

    public async Task<IResult> GetAsync(HttpRequest request, Microsoft.DurableTask.Client.DurableTaskClient? client = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var found = LinkCookies.Read(request, CookiePrefix);
        if (found.Token is not { } token)
        {
            return Notice(StatusCodes.Status400BadRequest, "Please open the link from your email",
                "Your copy is reached through the link in our email: please open it again from there.");
        }

        var check = links.Verify(token);
        if (!check.IsValid || !check.Claims!.Allows(LinkActions.Download))
        {
            var expired = check.Verdict == TokenVerdict.Expired;
            await audit.AppendAsync(expired ? check.Claims!.Reference : AuditLog.SecurityPartition, time.GetUtcNow(), "download-refused", "unknown", $"A download link was refused: {check.Verdict}.", ct);
            return expired
                ? Notice(StatusCodes.Status410Gone, "This link has expired", "For your security, download links expire. Reply to our email and we will send a new one.")
                : Notice(StatusCodes.Status403Forbidden, "This link is not valid", "The link is not one we issued, or it was altered.");
        }

        if (found.QueryToken is not null)
        {
            return cookies.Exchange(request, Path, CookiePrefix, token, check.Claims.ExpiresAt);
        }

        var reference = check.Claims.Reference;
        var format = request.Query["format"].ToString();
        var exports = storage.Container(DsrStorage.ExportsContainer);
        if (format is not ("pdf" or "html" or "json"))
        {
            // The page's links name this link's cookie (a hash of the token), not the token: another export link opened
            // later in the same browser has a cookie of its own, so these still open this copy.
            var parts = await PdfPartsAsync(exports, reference, ct);
            return new JmlDsr.Pages.ComponentPageResult<JmlDsr.Pages.DownloadPage>(StatusCodes.Status200OK, new Dictionary<string, object?>
            {
                [nameof(JmlDsr.Pages.DownloadPage.Reference)] = reference,
                [nameof(JmlDsr.Pages.DownloadPage.LinkPath)] = $"{Path}?{LinkCookies.HandleParameter}={Uri.EscapeDataString(LinkCookies.Handle(token))}",
                [nameof(JmlDsr.Pages.DownloadPage.PdfParts)] = parts,
                [nameof(JmlDsr.Pages.DownloadPage.ExpiresOn)] = check.Claims.ExpiresAt.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB")),
            });
        }

        var part = format == "pdf" && int.TryParse(request.Query["part"].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p > 1 ? p : 1;
        var blob = exports.GetBlobClient(format == "pdf" ? BuildAccessExport.PdfBlobName(reference, part) : $"{reference}/personal-data.{format}");
        if (!await blob.ExistsAsync(ct))
        {
            return Notice(StatusCodes.Status404NotFound, "Not available", "This copy is no longer held. Please contact us for a new one.");
        }

        await audit.AppendAsync(reference, time.GetUtcNow(), $"downloaded-{format}", "requester", $"The requester opened the {format.ToUpperInvariant()} copy{(part > 1 ? $" (part {part})" : string.Empty)}.", ct);
        if (client is not null)
        {
            await WakeLinkedAsync(client, reference, ct);
        }
        var stream = await blob.OpenReadAsync(cancellationToken: ct);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        request.HttpContext.Response.Headers["Referrer-Policy"] = "no-referrer";
        return format switch
        {
            "json" => Results.Stream(stream, "application/json; charset=utf-8", $"{reference}-personal-data.json"),
            "pdf" => Results.Stream(stream, "application/pdf", $"{reference}-personal-data{(part > 1 ? $"-part-{part}" : string.Empty)}.pdf"),
            _ => Results.Stream(stream, "text/html; charset=utf-8"),
        };
    }

    /// <summary>How many parts the PDF copy has (1 nearly always; 0 for a copy written before there were PDFs).</summary>
    private static async Task<int> PdfPartsAsync(Azure.Storage.Blobs.BlobContainerClient exports, string reference, CancellationToken ct)
    {
        var parts = 0;
        await foreach (var item in exports.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = reference + "/personal-data" }, ct))
        {
            parts += item.Name.EndsWith(".pdf", StringComparison.Ordinal) ? 1 : 0;
        }

        return parts;
    }

    /// <summary>
    /// An erasure opened from the same message waits until the person has had their copy ("send me a copy, then delete it"):
    /// the download it records is the moment it looks again. Best effort — the erasure also looks by itself every six hours.
    /// </summary>
    private async Task WakeLinkedAsync(Microsoft.DurableTask.Client.DurableTaskClient client, string reference, CancellationToken ct)
    {
        try
        {
            if (await requests.GetAsync(reference, ct) is not { } r)
            {
                return;
            }

            foreach (var linked in await requests.LinkedAsync(r, ct))
            {
                if (linked.Type == Domain.Requests.RequestTypes.ToWire(Domain.Requests.RequestType.Erasure) && !Domain.Requests.RequestStatus.IsClosed(linked.Status))
                {
                    await client.RaiseEventAsync(linked.RowKey, Workflow.DsrEvents.LinkedAnswered, new Workflow.LinkDecision("linked", "copy-opened", null, "requester", time.GetUtcNow()), ct);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LinkedWakeFailed(logger, reference, e.GetType().Name);
        }
    }
}
