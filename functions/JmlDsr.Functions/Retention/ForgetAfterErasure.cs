using JmlDsr.Domain.Requests;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Retention;

/// <summary>
/// Art 17 applied to JML's own records: once an erasure is done, the person's values leave this product's stores too.
/// For the erasure and every closed request by the same person (their earlier access copies included) it deletes the
/// working copies, reduces the raw emails to receipts, and keeps decisions, link answers and rectification evidence as
/// counts and hashes only; set-aside mail from the address goes. Requests still open are left to close first (their own
/// copies go then). The Durable history of each of those workflows is purged by <see cref="Housekeeping"/> once it has
/// ended. Idempotent: a second run finds nothing left to remove.
/// </summary>
public sealed class ForgetAfterErasure(RequestRepository requests, CaseFiles caseFiles, AuditLog audit) : IDsrActivity<ForgetInput, CaseFileReport>
{
    [Function(nameof(ForgetAfterErasure))]
    public Task<CaseFileReport> Run([ActivityTrigger] ForgetInput input) => RunAsync(input);

    public async Task<CaseFileReport> RunAsync(ForgetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var erasure = await requests.GetRequiredAsync(input.Reference);
        var report = CaseFileReport.None;
        var forgotten = new List<string>();
        var open = new List<string>();
        foreach (var r in (await caseFiles.OfPersonAsync(erasure.PersonEmail())).OrderBy(r => r.RowKey, StringComparer.Ordinal))
        {
            if (r.RowKey == input.Reference || (r.ClosedAt is not null && RequestStatus.IsClosed(r.Status)))
            {
                report = report.Add(await caseFiles.ForgetAsync(r.RowKey, input.At));
                forgotten.Add(r.RowKey);
            }
            else
            {
                open.Add(r.RowKey);
            }
        }

        report = report.Add(await caseFiles.ForgetAddressAsync(erasure.PersonEmail(), [.. forgotten, .. open]));
        await audit.AppendAsync(input.Reference, input.At, "own-records-erased", "system",
            $"The person's data was removed from JML's own records of {string.Join(", ", forgotten)}: copies gathered and sent deleted, raw emails reduced to receipts (SHA-256, size, date), decisions and answers kept as counts and hashes; {report.BlobsDeleted} blob(s) deleted, {report.RowsReduced + report.RowsDeleted} row(s) reduced or deleted. The case file keeps the reference, the address answered, the dates and what was done; workflow histories are purged once they end."
            + (open.Count > 0 ? $" Still open, so left until they close: {string.Join(", ", open)}." : string.Empty));
        return report;
    }
}
