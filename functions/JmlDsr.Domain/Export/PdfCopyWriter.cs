using System.Globalization;
using JmlDsr.Domain.Emails;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace JmlDsr.Domain.Export;

/// <summary>
/// Where the PDF copy goes. The writer asks for part 1 when the first part is done, then part 2, and so on: a copy too
/// long for one document (<see cref="AccessExportWriter.PdfPagesPerPart"/> pages) is split into parts, so that however
/// many records a person has, only one part's pages are ever held in memory. Nearly every copy is one part.
/// </summary>
public delegate Task<Stream> PdfPartTarget(int part, CancellationToken ct);

/// <summary>
/// Draws <see cref="ExportBlock"/>s on A4 pages with PDFsharp: real text in an embedded font (searchable, extractable),
/// headings as bookmarks, "Page n of N" at the foot of every page. Each page's content is compressed as soon as the page
/// is full, and a part is saved and let go once it reaches its page limit.
/// </summary>
internal sealed class PdfCopyWriter(AccessExportHeader header, PdfPartTarget target, int pagesPerPart) : IDisposable
{
    private const double PageWidth = 595.28; // A4, points
    private const double PageHeight = 841.89;
    private const double Margin = 50;
    private const double FooterSpace = 40;
    private const double TermWidth = 140;
    private const double KindWidth = 120;
    private const double CellPadding = 4;
    private static readonly XColor Rule = XColor.FromArgb(0x0b, 0x5c, 0xad);
    private static readonly XColor Grid = XColor.FromArgb(0xb0, 0xb0, 0xb0);
    private static readonly XColor HeaderFill = XColor.FromArgb(0xee, 0xf3, 0xf9);

    private readonly XFont _text = Font(10, bold: false);
    private readonly XFont _strong = Font(10, bold: true);
    private readonly XFont _heading = Font(13.5, bold: true);
    private readonly XFont _title = Font(17, bold: true);
    private readonly XFont _footer = Font(8, bold: false);

    private PdfDocument? _doc;
    private PdfPage? _page;
    private XGraphics? _g;
    private double _y;
    private int _part;
    private string? _section;
    private bool _inRecords;

    private static double Right => PageWidth - Margin;

    private static double Bottom => PageHeight - FooterSpace - 14;

    private static double ContentWidth => PageWidth - (2 * Margin);

    /// <summary>The parts written so far (after <see cref="FinishAsync"/>, all of them).</summary>
    public int Parts => _part;

