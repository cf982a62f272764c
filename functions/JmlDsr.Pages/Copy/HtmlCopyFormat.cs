using JmlDsr.Domain.Export;

namespace JmlDsr.Pages;

/// <summary>
/// The access copy as HTML, drawn by components (encoding by the framework) and streamed: the document, each system's
/// section and each table are rendered whole around a <see cref="Hole"/>; what comes before the hole is written when the
/// container opens and what comes after it when it closes. Rows are rendered a batch at a time, so a copy of any size
/// holds at most <see cref="Batch"/> records.
/// </summary>
public sealed class HtmlCopyFormat(PageRenderer renderer) : IHtmlCopyFormat
{
    /// <summary>Where a container's content goes. A value can never produce it: the framework encodes every "&lt;".</summary>
    public const string Hole = "<!--jmldsr:content-->";

    public const int Batch = 256;

    public async Task<IHtmlCopyWriter> BeginAsync(TextWriter output, string title, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new Writer(renderer, output);
        await writer.OpenAsync<CopyDocument>(new Dictionary<string, object?> { [nameof(CopyDocument.Title)] = title }, ct);
        return writer;
    }

    private sealed class Writer(PageRenderer renderer, TextWriter output) : IHtmlCopyWriter
    {
        private readonly Stack<string> _tails = new();
        private readonly List<ExportBlock> _pending = [];

        public async Task DrawAsync(IReadOnlyList<ExportBlock> blocks, CancellationToken ct = default)
        {
            ArgumentNullException.ThrowIfNull(blocks);
            foreach (var block in blocks)
            {
                switch (block)
                {
                    case SectionStartBlock s:
                        await OpenAsync<CopySection>(new Dictionary<string, object?> { [nameof(CopySection.Heading)] = s.Heading }, ct);
                        break;
                    case RecordsStartBlock r:
                        await OpenAsync<CopyRecords>(new Dictionary<string, object?> { [nameof(CopyRecords.Block)] = r }, ct);
                        break;
                    case SectionEndBlock or RecordsEndBlock:
                        await CloseAsync(ct);
                        break;
                    default:
                        _pending.Add(block);
                        if (_pending.Count >= Batch)
                        {
                            await FlushAsync(ct);
                        }

                        break;
                }
            }
        }

        public async Task EndAsync(CancellationToken ct = default)
        {
            while (_tails.Count > 0)
            {
                await CloseAsync(ct);
            }
        }

        public async Task OpenAsync<TFrame>(Dictionary<string, object?> parameters, CancellationToken ct)
            where TFrame : Microsoft.AspNetCore.Components.IComponent
        {
            await FlushAsync(ct);
            var html = await renderer.RenderAsync<TFrame>(parameters);
            var at = html.IndexOf(Hole, StringComparison.Ordinal);
            if (at < 0 || html.IndexOf(Hole, at + Hole.Length, StringComparison.Ordinal) >= 0)
            {
                throw new InvalidOperationException($"{typeof(TFrame).Name} must have exactly one hole.");
            }

            await output.WriteAsync(html.AsMemory(0, at), ct);
            _tails.Push(html[(at + Hole.Length)..]);
        }

        private async Task CloseAsync(CancellationToken ct)
        {
            await FlushAsync(ct);
            if (_tails.Count == 0)
            {
                throw new InvalidOperationException("An end block closes nothing that is open.");
            }

            await output.WriteAsync(_tails.Pop().AsMemory(), ct);
        }

        private async Task FlushAsync(CancellationToken ct)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            var html = await renderer.RenderAsync<CopyBlocks>(new Dictionary<string, object?> { [nameof(CopyBlocks.Blocks)] = _pending.ToArray() });
            _pending.Clear();
            await output.WriteAsync(html.AsMemory(), ct);
        }
    }
}
