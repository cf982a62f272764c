using System.Text.RegularExpressions;
using Xunit;

namespace JmlDsr.Functions.Tests.Pages;

/// <summary>HTML is rendered by components (functions/JmlDsr.Pages): no new C# file may build it from strings.</summary>
public sealed partial class NoStringHtmlTests
{
    // Files whose page bodies are still string-built, to be converted to components (issue 17, item 3). Shrink, never grow.
    private static readonly HashSet<string> KnownExceptions =
    [
        "JmlDsr.Domain/Export/AccessExportWriter.cs",
    ];

    [GeneratedRegex("\"+<(p|table|tr|td|th|ul|ol|li|div|span|h[1-6]|form|input|button|html|!doctype)[ >]|<table[ >]", RegexOptions.IgnoreCase)]
    private static partial Regex StringHtml();

    [Fact]
    public void No_source_file_builds_html_from_strings_outside_the_components()
    {
        var root = Path.Combine(RepoPaths.Root, "functions");
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !KnownExceptions.Contains(f) && StringHtml().IsMatch(File.ReadAllText(Path.Combine(root, f))))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_known_exceptions_still_exist_and_still_need_to_be_listed()
    {
        var root = Path.Combine(RepoPaths.Root, "functions");
        var converted = KnownExceptions.Where(f => !File.Exists(Path.Combine(root, f)) || !StringHtml().IsMatch(File.ReadAllText(Path.Combine(root, f)))).ToList();
        Assert.Empty(converted);
    }
}
