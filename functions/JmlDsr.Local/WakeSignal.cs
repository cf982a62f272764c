using System.Threading.Channels;

namespace JmlDsr.Local;

/// <summary>
/// Wakes a background loop before its next poll: signals given while it is busy collapse into one wake-up, and a wait
/// ends at a signal or when its timeout passes.
/// </summary>
internal sealed class WakeSignal
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Signal() => _wake.Writer.TryWrite(true);

    /// <summary>True when woken by a signal, false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        linked.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
