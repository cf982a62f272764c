using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;

namespace JmlDsr.Local.Tests;

/// <summary>One value a person's record held in a demo system (JML's own systems), and why it is or is not a useful needle.</summary>
/// <param name="Value">The value as stored.</param>
/// <param name="Source">Where it was: <c>SysCrm / contact / Phone</c>.</param>
/// <param name="WeakBecause">Null for a needle worth asserting on; otherwise why a hit of it proves nothing by itself.</param>
public sealed record PersonValue(string Value, string Source, string? WeakBecause)
{
    public bool IsNeedle => WeakBecause is null;
}

/// <summary>
/// The needles of one person's erasure, read from the demo systems' tables before the erasure. The rule: every value of
/// the person's records (row keys and properties, not the PartitionKey, which is the email address and is looked at
/// apart) is a needle unless another person's records hold it too (a category, a product everybody downloads), it is
/// too short to mean anything, or it is a bare date (the same day occurs in unrelated records and timestamps).
/// </summary>
public static partial class PersonNeedles
{
    /// <summary>The reason given for a value another person's records hold too.</summary>
    public const string Shared = "also in another person's records";

    /// <summary>Every demo system's rows, all people, straight from the product's account.</summary>
    public static async Task<IReadOnlyList<TableEntity>> DemoRowsAsync(string connectionString, CancellationToken ct = default)
    {
        var service = new TableServiceClient(connectionString);
        var rows = new List<TableEntity>();
        foreach (var table in DataMap.Shipped.Systems.Where(s => s.Connector.Kind == Functions.Connectors.TableConnector.KindName).Select(SystemConnector.TableFor))
        {
            await foreach (var row in service.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: ct))
            {
                row["_Table"] = table;
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>The person's values (name first), each classified by the rule above against everyone else's rows.</summary>
    public static IReadOnlyList<PersonValue> Of(string email, string name, IReadOnlyList<TableEntity> demoRows)
    {
        ArgumentNullException.ThrowIfNull(demoRows);
        var mine = demoRows.Where(r => string.Equals(r.PartitionKey, email, StringComparison.OrdinalIgnoreCase)).ToList();
        var others = demoRows.Where(r => !string.Equals(r.PartitionKey, email, StringComparison.OrdinalIgnoreCase))
            .SelectMany(r => Values(r).Select(v => v.Value)).ToList();

        var result = new List<PersonValue> { new(name, "name", null) };
        foreach (var row in mine)
        {
            foreach (var (property, value) in Values(row))
            {
                var source = $"{row.GetString("_Table")} / {row.RowKey} / {property}";
                if (result.Any(v => string.Equals(v.Value, value, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                result.Add(new PersonValue(value, source, WeakBecause(value, email, others)));
            }
        }

        return result;
    }

    private static string? WeakBecause(string value, string email, List<string> others)
    {
        if (string.Equals(value, email, StringComparison.OrdinalIgnoreCase))
        {
            return "the email address (looked at apart: the case file may keep it)";
        }

        if (others.Any(o => o.Contains(value, StringComparison.OrdinalIgnoreCase)))
        {
            return Shared;
        }

        if (BareDate().IsMatch(value))
        {
            return "a bare date";
        }

        return value.Length < 5 ? "too short" : null;
    }

    private static IEnumerable<(string Property, string Value)> Values(TableEntity row)
    {
        yield return ("RowKey", row.RowKey);
        foreach (var (key, value) in row)
        {
            if (key is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" or "_Table" || value is null)
            {
                continue;
            }

            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return (key, text.Trim());
            }
        }
    }

    [GeneratedRegex(@"^(d-)?\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$")]
    private static partial Regex BareDate();
}
