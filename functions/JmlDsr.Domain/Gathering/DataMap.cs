namespace JmlDsr.Domain.Gathering;

/// <summary>The organisation responsible for the processing (Art 30(1)(a)).</summary>
public sealed record Controller(string Name, string Contact);

/// <summary>
/// JML's data map: every system that holds personal data, and the partners it is disclosed to. Read from configuration
/// (config/datamap.yaml, or the file DataMap__Path names) by <see cref="DataMapLoader"/>; the access copy's supplementary
/// information, the erasure, rectification and restriction writers, Art 19 notices and the console all read it.
/// </summary>
public sealed class DataMap
{
    private static readonly Lazy<DataMap> ShippedMap = new(() => DataMapLoader.Parse(DataMapLoader.ShippedYaml(), "config/datamap.yaml"));

    private readonly Dictionary<string, SystemDescriptor> _byId;

    public DataMap(Controller controller, IReadOnlyList<Partner> partners, IReadOnlyList<SystemDescriptor> systems)
    {
        ArgumentNullException.ThrowIfNull(partners);
        ArgumentNullException.ThrowIfNull(systems);
        Controller = controller;
        Partners = partners;
        Systems = systems;
        _byId = systems.ToDictionary(s => s.Id, StringComparer.Ordinal);
    }

    /// <summary>The data map shipped in the repository (config/datamap.yaml): the demo's systems, and the tests'.</summary>
    public static DataMap Shipped => ShippedMap.Value;

    public Controller Controller { get; }

    /// <summary>Where the map was read from (config/datamap.yaml, or the environment's own file).</summary>
    public string Source { get; init; } = "config/datamap.yaml";

    public IReadOnlyList<Partner> Partners { get; }

    /// <summary>The systems, in the order of the file (the order of the access copy).</summary>
    public IReadOnlyList<SystemDescriptor> Systems { get; }

    public SystemDescriptor Get(string id) =>
        Find(id) ?? throw new KeyNotFoundException($"The data map has no system '{id}'.");

    /// <summary>
    /// The system, or for one the map no longer has (an old request's gathered records) a description that says so: its
    /// records are still the person's and still go in their copy.
    /// </summary>
    public SystemDescriptor Describe(string id) =>
        Find(id) ?? new SystemDescriptor(id, id, "This system is no longer in JML's data map.", "Not recorded.", [], [], "Not recorded.", "Not recorded.");

    public SystemDescriptor? Find(string? id) => id is not null && _byId.TryGetValue(id, out var s) ? s : null;

    /// <summary>The system's name, or the id itself for a system the map no longer has (an old request's records).</summary>
    public string NameOf(string id) => Find(id)?.Name ?? id;

    public IEnumerable<SystemDescriptor> WithRole(string role) => Systems.Where(s => s.Has(role));

    /// <summary>The partner with this name (case-insensitive, surrounding spaces ignored), or null.</summary>
    public Partner? FindPartner(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        return Partners.FirstOrDefault(p => string.Equals(p.Name, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The partners that receive data from the system (Art 19 recipients); empty for none or an unknown id.</summary>
    public IReadOnlyList<Partner> PartnersFor(string systemId) =>
        Find(systemId) is { } s ? [.. Partners.Where(p => s.Partners.Contains(p.Id, StringComparer.Ordinal))] : [];

    /// <summary>
    /// The systems in the order their lookups allow: a system that finds the person by a key read from another system comes
    /// after that system (so gathering can read the key first, and erasure can go the other way round).
    /// </summary>
    public IReadOnlyList<SystemDescriptor> SourcesOf(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return [.. system.Lookup.Where(l => !l.IsEmail).Select(l => Get(l.From!)).Distinct()];
    }
}
