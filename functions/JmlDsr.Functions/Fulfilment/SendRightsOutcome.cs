using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>The customer's answer for rectification, restriction (and its lifting), erasure (and scheduled erasure) and objection.</summary>
public sealed class SendRightsOutcome(RequestRepository requests, RightsEvidence evidence, Mailer mailer, AuditLog audit, DataMap map) : IDsrActivity<OutcomeInput, bool>
{
    public const string Rectification = "outcome-rectification";
    public const string Restriction = "outcome-restriction";
    public const string RestrictionLiftNotice = "restriction-lift-notice";
    public const string RestrictionLifted = "restriction-lifted";
    public const string Erasure = "outcome-erasure";
    public const string ErasureScheduled = "erasure-scheduled";
    public const string ObjectionMarketing = "outcome-objection-marketing";
    public const string ObjectionStopped = "outcome-objection-stopped";
    public const string ObjectionGrounds = "outcome-objection-grounds";

    [Function(nameof(SendRightsOutcome))]
    public Task<bool> Run([ActivityTrigger] OutcomeInput input) => RunAsync(input);

    public async Task<bool> RunAsync(OutcomeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var (to, name, reference) = (r.RequesterEmail, r.RequesterName, r.RowKey);
        EmailMessage mail;
        if (input.Kind == Rectification)
        {
            var plan = await evidence.ReadAsync<RectificationRecord>(reference, ApplyRectification.Evidence) ?? new RectificationRecord([], []);
            mail = EmailComposer.RectificationDone(to, name, reference, plan.Applied, plan.Refused, input.Partners);
        }
        else if (input.Kind == Restriction)
        {
            var record = await evidence.ReadAsync<RestrictionRecord>(reference, ApplyRestriction.Evidence);
            mail = EmailComposer.RestrictionApplied(to, name, reference, (record?.Systems ?? []).Select(map.NameOf).ToList(), input.Partners);
        }
        else if (input.Kind == RestrictionLiftNotice)
        {
            mail = EmailComposer.RestrictionLiftNotice(to, name, reference, input.Reason ?? "No reason was recorded.", input.Date ?? throw new ArgumentException("A lift notice needs the date."));
        }
        else if (input.Kind == RestrictionLifted)
        {
            mail = EmailComposer.RestrictionLifted(to, name, reference);
        }
        else if (input.Kind == Erasure)
        {
            mail = EmailComposer.ErasureDone(to, name, reference, Lines(input.Erasure), input.Partners);
        }
        else if (input.Kind.StartsWith(ErasureScheduled, StringComparison.Ordinal))
        {
            mail = EmailComposer.ErasureScheduledDone(to, name, reference, Lines(input.Erasure));
        }
        else if (input.Kind == ObjectionMarketing)
        {
            var record = await evidence.ReadAsync<ObjectionRecord>(reference, ApplyObjection.Evidence);
            var elsewhere = (record?.Systems ?? []).Select(map.Find).OfType<SystemDescriptor>()
                .Where(s => s.SuppressionKeeps is not null).Select(s => $"{s.Name}: {s.SuppressionKeeps}").ToList();
            mail = EmailComposer.ObjectionMarketingDone(to, name, reference, input.Partners, elsewhere);
        }
        else if (input.Kind is ObjectionStopped or ObjectionGrounds)
        {
            var record = await evidence.ReadAsync<ObjectionRecord>(reference, ApplyObjection.Evidence);
            mail = input.Kind == ObjectionStopped
                ? EmailComposer.ObjectionProcessingStopped(to, name, reference, (record?.Systems ?? []).Select(map.NameOf).ToList())
                : EmailComposer.ObjectionGroundsShown(to, name, reference, record?.Grounds ?? "No grounds were recorded.");
        }
        else
        {
            throw new ArgumentException($"Unknown outcome '{input.Kind}'.");
        }

        await mailer.SendOnceAsync(input.Reference, input.Kind, mail);
        await audit.AppendAsync(input.Reference, input.At, input.Kind + "-sent", "system", $"Requester sent: {mail.Subject}.");
        return true;
    }

    private List<ErasureLine> Lines(IEnumerable<ErasureLineResult> lines) =>
        lines.Select(l => new ErasureLine(map.NameOf(l.SystemId), l.Category, l.Count, l.Outcome, l.Reason, l.RetainUntil)).ToList();
}
