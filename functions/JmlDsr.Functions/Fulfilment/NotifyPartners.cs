using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Art 19: tells each recipient the person's data was disclosed to — the partners who receive the systems that
/// changed, and every partner named in the person's partner-sharing records — what was done. The sharing records
/// come from the recipients evidence written at gathering (evidence/{ref}/recipients.json), which outlives the
/// gathered copy and the erasure of the sharing records, together with a live read of the partner-sharing system
/// (a share made since); a request gathered before that evidence existed falls back on the gathered copy. A
/// recipient that cannot be told by email (no address in the directory, or a share that cannot be traced) is put to
/// the privacy team by email, once. Returns the names of the partners told (the customer is told who, Art 19).
/// </summary>
public sealed class NotifyPartners(RequestRepository requests, DsrStorage storage, SystemWriter writer, RightsEvidence evidence, Mailer mailer, AuditLog audit, IOptions<DsrOptions> options)
    : IDsrActivity<PartnerNoticeInput, IReadOnlyList<string>>
{
    /// <summary>The step of the privacy team's alert about recipients that could not be told.</summary>
    public static string NoAddressStep(string action) => $"partner-no-address-{action}";

    [Function(nameof(NotifyPartners))]
    public Task<IReadOnlyList<string>> Run([ActivityTrigger] PartnerNoticeInput input) => RunAsync(input);

    public async Task<IReadOnlyList<string>> RunAsync(PartnerNoticeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var shared = await SharedWithAsync(input, r.PersonEmail());
        var plan = Recipients.Plan(writer.Map, input.Systems, shared.Shares, shared.Untraced);
        if (input.Action == PartnerActions.ObjectionMarketing)
        {
            // Art 21(3): of the recipients, those that market to the person are told to stop; the others do not market.
            plan = plan with { ToTell = [.. plan.ToTell.Where(p => p.Markets)] };
        }

        var details = await DetailsAsync(input, r.PersonEmail());
        foreach (var partner in plan.ToTell)
        {
            var mail = EmailComposer.PartnerNotice(partner, input.Reference, input.Action, details);
            await mailer.SendOnceAsync(input.Reference, $"partner-{input.Action}-{Slug(partner.Name)}", mail);
        }

        if (plan.NeedsStaff)
        {
            var fields = input.Action == PartnerActions.Rectification
                ? (await evidence.ReadAsync<RectificationRecord>(input.Reference, ApplyRectification.Evidence))?.Applied.Select(c => c.Field).Distinct(StringComparer.OrdinalIgnoreCase).ToList()
                : null;
            await mailer.SendOnceAsync(input.Reference, NoAddressStep(input.Action),
                EmailComposer.StaffPartnersNotTold(options.Value.PrivacyTeamAddress, input.Reference, input.Action, plan.NoAddress, plan.UntracedShares, fields));
        }

        var unknown = plan.NoAddress.Select(u => u.Partner).ToList();
        await audit.AppendAsync(input.Reference, input.At, $"partners-notified-{input.Action}", "system",
            $"Art 19 notice ({input.Action}) sent to {plan.ToTell.Count} recipient(s): {string.Join(", ", plan.ToTell.Select(p => p.Name).DefaultIfEmpty("none"))}. Sharing records read from {shared.From}."
            + (unknown.Count > 0 ? $" No address on file for {string.Join(", ", unknown)}: the privacy team must tell them (alerted by email)." : string.Empty)
            + (plan.UntracedShares > 0 ? $" {plan.UntracedShares} sharing record(s) could not be traced to a partner: the privacy team must find out who received the data (alerted by email)." : string.Empty));
        return plan.ToTell.Select(p => p.Name).ToList();
    }

    /// <summary>What the partner needs to act: who (the address they know the person by) and what changed, no more.</summary>
    private async Task<IReadOnlyList<string>> DetailsAsync(PartnerNoticeInput input, string email)
    {
        var lines = new List<string> { $"The person: the data subject known to you by the email address {email}." };
        switch (input.Action)
        {
            case PartnerActions.Rectification:
                var plan = await evidence.ReadAsync<RectificationRecord>(input.Reference, ApplyRectification.Evidence);
                lines.AddRange((plan?.Applied ?? []).Select(c => c.Field).Distinct(StringComparer.OrdinalIgnoreCase)
                    .Select(f => $"Correct \"{f}\" to: {plan!.Applied.First(c => string.Equals(c.Field, f, StringComparison.OrdinalIgnoreCase)).NewValue}"));
                break;
            case PartnerActions.Restriction:
                lines.Add("Restrict processing: store the data but do not otherwise use it until we tell you the restriction is lifted (UK GDPR Art 18).");
                break;
            case PartnerActions.RestrictionLifted:
                lines.Add("The restriction of processing we told you about has been lifted.");
                break;
            case PartnerActions.ObjectionMarketing:
                lines.Add("Objection to direct marketing (UK GDPR Art 21(2)-(3)): stop using this person's data for marketing of any kind, including profiling for marketing, for good.");
                break;
            case PartnerActions.Erasure:
                lines.Add("Erase the personal data of this person that we shared with you, unless you must keep it by law, and confirm to us when done (UK GDPR Art 17).");
                break;
        }

        return lines;
    }

    /// <summary>
    /// The disclosures the person's partner-sharing records state, from every source still there: the recipients
    /// evidence, the system as it is now and, for a request gathered before that evidence was kept, the gathered copy.
    /// When none of these can name the partners of sharing records an erasure removed, they count as untraced, so
    /// that staff are told rather than no one.
    /// </summary>
    private async Task<(IReadOnlyList<RecipientShare> Shares, int Untraced, string From)> SharedWithAsync(PartnerNoticeInput input, string email)
    {
        var shares = new List<RecipientShare>();
        var from = new List<string>();
        var untraced = 0;
        var recorded = await evidence.ReadAsync<RecipientsRecord>(input.Reference, GatherFromSystem.RecipientsEvidence);
        if (recorded is not null)
        {
            shares.AddRange(recorded.Recipients);
            untraced += recorded.UnnamedShares;
            from.Add($"the recipients evidence ({recorded.Recipients.Count} share(s))");
        }

        // Every system of disclosures the data map names (the partner-sharing records).
        foreach (var system in writer.Map.WithRole(SystemRoles.Disclosures))
        {
            var live = 0;
            foreach (var row in (await writer.RowsAsync(system.Id, email)).Where(x => x.RowKey != SystemWriter.RestrictionRow && Recipients.IsShare(x.Record)))
            {
                live++;
                if (Recipients.FromRecord(writer.Map, row.Record, input.At, system.Id) is { } share)
                {
                    shares.Add(share);
                }
                else if (recorded is null)
                {
                    untraced++;
                }
            }

            from.Add($"{system.Name} now ({live} record(s))");
            if (recorded is not null)
            {
                continue;
            }

            var gathered = storage.Container(DsrStorage.GatheredContainer);
            if (await gathered.GetBlobClient(GatheredBlob.Name(input.Reference, system.Id)).ExistsAsync())
            {
                var copied = 0;
                await foreach (var record in GatheredBlob.RecordsOfAsync(gathered, input.Reference, system.Id).Where(Recipients.IsShare))
                {
                    copied++;
                    if (Recipients.FromRecord(writer.Map, record, input.At, system.Id) is { } share)
                    {
                        shares.Add(share);
                    }
                }

                from.Add($"the gathered copy ({copied} record(s))");
            }
            else
            {
                from.Add("no gathered copy (gone)");
                if (input.Action == PartnerActions.Erasure
                    && await evidence.ReadAsync<ErasureProof>(input.Reference, EraseFromSystem.EvidenceName(0, system.Id)) is { } proof)
                {
                    // Gathered before recipients were recorded, the copy gone, and the erasure removed sharing records: their partners are unknown here.
                    untraced += proof.Records.Count(p => p.Outcome != ErasureOutcomes.Retained);
                }
            }
        }

        return (shares, untraced, string.Join(", ", from));
    }

    private static string Slug(string name) => string.Concat(name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit));
}
