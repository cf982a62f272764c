using JmlDsr.Domain.Emails;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Sends the requester the links to their data (the PDF first; they expire), with what we searched.</summary>
public sealed class SendAccessFulfilment(RequestRepository requests, LinkService links, Mailer mailer, AuditLog audit, Domain.Gathering.DataMap map) : IDsrActivity<FulfilmentEmailInput, bool>
{
    [Function(nameof(SendAccessFulfilment))]
    public Task<bool> Run([ActivityTrigger] FulfilmentEmailInput input) => RunAsync(input);

    public async Task<bool> RunAsync(FulfilmentEmailInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var r = await requests.GetRequiredAsync(input.Reference);
        var url = links.DownloadUrl(input.Reference, input.LinkExpires);
        // The PDF first, as the privacy policy offers it; the same token opens the page with the HTML and JSON copies.
        var mail = EmailComposer.AccessFulfilled(r.RequesterEmail, r.RequesterName, r.RowKey,
            new EmailLink("Your personal data as a PDF document", url + "&format=pdf"), new EmailLink("Open your personal data in a web browser (also JSON)", url),
            input.LinkExpires, Summaries.ToEmail(map, input.Systems));
        await mailer.SendOnceAsync(input.Reference, "fulfilment", mail);
        await audit.AppendAsync(input.Reference, input.At, "fulfilment-sent", "system", $"Response emailed to the requester with a download link valid until {input.LinkExpires:u}.");
        return true;
    }
}
