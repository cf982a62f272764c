using System.Globalization;
using JmlDsr.Domain.Emails;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Domain.Export;

/// <summary>One piece of the copy a person reads. The HTML and the PDF copy are both drawn from the same pieces.</summary>
public abstract record ExportBlock;

/// <summary>The document's title (its one top-level heading).</summary>
public sealed record TitleBlock(string Text) : ExportBlock;

/// <summary>A heading of the document's own (not a system's).</summary>
public sealed record HeadingBlock(string Text) : ExportBlock;

/// <summary>The start of one system's section, with its heading.</summary>
public sealed record SectionStartBlock(string Heading) : ExportBlock;

/// <summary>The end of one system's section.</summary>
public sealed record SectionEndBlock : ExportBlock;

/// <summary>A paragraph; <see cref="Strong"/> where it must stand out (the notice that others' information was removed).</summary>
public sealed record ParagraphBlock(string Text, bool Strong = false) : ExportBlock;

/// <summary>A term and what it says.</summary>
public sealed record ExportFact(string Term, string Value);

/// <summary>Terms and what each says (a definition list).</summary>
public sealed record FactsBlock(IReadOnlyList<ExportFact> Facts) : ExportBlock;

/// <summary>The start of a table of records, with its caption and column headings.</summary>
public sealed record RecordsStartBlock(string Caption, string KindHeading, string ContentHeading) : ExportBlock;

/// <summary>One record: its kind and its fields, each under its human label.</summary>
public sealed record RecordBlock(string Kind, IReadOnlyList<ExportFact> Fields) : ExportBlock;

/// <summary>The end of a table of records.</summary>
public sealed record RecordsEndBlock : ExportBlock;

/// <summary>
/// The content of the copy a person reads (Art 15(1)–(3)), as blocks, in the order they are read: the opening with the
/// information about all of the data, then each system searched with its supplementary information and its records. The
/// HTML and PDF writers only draw these blocks, so the two copies say the same thing. Each method answers for one step
/// of the single pass over the gathered data, so nothing but the current record is held.
/// </summary>
public static class AccessExportDocument
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The document's title as a browser tab or a PDF reader shows it.</summary>
    public static string DocumentTitle(AccessExportHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return $"Your personal data — {header.Reference}";
    }

    /// <summary>The opening: who holds the data, the reference and dates, and what is true of all of it.</summary>
    public static IReadOnlyList<ExportBlock> Opening(AccessExportHeader header, bool redacting)
    {
        ArgumentNullException.ThrowIfNull(header);
        var blocks = new List<ExportBlock>
        {
            new TitleBlock($"Your personal data held by {EmailComposer.Company}"),
            new ParagraphBlock($"Reference {header.Reference}. Request received on {EmailComposer.LongDate(header.ReceivedOn)}; this copy was produced on {header.GeneratedAt.ToString("d MMMM yyyy HH:mm 'UTC'", EnGb)} for {header.SubjectEmail}."),
            new ParagraphBlock("This is a copy of your personal data under Article 15 of the UK GDPR. For each system we searched, you will find what we hold and why, who receives it, how long we keep it and where it came from."),
        };
        if (redacting)
        {
            blocks.Add(new ParagraphBlock(AccessExportWriter.ThirdPartyNotice, Strong: true));
        }

        blocks.Add(new HeadingBlock("About all of your data"));
        blocks.Add(new FactsBlock(
        [
            new("Automated decisions", AccessExportWriter.AutomatedDecisions),
            new("International transfers", AccessExportWriter.InternationalTransfers),
            new("Your rights", AccessExportWriter.YourRights),
            new("Complaints", AccessExportWriter.Complaints),
        ]));
        return blocks;
    }

    /// <summary>A system's section opens: its name and the Art 15(1)(a)–(h) information about it.</summary>
    public static IReadOnlyList<ExportBlock> SystemOpening(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return
        [
            new SectionStartBlock(system.Name),
            new FactsBlock(
            [
                new("Why we use it", system.Purposes),
                new("Lawful basis", system.LawfulBasis),
                new("Categories", string.Join(", ", system.Categories)),
                new("Who receives it", system.Recipients.Count == 0 ? "No one outside JML." : string.Join("; ", system.Recipients)),
                new("How long we keep it", system.Retention),
                new("Where it came from", system.Source),
            ]),
        ];
    }

    /// <summary>One record of the system, the <paramref name="index"/>th (from 0): the first also opens the table.</summary>
    public static IReadOnlyList<ExportBlock> Record(SystemDescriptor system, PersonalRecord record, int index)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(record);
        var row = new RecordBlock(record.Category, record.Fields.Select(f => new ExportFact(FieldLabels.For(system, f.Key), f.Value ?? string.Empty)).ToList());
        return index == 0
            ? [new RecordsStartBlock($"What {system.Name} holds about you", "Kind of record", "What it says"), row]
            : [row];
    }

    /// <summary>The system's section closes: how many records, or that none are held.</summary>
    public static IReadOnlyList<ExportBlock> SystemClosing(int count) =>
        count == 0
            ? [new ParagraphBlock("We hold no personal data about you in this system."), new SectionEndBlock()]
            : [new RecordsEndBlock(), new ParagraphBlock($"Records found: {count.ToString(CultureInfo.InvariantCulture)}."), new SectionEndBlock()];
}
