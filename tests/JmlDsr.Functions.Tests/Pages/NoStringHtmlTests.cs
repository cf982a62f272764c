using System.Text.RegularExpressions;
using Xunit;

namespace JmlDsr.Functions.Tests.Pages;

/// <summary>HTML is rendered by components (functions/JmlDsr.Pages): no C# file builds it from strings.</summary>
public sealed partial class NoStringHtmlTests
{
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
            .Where(f => StringHtml().IsMatch(File.ReadAllText(Path.Combine(root, f))))
            .ToList();
        Assert.Empty(offenders);
    }
}
