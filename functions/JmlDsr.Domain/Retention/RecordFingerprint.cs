using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JmlDsr.Domain.Gathering;

namespace JmlDsr.Domain.Retention;

/// <summary>
/// A fingerprint of a record: lets the erasure audit prove what was erased (accountability, Art 5(2)) without
/// keeping the values themselves (Art 5(1)(c), (e)). SHA-256, lower-case hex, over a canonical serialisation
/// of the system id, the category and the fields sorted by name (ordinal), so the same record always gives
/// the same fingerprint however its fields are ordered.
/// </summary>
public static class RecordFingerprint
{
    public static string Hash(string systemId, PersonalRecord record)
    {
        ArgumentNullException.ThrowIfNull(systemId);
        ArgumentNullException.ThrowIfNull(record);

        // Every string is length-prefixed and null is distinct from empty, so no two different records
        // serialise alike (e.g. {"a": "bc"} and {"ab": "c"}).
        var canonical = new StringBuilder();
        Append(canonical, "system");
        Append(canonical, systemId);
        Append(canonical, "category");
        Append(canonical, record.Category);
        canonical.Append(CultureInfo.InvariantCulture, $"fields:{record.Fields.Count};");
        foreach (var (key, value) in record.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            Append(canonical, key);
            Append(canonical, value);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>A fingerprint of one value (a decision's new value, an answer): proves what it was without keeping it.</summary>
    public static string Value(string? value) =>
        value is null ? string.Empty : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static void Append(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            sb.Append("-;");
            return;
        }

        sb.Append(CultureInfo.InvariantCulture, $"{value.Length}:").Append(value).Append(';');
    }
}
