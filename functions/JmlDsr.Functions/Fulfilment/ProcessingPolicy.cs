using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Domain.Retention;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Storage;

namespace JmlDsr.Functions.Fulfilment;

/// <summary>Why a use of someone's data is not allowed now; null when it is.</summary>
public sealed record ProcessingRefusal(string Rule, string Detail);

/// <summary>
/// What JML's other processing asks before it uses a person's data for marketing or product notices: a
/// restriction (Art 18(2): only storage, legal claims, consent, protecting others), an objection to direct marketing
/// (Art 21(3): the suppression list) or an erasure that left a suppression entry (so we never mail them again) stops it.
/// </summary>
public sealed class ProcessingPolicy(SystemWriter writer)
{
    public async Task<ProcessingRefusal?> CheckMarketingAsync(string email, CancellationToken ct = default)
    {
        if (await writer.IsRestrictedAsync(email, ct))
        {
            return new ProcessingRefusal("restriction", "Processing of this person's data is restricted (UK GDPR Art 18): no marketing or product notices until the restriction is lifted.");
        }

        if (await writer.IsSuppressedAsync(email, ct))
        {
            return new ProcessingRefusal("objection", "The person objected to direct marketing (UK GDPR Art 21(2)-(3)): their address is on the suppression list, so we never send them marketing or product notices again.");
        }

        if (await writer.HasErasureSuppressionAsync(email, ct))
        {
            return new ProcessingRefusal("suppression", "The person asked for erasure; their address is on the suppression list, so we never mail them again.");
        }

        return null;
    }
}
