using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>
/// Art 19: tells each recipient the person's data was disclosed to — the partners who receive the systems that
/// changed, and every partner named in the person's partner-sharing records (read from what was gathered, so
/// erasure cannot hide them) — what was done. A partner the directory has no address for is put to staff.
/// Returns the names of the partners told (the customer is told who, Art 19).
/// </summary>
public sealed class NotifyPartners(RequestRepository requests, DsrStorage storage, RightsEvidence evidence, Mailer mailer, AuditLog audit)
    : IDsrActivity<PartnerNoticeInput, IReadOnlyList<string>>
{
    [Function(nameof(NotifyPartners))]
    public Task<IReadOnlyList<string>> Run([ActivityTrigger] PartnerNoticeInput input) => RunAsync(input);

    public async Task<IReadOnlyList<string>> RunAsync(PartnerNoticeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var partners = input.Systems.SelectMany(PartnerDirectory.ForSystem).ToList();
        var unknown = new List<string>();
        foreach (var name in await SharedWithAsync(input.Reference))
        {
            if (PartnerDirectory.Find(name) is { } p)
            {
                partners.Add(p);
            }
            else
            {
                unknown.Add(name);
            }
        }

        partners = partners.DistinctBy(p => p.Name).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var details = await DetailsAsync(input, r.RequesterEmail);
        foreach (var partner in partners)
        {
            var mail = EmailComposer.PartnerNotice(partner.Email, partner.Name, input.Reference, input.Action, details);
            await mailer.SendOnceAsync(input.Reference, $"partner-{input.Action}-{Slug(partner.Name)}", mail);
        }

        await audit.AppendAsync(input.Reference, input.At, $"partners-notified-{input.Action}", "system",
            $"Art 19 notice ({input.Action}) sent to {partners.Count} recipient(s): {string.Join(", ", partners.Select(p => p.Name).DefaultIfEmpty("none"))}."
            + (unknown.Count > 0 ? $" No address on file for {string.Join(", ", unknown)}: the privacy team must tell them." : string.Empty));
        return partners.Select(p => p.Name).ToList();
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
            case PartnerActions.Erasure:
                lines.Add("Erase the personal data of this person that we shared with you, unless you must keep it by law, and confirm to us when done (UK GDPR Art 17).");
                break;
        }

        return lines;
    }

    private async Task<IReadOnlyList<string>> SharedWithAsync(string reference)
    {
        var names = new List<string>();
        await foreach (var record in GatheredBlob.RecordsOfAsync(storage.Container(DsrStorage.GatheredContainer), reference, SystemCatalog.PartnerShares))
        {
            if (record.Fields.TryGetValue("Partner", out var partner) && !string.IsNullOrWhiteSpace(partner))
            {
                names.Add(partner.Trim());
            }
        }

        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static string Slug(string name) => string.Concat(name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit));
}
