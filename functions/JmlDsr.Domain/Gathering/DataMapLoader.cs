using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JmlDsr.Domain.Gathering;

/// <summary>The data map could not be read: every problem found, each naming the system and the field.</summary>
public sealed class DataMapException(string source, IReadOnlyList<string> errors)
    : Exception($"The data map {source} is not valid:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// Reads the data map from YAML (or JSON, which is YAML): checked against config/datamap.schema.json, then for what a schema
/// cannot say (ids unique, recipients and lookups naming what exists, no lookup cycle, a mark for every marking rule).
/// </summary>
public static partial class DataMapLoader
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(Resource("JmlDsr.Domain.datamap.schema.json")));

    /// <summary>The shipped data map's text (config/datamap.yaml, embedded).</summary>
    public static string ShippedYaml() => Resource("JmlDsr.Domain.datamap.yaml");

    /// <summary>The data map's schema (config/datamap.schema.json, embedded).</summary>
    public static string SchemaJson() => Resource("JmlDsr.Domain.datamap.schema.json");

    /// <summary>The name by which a map extends the shipped one (<c>extends: datamap.yaml</c>).</summary>
    public const string ShippedName = "datamap.yaml";

    /// <summary>Reads and checks a data map; throws <see cref="DataMapException"/> listing every problem.</summary>
    /// <param name="source">Where it came from (a file name), for the error message.</param>
    /// <param name="extended">
    /// The text of a map this one <c>extends</c>, by its name (null: no such file). Without it only the shipped map
    /// (<see cref="ShippedName"/>) can be extended.
    /// </param>
    public static DataMap Parse(string yaml, string source, Func<string, string?>? extended = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var json = Read(yaml, source);
        for (var depth = 0; json is JsonObject o && o["extends"] is JsonValue v && v.TryGetValue<string>(out var name); depth++)
        {
            // An environment's own map builds on another: its partners and systems added, those of the same id replaced.
            var text = depth < 4 && !name.Contains('/', StringComparison.Ordinal) && !name.Contains('\\', StringComparison.Ordinal)
                ? extended?.Invoke(name) ?? (name == ShippedName ? ShippedYaml() : null)
                : null;
            if (text is null)
            {
                throw new DataMapException(source, [$"extends: '{name}' is not a data map beside this one{(depth >= 4 ? " (too many maps extend one another)" : string.Empty)}"]);
            }

            o.Remove("extends");
            json = Merge(Read(text, name), o);
        }

        var element = JsonSerializer.SerializeToElement(json);
        var results = Schema.Value.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            // An "if" that does not hold is not a mistake (it only chooses the "then"): its failures are left out.
            var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 } && !d.EvaluationPath.ToString().Contains("/if", StringComparison.Ordinal))
                .SelectMany(d => d.Errors!.Where(e => e.Key is not ("allOf" or "if" or "then" or "$ref"))
                    .Select(e => $"{Where(json, d.InstanceLocation.ToString())}: {e.Value}{(e.Key == "enum" ? Allowed(d.SchemaLocation) : string.Empty)}"))
                .Distinct(StringComparer.Ordinal).ToList();
            throw new DataMapException(source, errors.Count > 0 ? errors : ["it does not match the data map schema"]);
        }

        var dto = json.Deserialize(DataMapJson.Default.MapDto)!;
        return Build(dto, source);
    }

    private static JsonNode Read(string yaml, string source)
    {
        try
        {
            return ToJson(yaml) ?? throw new DataMapException(source, ["the file is empty"]);
        }
        catch (YamlException e)
        {
            throw new DataMapException(source, [$"line {e.Start.Line}, column {e.Start.Column}: {e.Message}"]);
        }
    }

    /// <summary>The base map with the extending one's lists merged in by id (replaced in place, else added) and its other keys over the base's.</summary>
    private static JsonObject Merge(JsonNode baseMap, JsonObject over)
    {
        if (baseMap is not JsonObject merged)
        {
            return over;
        }

        foreach (var (key, value) in over.ToList())
        {
            over.Remove(key);
            if (key is "systems" or "partners" && value is JsonArray items && merged[key] is JsonArray existing)
            {
                foreach (var item in items.ToList())
                {
                    items.Remove(item);
                    var id = (item as JsonObject)?["id"]?.ToString();
                    var at = id is null ? -1 : existing.Select((e, i) => (e, i)).FirstOrDefault(x => (x.e as JsonObject)?["id"]?.ToString() == id, (null, -1)).Item2;
                    if (at >= 0)
                    {
                        existing[at] = item;
                    }
                    else
                    {
                        existing.Add(item);
                    }
                }
            }
            else
            {
                merged[key] = value;
            }
        }

        return merged;
    }

    private static DataMap Build(MapDto dto, string source)
    {
        var errors = new List<string>();
        var partners = (dto.Partners ?? []).Select(p => new Partner(p.Name!, p.Email!, p.Terms!) { Id = p.Id!, Markets = p.Markets ?? false }).ToList();
        foreach (var dup in partners.GroupBy(p => p.Id).Where(g => g.Count() > 1))
        {
            errors.Add($"partner '{dup.Key}': id: the id is used by {dup.Count()} partners");
        }

        var ids = dto.Systems!.Select(s => s.Id!).ToList();
        foreach (var dup in ids.GroupBy(i => i).Where(g => g.Count() > 1))
        {
            errors.Add($"system '{dup.Key}': id: the id is used by {dup.Count()} systems");
        }

        var systems = new List<SystemDescriptor>();
        foreach (var s in dto.Systems!)
        {
            string At(string field) => $"system '{s.Id}': {field}";
            foreach (var p in s.Recipients?.Partners ?? [])
            {
                if (!partners.Any(x => x.Id == p))
                {
                    errors.Add($"{At("recipients.partners")}: no partner has the id '{p}'");
                }
            }

            var lookup = new List<LookupKey>();
            foreach (var l in s.Lookup!)
            {
                if (l.Key == "email")
                {
                    if (l.From is not null || l.Field is not null || l.Column is not null)
                    {
                        errors.Add($"{At("lookup")}: the email key takes no from, field or column");
                    }

                    lookup.Add(LookupKey.Email);
                    continue;
                }

                if (l.From is null || l.Field is null)
                {
                    errors.Add($"{At("lookup." + l.Key)}: a derived key needs 'from' (the system that holds it) and 'field'");
                    continue;
                }

                if (!ids.Contains(l.From))
                {
                    errors.Add($"{At("lookup." + l.Key + ".from")}: no system has the id '{l.From}'");
                }
                else if (l.From == s.Id)
                {
                    errors.Add($"{At("lookup." + l.Key + ".from")}: a system cannot find people by its own records");
                }

                lookup.Add(new LookupKey(l.Key!, l.From, l.Field, l.Column ?? l.Field));
            }

            var rights = (s.Rights ?? []).Select(r => new CategoryRights(r.Category!,
                r.Erasure ?? ErasureActions.Delete, r.Rectification ?? RectificationActions.Update, r.Restriction ?? RestrictionActions.Flag)).ToList();
            foreach (var dup in rights.GroupBy(r => r.Category, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            {
                errors.Add($"{At("rights")}: the category '{dup.Key}' has {dup.Count()} rules");
            }

            if (rights.Any(r => r.Restriction == RestrictionActions.Mark) && (s.RestrictionMark is null || s.RestrictionMark.Count == 0))
            {
                errors.Add($"{At("restrictionMark")}: a rule says restriction: mark, so the system needs the fields to mark records with");
            }

            var identifying = s.Fields?.Identifying ?? [];
            var anonymise = s.Anonymise is null ? AnonymiseSpec.Default
                : new AnonymiseSpec(s.Anonymise.Keep ?? AnonymiseSpec.Default.Keep, s.Anonymise.KeepMonth ?? AnonymiseSpec.Default.KeepMonth, s.Anonymise.Keeps ?? "only what no longer identifies you");
            foreach (var kept in anonymise.Keep.Concat(anonymise.KeepMonth).Where(k => identifying.Contains(k, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{At("anonymise")}: '{kept}' identifies the person (fields.identifying), so an anonymised record cannot keep it");
            }

            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in s.Connector!)
            {
                if (k != "kind")
                {
                    settings[k] = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
                }
            }

            if (s.Connector!["kind"].GetString() == "sql")
            {
                errors.AddRange(SqlProblems(s, lookup, rights).Select(e => $"system '{s.Id}': connector.{e}"));
            }

            if (s.Connector!["kind"].GetString() == "sendgrid-marketing" && lookup.Any(l => !l.IsEmail))
            {
                errors.Add($"{At("lookup")}: SendGrid finds a contact by email address only");
            }

            if (s.Connector!["kind"].GetString() == "owner-task")
            {
                if (lookup.Any(l => !l.IsEmail))
                {
                    errors.Add($"{At("lookup")}: an owner-task system's owner finds the person by who they are, so its lookup is email only");
                }

                if ((s.Roles ?? []).Contains(SystemRoles.Identity))
                {
                    errors.Add($"{At("roles")}: an owner-task system answers only when its owner does, so it cannot be one that identifies people");
                }
            }

            var partnerNames = partners.Where(p => (s.Recipients?.Partners ?? []).Contains(p.Id)).Select(p => p.Name).ToList();
            systems.Add(new SystemDescriptor(s.Id!, s.Name!, s.Purposes!, s.LawfulBasis!, s.Categories!,
                s.Recipients?.Described ?? partnerNames, s.Retention!, s.Source!)
            {
                Owner = s.Owner!,
                Roles = s.Roles ?? [],
                Partners = s.Recipients?.Partners ?? [],
                Lookup = lookup,
                Numbers = s.Numbers ?? [],
                Connector = new ConnectorSpec(s.Connector!["kind"].GetString()!, settings),
                IdentifyingFields = identifying,
                FreeTextFields = s.Fields?.FreeText ?? [],
                FieldLabels = s.Fields?.Labels ?? [],
                RestrictionMark = s.RestrictionMark ?? [],
                ObjectionMark = s.ObjectionMark ?? [],
                SuppressionKeeps = s.SuppressionKeeps,
                Anonymise = anonymise,
                Rights = rights,
            });
        }

        foreach (var dup in systems.Where(s => s.Connector.Kind == "table").GroupBy(s => s.Connector.Setting("table"), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"system '{dup.Skip(1).First().Id}': connector.table: '{dup.Key}' is already the table of '{dup.First().Id}'");
        }

        foreach (var s in systems)
        {
            foreach (var l in s.Lookup.Where(l => !l.IsEmail && systems.Any(o => o.Id == l.From && o.Connector.Kind == "owner-task")))
            {
                errors.Add($"system '{s.Id}': lookup: '{l.From}' is an owner-task system, whose records arrive only when its owner answers, so no key can be read from it");
            }
        }

        errors.AddRange(Cycles(systems));
        if (errors.Count > 0)
        {
            throw new DataMapException(source, errors);
        }

        var controller = dto.Controller is { } c ? new Controller(c.Name!, c.Contact!) : new Controller("JML Software Solutions Ltd", "privacy@jml.example");
        return new DataMap(controller, partners, systems) { Source = source };
    }

    /// <summary>What a sql system's statements must cover: every lookup key, and every right its rules use.</summary>
    private static IEnumerable<string> SqlProblems(SystemDto s, List<LookupKey> lookup, List<CategoryRights> rights)
    {
        var c = s.Connector!;
        var find = c.TryGetValue("find", out var f) && f.ValueKind == JsonValueKind.Object ? f.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
        foreach (var key in lookup.Where(l => !find.Contains(l.Key)))
        {
            yield return $"find: no statement for the lookup key '{key.Key}'";
        }

        // A record no rule matches takes the defaults (delete, update, flag).
        var all = rights.Any(r => r.Category == CategoryRights.Any) ? rights : [.. rights, CategoryRights.Default];
        if (all.Any(r => r.Erasure.StartsWith("retain-", StringComparison.Ordinal)) && !c.ContainsKey("retain"))
        {
            yield return "retain: a rule keeps records (retain-…), so the system needs the statement that restricts a kept record";
        }

        if (all.Any(r => r.Erasure is ErasureActions.Anonymise or ErasureActions.Suppress) && !c.ContainsKey("anonymise"))
        {
            yield return "anonymise: a rule anonymises records, so the system needs the statement that does it";
        }

        if (all.Any(r => r.Restriction != RestrictionActions.None) && !(c.ContainsKey("restrict") && c.ContainsKey("unrestrict")))
        {
            yield return "restrict: records are restricted (Art 18), so the system needs restrict and unrestrict statements";
        }
    }

    /// <summary>A system found by a key from another that is found by a key from the first never finds anyone.</summary>
    private static IEnumerable<string> Cycles(IReadOnlyList<SystemDescriptor> systems)
    {
        var from = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var s in systems)
        {
            from.TryAdd(s.Id, [.. s.Lookup.Where(l => !l.IsEmail).Select(l => l.From!)]);
        }

        foreach (var s in systems.DistinctBy(x => x.Id))
        {
            var seen = new HashSet<string>();
            var stack = new Stack<string>(from[s.Id]);
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (next == s.Id)
                {
                    yield return $"system '{s.Id}': lookup: its keys come, through other systems, from its own records";
                    break;
                }

                if (seen.Add(next) && from.TryGetValue(next, out var more))
                {
                    more.ForEach(stack.Push);
                }
            }
        }
    }

    private static readonly Lazy<JsonNode> SchemaNode = new(() => JsonNode.Parse(SchemaJson())!);

    /// <summary>" (one of: a, b, c)": the values an enum allows, read from the schema where the error arose.</summary>
    private static string Allowed(Uri schemaLocation)
    {
        JsonNode? node = SchemaNode.Value;
        foreach (var part in Uri.UnescapeDataString(schemaLocation.Fragment.TrimStart('#')).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node switch
            {
                JsonObject o => o[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)],
                JsonArray a when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        // The library's location is not always a path through the document (inside items it repeats a segment): then the
        // property's enum is found by its name, which in this schema names one enum only.
        var values = (node as JsonObject)?["enum"] as JsonArray ?? node as JsonArray
            ?? EnumNamed(SchemaNode.Value, Uri.UnescapeDataString(schemaLocation.Fragment).Split('/')[^1]);
        return values is null ? string.Empty : $" (one of: {string.Join(", ", values.Select(v => v?.ToJsonString().Trim('"')))})";
    }

    private static JsonArray? EnumNamed(JsonNode? node, string name) => node switch
    {
        JsonObject o when o[name] is JsonObject p && p["enum"] is JsonArray values => values,
        JsonObject o => o.Select(p => EnumNamed(p.Value, name)).FirstOrDefault(v => v is not null),
        JsonArray a => a.Select(n => EnumNamed(n, name)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    /// <summary>Names a schema error's place: the system's id and the field path inside it.</summary>
    private static string Where(JsonNode root, string pointer)
    {
        var parts = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 2 && parts[0] is "systems" or "partners" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i))
        {
            var id = root[parts[0]]?[i]?["id"]?.GetValue<object>()?.ToString() ?? $"#{i + 1}";
            var what = parts[0] == "systems" ? "system" : "partner";
            return parts.Length == 2 ? $"{what} '{id}'" : $"{what} '{id}': {string.Join('.', parts[2..])}";
        }

        return parts.Length == 0 ? "the data map" : string.Join('.', parts);
    }

    /// <summary>YAML to JSON by the YAML 1.2 core schema: plain true/false, numbers and null are typed; quoted text stays text.</summary>
    internal static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var o = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    var key = ((YamlScalarNode)k).Value ?? string.Empty;
                    if (o.ContainsKey(key))
                    {
                        throw new YamlException(k.Start, k.End, $"the key '{key}' appears twice");
                    }

                    o[key] = Convert(v);
                }

                return o;
            case YamlSequenceNode seq:
                var a = new JsonArray();
                foreach (var item in seq.Children)
                {
                    a.Add(Convert(item));
                }

                return a;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? string.Empty;
                if (scalar.Style is not ScalarStyle.Plain)
                {
                    return JsonValue.Create(text);
                }

                if (text is "" or "~" or "null" or "Null" or "NULL")
                {
                    return null;
                }

                if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
                {
                    return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
                }

                if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    return JsonValue.Create(n);
                }

                return Number().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? JsonValue.Create(d)
                    : JsonValue.Create(text);
            default:
                throw new YamlException(node.Start, node.End, "aliases and tags are not used in the data map");
        }
    }

    private static string Resource(string name)
    {
        using var stream = typeof(DataMapLoader).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Missing resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();
}

