using JmlDsr.Domain.Gathering;
using Microsoft.Extensions.Configuration;

namespace JmlDsr.Functions.Configuration;

/// <summary>
/// Where the data map comes from: the file the <c>DataMap:Path</c> setting names (<c>DataMap__Path</c> in app settings,
/// so each environment can have its own), else the map shipped in the repository (config/datamap.yaml). Read once at
/// start-up; an invalid map stops the host with every problem listed, each naming the system and the field. An environment's
/// map can say <c>extends: datamap.yaml</c> and list only what it adds or replaces.
/// </summary>
public static class DataMapSource
{
    public const string PathSetting = "DataMap:Path";

    public static DataMap Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration[PathSetting];
        if (string.IsNullOrWhiteSpace(path))
        {
            return DataMap.Shipped;
        }

        // A relative path is the app's own (a file published with it, e.g. config/datamap.production.yaml), else the working folder's.
        var full = Path.IsPathRooted(path) || !File.Exists(Path.Combine(AppContext.BaseDirectory, path))
            ? Path.GetFullPath(path)
            : Path.Combine(AppContext.BaseDirectory, path);
        if (!File.Exists(full))
        {
            throw new DataMapException(full, [$"the file does not exist (the {PathSetting} setting names it)"]);
        }

        // A map may build on another beside it (extends: datamap.yaml, the shipped map when the file is not there).
        var folder = Path.GetDirectoryName(full)!;
        return DataMapLoader.Parse(File.ReadAllText(full), full, name => File.Exists(Path.Combine(folder, name)) ? File.ReadAllText(Path.Combine(folder, name)) : null);
    }
}
