namespace JmlDsr.Functions.Tests;

/// <summary>The checkout the tests run from (the folder holding JmlDsr.sln), for tests that read its files.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JmlDsr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("JmlDsr.sln not found above the test output.");
    }
}
