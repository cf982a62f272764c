namespace JmlDsr.Domain.Export;

/// <summary>
/// How the HTML copy is drawn: by components (JmlDsr.Pages.HtmlCopyFormat), so every value is encoded by the framework.
/// The copy is written forward-only, block by block, as the records are read.
/// </summary>
public interface IHtmlCopyFormat
{
    /// <summary>Starts the document titled <paramref name="title"/> on <paramref name="output"/>.</summary>
    Task<IHtmlCopyWriter> BeginAsync(TextWriter output, string title, CancellationToken ct = default);
}

/// <summary>One HTML copy being written. A section or table opened by a start block is closed by its end block.</summary>
public interface IHtmlCopyWriter
{
    Task DrawAsync(IReadOnlyList<ExportBlock> blocks, CancellationToken ct = default);

    /// <summary>Closes what is still open and the document.</summary>
    Task EndAsync(CancellationToken ct = default);
}
