using System.Reflection;
using PdfSharp.Fonts;

namespace JmlDsr.Domain.Export;

/// <summary>
/// The typeface of the PDF copy: DejaVu Sans, regular and bold, embedded in this assembly (Bitstream Vera licence, which
/// allows bundling; <c>Export/Fonts/LICENSE.txt</c>), so the copy looks the same on any machine: Azure's Linux workers and
/// CI's fresh machines have no fonts PDFsharp could find. PDFsharp embeds only the glyphs a document uses.
/// </summary>
internal static class ExportFonts
{
    public const string Family = "DejaVu Sans";

    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";

    private static readonly Lock Gate = new();

    /// <summary>Makes PDFsharp find the typeface (once per process; PDFsharp's resolver is global).</summary>
    public static void Ensure()
    {
        lock (Gate)
        {
            GlobalFontSettings.FontResolver ??= new Resolver();
        }
    }

    private sealed class Resolver : IFontResolver
    {
        private readonly Dictionary<string, byte[]> _faces = [];

        // Every family asked for is drawn in DejaVu Sans: the copy asks only for it.
        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(bold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: italic);

        public byte[]? GetFont(string faceName)
        {
            lock (_faces)
            {
                if (!_faces.TryGetValue(faceName, out var bytes))
                {
                    using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"JmlDsr.Domain.Fonts.{faceName}.ttf")
                        ?? throw new InvalidOperationException($"The font {faceName} is not embedded in JmlDsr.Domain.");
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    _faces[faceName] = bytes = copy.ToArray();
                }

                return bytes;
            }
        }
    }
}