    private static XFont Font(double size, bool bold) =>
        new(ExportFonts.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));

    /// <summary>Draws the blocks of one step. A record that starts when the part is full starts the next part.</summary>
    public async Task DrawAsync(IReadOnlyList<ExportBlock> blocks, CancellationToken ct)
    {
        foreach (var block in blocks)
        {
            if (block is RecordBlock && _doc is not null && _doc.PageCount >= pagesPerPart)
            {
                await SavePartAsync(continues: true, ct);
            }

            Draw(block);
        }
    }

    /// <summary>Saves the last part.</summary>
    public Task FinishAsync(CancellationToken ct)
    {
        EnsureDocument();
        return SavePartAsync(continues: false, ct);
    }

    public void Dispose()
    {
        _g?.Dispose();
        _doc?.Dispose();
    }

    private void Draw(ExportBlock block)
    {
        EnsureDocument();
        switch (block)
        {
            case TitleBlock t:
                Bookmark(t.Text);
                Lines(t.Text, _title, Margin, ContentWidth, spaceAfter: 8);
                break;
            case HeadingBlock h:
                Heading(h.Text);
                break;
            case SectionStartBlock s:
                _section = s.Heading;
                Heading(s.Heading);
                break;
            case SectionEndBlock:
                _section = null;
                break;
            case ParagraphBlock p:
                Lines(p.Text, p.Strong ? _strong : _text, Margin, ContentWidth, spaceAfter: 6);
                break;
            case FactsBlock f:
                foreach (var fact in f.Facts)
                {
                    Fact(fact);
                }

                _y += 6;
                break;
            case RecordsStartBlock r:
                NeedSpace(LineHeight(_strong) * 4);
                Lines(r.Caption, _strong, Margin, ContentWidth, spaceAfter: 2);
                _inRecords = true;
                TableHeader(r.KindHeading, r.ContentHeading);
                break;
            case RecordBlock r:
                Record(r);
                break;
            case RecordsEndBlock:
                _inRecords = false;
                _y += 6;
                break;
            default:
                throw new NotSupportedException($"No drawing for {block.GetType().Name}.");
        }
    }

    private void EnsureDocument()
    {
        if (_doc is not null)
        {
            return;
        }

        _doc = new PdfDocument();
        _doc.Options.CompressContentStreams = true;
        _doc.Info.Title = AccessExportDocument.DocumentTitle(header) + (_part == 0 ? string.Empty : $" (part {_part + 1})");
        _doc.Info.Author = EmailComposer.Company;
        _doc.Info.Subject = "A copy of your personal data (UK GDPR Art 15)";
        _doc.Internals.Catalog.Elements.SetString("/Lang", "en-GB");
        NewPage();
        if (_part > 0)
        {
            // A part after the first says what it is and where it takes up.
            Bookmark($"Part {_part + 1}");
            Lines($"Your personal data held by {EmailComposer.Company} — part {_part + 1}", _title, Margin, ContentWidth, spaceAfter: 8);
            Lines($"Reference {header.Reference}. This part continues from part {_part}" + (_section is null ? "." : $": {_section}, continued."), _text, Margin, ContentWidth, spaceAfter: 6);
            if (_inRecords)
            {
                TableHeader("Kind of record", "What it says");
            }
        }
    }

    private void NewPage()
    {
        EndPage();
        _page = _doc!.AddPage();
        _page.Width = XUnit.FromPoint(PageWidth);
        _page.Height = XUnit.FromPoint(PageHeight);
        _g = XGraphics.FromPdfPage(_page);
        _y = Margin;
    }

    /// <summary>Closes the page's drawing and compresses its content now, so a long part holds little per page.</summary>
    private void EndPage()
    {
        if (_g is null)
        {
            return;
        }

        _g.Dispose();
        _g = null;
        var contents = _page!.Contents.Elements;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents.GetDictionary(i) is PdfContent content && content.Elements["/Filter"] is null)
            {
                content.Compressed = true;
            }
        }
    }

    private async Task SavePartAsync(bool continues, CancellationToken ct)
    {
        EndPage();
        var doc = _doc!;
        _part++;
        var total = doc.PageCount;
        for (var i = 0; i < total; i++)
        {
            using var g = XGraphics.FromPdfPage(doc.Pages[i], XGraphicsPdfPageOptions.Append);
            var part = _part > 1 || continues ? $" · part {_part}" + (continues ? $", continued in part {_part + 1}" : string.Empty) : string.Empty;
            g.DrawString($"{EmailComposer.Company} · {header.Reference}{part}", _footer, XBrushes.DimGray, new XPoint(Margin, PageHeight - FooterSpace + 14));
            var pageNo = $"Page {(i + 1).ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)}";
            g.DrawString(pageNo, _footer, XBrushes.DimGray, new XPoint(Right - g.MeasureString(pageNo, _footer).Width, PageHeight - FooterSpace + 14));
        }

        // PDFsharp writes a document whole; a part is bounded, so it is written to memory and then to its target.
        using (var buffer = new MemoryStream())
        {
            doc.Save(buffer, false);
            buffer.Position = 0;
            var stream = await target(_part, ct);
            await using (stream)
            {
                await buffer.CopyToAsync(stream, ct);
            }
        }

        doc.Dispose();
        _doc = null;
        _page = null;
    }

    private void Bookmark(string title) => _doc!.Outlines.Add(title, _page!, true);

    private void Heading(string text)
    {
        // A heading keeps at least three lines of what follows on its page.
        NeedSpace(LineHeight(_heading) + (LineHeight(_text) * 3) + 10);
        _y += 8;
        Bookmark(text);
        Lines(text, _heading, Margin, ContentWidth, spaceAfter: 2);
        _g!.DrawLine(new XPen(Rule, 1.5), Margin, _y, Right, _y);
        _y += 6;
    }

    private void Fact(ExportFact fact)
    {
        var terms = Wrap(fact.Term, _strong, TermWidth - 10);
        var values = Wrap(fact.Value, _text, ContentWidth - TermWidth);
        var h = Math.Max(LineHeight(_strong), LineHeight(_text));
        for (var i = 0; i < Math.Max(terms.Count, values.Count); i++)
        {
            NeedSpace(h);
            if (i < terms.Count)
            {
                DrawLine(terms[i], _strong, Margin);
            }

            if (i < values.Count)
            {
                DrawLine(values[i], _text, Margin + TermWidth);
            }

            _y += h;
        }

        _y += 2;
    }

    private void TableHeader(string kind, string content)
    {
        var h = LineHeight(_strong) + (2 * CellPadding);
        NeedSpace(h + LineHeight(_text));
        _g!.DrawRectangle(new XPen(Grid, 0.5), new XSolidBrush(HeaderFill), Margin, _y, ContentWidth, h);
        _y += CellPadding;
        DrawLine(kind, _strong, Margin + CellPadding);
        DrawLine(content, _strong, Margin + KindWidth + CellPadding);
        _y += LineHeight(_strong) + CellPadding;
    }

    /// <summary>A record as a table row: its kind on the left, each field as "label: value" on the right (value lines hang under the value).</summary>
    private void Record(RecordBlock record)
    {
        var left = Margin + CellPadding;
        var column = Margin + KindWidth + CellPadding;
        var columnWidth = ContentWidth - KindWidth - (2 * CellPadding);
        var lines = new List<(string Label, string Text, double Indent)>();
        foreach (var field in record.Fields)
        {
            var label = field.Term + ": ";
            var labelWidth = _g!.MeasureString(label, _strong).Width;
            if (labelWidth > columnWidth / 2)
            {
                lines.AddRange(Wrap(field.Term + ":", _strong, columnWidth).Select(l => (l, string.Empty, 0.0)));
                lines.AddRange(Wrap(field.Value, _text, columnWidth).Select(l => (string.Empty, l, 0.0)));
                continue;
            }

            var wrapped = Wrap(field.Value, _text, columnWidth - labelWidth);
            lines.Add((label, wrapped.Count > 0 ? wrapped[0] : string.Empty, labelWidth));
            lines.AddRange(wrapped.Skip(1).Select(l => (string.Empty, l, labelWidth)));
        }

        var kinds = Wrap(record.Kind, _text, KindWidth - (2 * CellPadding));
        var h = LineHeight(_text);
        NeedSpace(h + CellPadding);
        _y += CellPadding;
        for (var i = 0; i < Math.Max(kinds.Count, lines.Count); i++)
        {
            if (NeedSpace(h))
            {
                _y += CellPadding;
            }

            if (i < kinds.Count)
            {
                DrawLine(kinds[i], _text, left);
            }

            if (i < lines.Count)
            {
                var (label, text, indent) = lines[i];
                if (label.Length > 0)
                {
                    DrawLine(label, _strong, column);
                }

                DrawLine(text, _text, column + indent);
            }

            _y += h;
        }

        _y += CellPadding;
        _g!.DrawLine(new XPen(Grid, 0.5), Margin, _y, Right, _y);
    }

    /// <summary>Starts a new page unless <paramref name="height"/> fits on this one; true when it did.</summary>
    private bool NeedSpace(double height)
    {
        if (_y + height <= Bottom)
        {
            return false;
        }

        NewPage();
        return true;
    }

    private void Lines(string text, XFont font, double x, double width, double spaceAfter)
    {
        var h = LineHeight(font);
        foreach (var line in Wrap(text, font, width))
        {
            NeedSpace(h);
            DrawLine(line, font, x);
            _y += h;
        }

        _y += spaceAfter;
    }

    private void DrawLine(string line, XFont font, double x)
    {
        if (line.Length > 0)
        {
            _g!.DrawString(line, font, XBrushes.Black, new XRect(x, _y, Right - x, LineHeight(font)), XStringFormats.TopLeft);
        }
    }

    private static double LineHeight(XFont font) => font.GetHeight() * 1.1;

    /// <summary>Breaks text into lines that fit <paramref name="width"/>: at spaces, and inside a word only when the word alone is too wide.</summary>
    private List<string> Wrap(string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = string.Empty;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (Width(candidate, font) <= width)
                {
                    line = candidate;
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line);
                }

                line = word;
                while (Width(line, font) > width && line.Length > 1)
                {
                    var fit = 1;
                    while (fit < line.Length && Width(line[..(fit + 1)], font) <= width)
                    {
                        fit++;
                    }

                    lines.Add(line[..fit]);
                    line = line[fit..];
                }
            }

            lines.Add(line);
        }

        return lines;
    }

    private double Width(string text, XFont font) => _g!.MeasureString(text, font).Width;
}
