using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using JmlDsr.Domain.Intake;
using JmlDsr.Domain.Links;
using JmlDsr.Functions.Storage;
using JmlDsr.Pages;
using Microsoft.AspNetCore.Http;

namespace JmlDsr.Functions.Verification;

/// <summary>What a requester gave to confirm identity: another address or a number, or (an agent) the person's details and the authority.</summary>
public sealed record IdentityAnswer(string? OtherEmail, string? Number, string? SubjectName, string? SubjectEmail, string? AuthorityBlob)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool IsEmpty => string.IsNullOrEmpty(OtherEmail) && string.IsNullOrEmpty(Number) && string.IsNullOrEmpty(SubjectEmail);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The answer kept under the step in the Decisions table (an empty one when nothing was kept).</summary>
    public static IdentityAnswer From(DecisionDetails? details)
    {
        if (details?.Answer is { Length: > 0 } text && text.TrimStart().StartsWith('{'))
        {
            try
            {
                return JsonSerializer.Deserialize<IdentityAnswer>(text, Json) ?? Empty;
            }
            catch (JsonException)
            {
                return Empty;
            }
        }

        return Empty;
    }

    public static IdentityAnswer Empty { get; } = new(null, null, null, null, null);
}

/// <summary>
/// The requester's pages for identity: another address or number (Art 12(6)), or an agent's upload of the person's details and
/// their signed authority. The upload is kept in the case file's evidence (it ends with the case file) and checked by staff.
/// </summary>
public sealed class IdentityForms(DsrStorage storage)
{
    /// <summary>The largest authority document accepted (a scanned letter or a PDF).</summary>
    public const int MaxAuthorityBytes = 10 * 1024 * 1024;

    public static bool IsMultipart(string action) => action == LinkActions.GiveAuthority;

    public static bool IsIdentityAction(string action) => action is LinkActions.ConfirmIdentity or LinkActions.GiveIdentifiers or LinkActions.GiveAuthority;

    public async Task<(DecisionDetails Details, string? Error)> ParseAsync(string reference, string action, IFormCollection form, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        switch (action)
        {
            case LinkActions.GiveIdentifiers:
            {
                var other = form["otherEmail"].ToString().Trim();
                if (other.Length > 0 && !RequesterExtractor.IsValidAddress(other))
                {
                    return (DecisionDetails.None, "The other email address is not a valid address.");
                }

                var number = form["number"].ToString().Trim();
                var answer = new IdentityAnswer(other.Length == 0 ? null : RequesterExtractor.Normalise(other), number.Length == 0 ? null : number[..Math.Min(number.Length, 100)], null, null, null);
                return (new DecisionDetails([], [], answer.ToJson()), null);
            }

            case LinkActions.GiveAuthority:
            {
                var name = form["subjectName"].ToString().Trim();
                var email = form["subjectEmail"].ToString().Trim();
                if (name.Length == 0 || !RequesterExtractor.IsValidAddress(email))
                {
                    return (DecisionDetails.None, "Give the name of the person you act for and the email address they use with us.");
                }

                string? blob = null;
                if (form.Files.GetFile("authority") is { Length: > 0 } file)
                {
                    if (file.Length > MaxAuthorityBytes)
                    {
                        return (DecisionDetails.None, "The document is larger than 10 MB: reply to our email with it attached instead.");
                    }

                    var (stored, error) = await KeepAuthorityAsync(reference, file, ct);
                    if (error is not null)
                    {
                        return (DecisionDetails.None, error);
                    }

                    blob = stored;
                }

                var answer = new IdentityAnswer(null, null, name[..Math.Min(name.Length, 200)], RequesterExtractor.Normalise(email), blob);
                return (new DecisionDetails([], [], answer.ToJson()), null);
            }

            default:
                return (DecisionDetails.None, null);
        }
    }

    /// <summary>Keeps the document as evidence/{ref}/authority-{hash}.{ext}: the same bytes land on the same name (a press repeated).</summary>
    private async Task<(string? Blob, string? Error)> KeepAuthorityAsync(string reference, IFormFile file, CancellationToken ct)
    {
        await using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        var (ext, type) = Sniff(bytes);
        if (ext is null)
        {
            return (null, "The document must be a PDF, JPEG or PNG file.");
        }

        var name = $"{reference}/authority-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}.{ext}";
        buffer.Position = 0;
        await storage.Container(DsrStorage.EvidenceContainer).GetBlobClient(name)
            .UploadAsync(buffer, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = type } }, ct);
        return (name, null);
    }

    /// <summary>The file's kind from its first bytes, not from the name or the type the browser claims.</summary>
    private static (string? Ext, string? Type) Sniff(byte[] b) =>
        b.Length >= 4 && b[0] == '%' && b[1] == 'P' && b[2] == 'D' && b[3] == 'F' ? ("pdf", "application/pdf")
        : b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF ? ("jpg", "image/jpeg")
        : b.Length >= 8 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' ? ("png", "image/png")
        : (null, null);

    /// <summary>
    /// On the approval page of an agent's request: who acts for whom, the authority they gave, and the box staff tick to record
    /// that they checked it (the response goes to the agent only then).
    /// </summary>
    public static AgentAuthority? Authority(RequestRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.AgentKind is null)
        {
            return null;
        }

        var doc = r.AuthorityBlob is null
            ? "No document was uploaded: check the authority that arrived by email or post before approving."
            : $"Uploaded on {r.AuthorityReceivedAt:d MMMM yyyy}: open it from the evidence pack (GET /api/requests/{r.RowKey}/evidence?document=authority).";
        return new AgentAuthority(r.AgentKind, r.RequesterName, r.RequesterEmail, r.SubjectName, r.SubjectEmail, doc);
    }

    /// <summary>Approving an agent's request needs the authority checked; the error says so.</summary>
    public static string? AuthorityProblem(RequestRecord r, IFormCollection form) =>
        r?.AgentKind is not null && r.AuthorityAcceptedBy is null && form?["authorityChecked"].ToString() != "yes"
            ? "This request was made on someone else's behalf: tick the box to record that you checked the agent's authority before approving. The response goes to the agent only then."
            : null;
}
