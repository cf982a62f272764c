using System.Text.Json;

namespace JmlDsr.Local;

/// <summary>Finds the repo and reads local.settings.sample.json, whose values are the local host's defaults.</summary>
public static class LocalSettings
{
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "JmlDsr.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run the local host from inside the JmlDsr repository (JmlDsr.sln not found).");
    }

    /// <summary>The sample file's Values, with Functions' "__" turned into configuration's ":".</summary>
    public static Dictionary<string, string?> SampleValues(string repoRoot)
    {
        var path = Path.Combine(repoRoot, "local.settings.sample.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());
    }
}