internal sealed class MapDto
{
    public ControllerDto? Controller { get; set; }

    public List<PartnerDto>? Partners { get; set; }

    public List<SystemDto>? Systems { get; set; }
}

internal sealed class ControllerDto
{
    public string? Name { get; set; }

    public string? Contact { get; set; }
}

internal sealed class PartnerDto
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Email { get; set; }

    public string? Terms { get; set; }

    public bool? Markets { get; set; }
}

internal sealed class SystemDto
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Owner { get; set; }

    public string? Purposes { get; set; }

    public string? LawfulBasis { get; set; }

    public List<string>? Categories { get; set; }

    public RecipientsDto? Recipients { get; set; }

    public string? Source { get; set; }

    public string? Retention { get; set; }

    public List<string>? Roles { get; set; }

    public List<LookupDto>? Lookup { get; set; }

    public List<string>? Numbers { get; set; }

    public Dictionary<string, JsonElement>? Connector { get; set; }

    public FieldsDto? Fields { get; set; }

    public Dictionary<string, string>? RestrictionMark { get; set; }

    public Dictionary<string, string>? ObjectionMark { get; set; }

    public string? SuppressionKeeps { get; set; }

    public AnonymiseDto? Anonymise { get; set; }

    public List<RightsDto>? Rights { get; set; }
}

internal sealed class RecipientsDto
{
    public List<string>? Partners { get; set; }

    public List<string>? Described { get; set; }
}

internal sealed class LookupDto
{
    public string? Key { get; set; }

    public string? From { get; set; }

    public string? Field { get; set; }

    public string? Column { get; set; }
}

internal sealed class FieldsDto
{
    public List<string>? Identifying { get; set; }

    public List<string>? FreeText { get; set; }

    public Dictionary<string, string>? Labels { get; set; }
}

internal sealed class AnonymiseDto
{
    public List<string>? Keep { get; set; }

    public List<string>? KeepMonth { get; set; }

    public string? Keeps { get; set; }
}

internal sealed class RightsDto
{
    public string? Category { get; set; }

    public string? Erasure { get; set; }

    public string? Rectification { get; set; }

    public string? Restriction { get; set; }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(MapDto))]
internal sealed partial class DataMapJson : System.Text.Json.Serialization.JsonSerializerContext;
