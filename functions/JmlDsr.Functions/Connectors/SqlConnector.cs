using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Gathering;
using Microsoft.Extensions.Configuration;

namespace JmlDsr.Functions.Connectors;

/// <summary>
/// <c>sql</c>: a relational database through ADO.NET (PostgreSQL by Npgsql, SQL Server and Azure SQL by Microsoft.Data.SqlClient),
/// with the data map's own parameterised statements: <c>find</c> (one per lookup key, <c>@value</c>; returns a <c>row_id</c>
/// column, optionally <c>category</c>, and the fields), <c>erase</c>, <c>anonymise</c>, <c>retain</c> (<c>@rule</c>,
/// <c>@retain_until</c>), <c>rectify</c> (one per field, <c>@value</c>), <c>restrict</c>, <c>unrestrict</c> and <c>object</c>,
/// each on <c>@row_id</c>. Every parameter is text (cast in the statement where a column is not). The connection string is
/// the configuration setting the map names (<c>ConnectionStrings__{connection}</c>): in Azure SQL with
/// <c>Authentication=Active Directory Managed Identity</c>, no password anywhere.
/// </summary>
public sealed class SqlConnector(IConfiguration configuration) : IConnector
{
    public const string KindName = "sql";
    public const string RowIdColumn = "row_id";
    public const string CategoryColumn = "category";

    public string Kind => KindName;

    public string Describe(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return $"{Provider(system)} database {system.Connector.Setting("connection")}";
    }

    public async IAsyncEnumerable<PersonRow> FindAsync(SystemDescriptor system, LookupKey key, string value, string email, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var statement = Statements(system, "find").GetValueOrDefault(key.Key)
            ?? throw new InvalidOperationException($"System '{system.Id}' has no find statement for the key '{key.Key}'.");
        await using var connection = await OpenAsync(system, ct);
        await using var command = Command(connection, statement, ("value", value));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string? rowId = null;
            var category = "record";
            var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var name = reader.GetName(i);
                var v = reader.IsDBNull(i) ? null : Text(reader.GetValue(i));
                if (string.Equals(name, RowIdColumn, StringComparison.OrdinalIgnoreCase))
                {
                    rowId = v;
                }
                else if (string.Equals(name, CategoryColumn, StringComparison.OrdinalIgnoreCase))
                {
                    category = v ?? category;
                }
                else
                {
                    fields[name] = v;
                }
            }

            if (rowId is null)
            {
                throw new InvalidOperationException($"System '{system.Id}': the find statement for '{key.Key}' returned a row without a {RowIdColumn}.");
            }

            yield return new PersonRow(system.Id, rowId, new PersonalRecord(category, fields));
        }
    }

    public Task EraseAsync(SystemDescriptor system, PersonRow row, CancellationToken ct = default) =>
        ExecuteAsync(system, Setting(system, "erase"), row, ct);

    public Task AnonymiseAsync(SystemDescriptor system, PersonRow row, IReadOnlyDictionary<string, string?> kept, string anonymousKey, CancellationToken ct = default) =>
        ExecuteAsync(system, system.Connector.Setting("anonymise") ?? Setting(system, "erase"), row, ct);

    public Task RetainAsync(SystemDescriptor system, PersonRow row, string rule, string retainUntil, CancellationToken ct = default) =>
        ExecuteAsync(system, Setting(system, "retain"), row, ct, ("rule", rule), ("retain_until", retainUntil));

    public bool CanRectify(SystemDescriptor system, string field) =>
        Statements(system, "rectify").Keys.Any(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase));

    public Task RectifyAsync(SystemDescriptor system, PersonRow row, string field, string? value, CancellationToken ct = default)
    {
        var statement = Statements(system, "rectify").FirstOrDefault(s => string.Equals(s.Key, field, StringComparison.OrdinalIgnoreCase)).Value
            ?? throw new InvalidOperationException($"System '{system.Id}' has no rectify statement for '{field}'.");
        return ExecuteAsync(system, statement, row, ct, ("value", value));
    }

    public Task MarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        (purpose == MarkPurposes.Restriction ? system.Connector.Setting("restrict") : system.Connector.Setting("object")) is { } statement
            ? ExecuteAsync(system, statement, row, ct)
            : Task.CompletedTask;

    public Task UnmarkAsync(SystemDescriptor system, PersonRow row, string purpose, IReadOnlyList<string> fields, CancellationToken ct = default) =>
        purpose == MarkPurposes.Restriction && system.Connector.Setting("unrestrict") is { } statement
            ? ExecuteAsync(system, statement, row, ct)
            : Task.CompletedTask;

    public bool HoldsFlags(SystemDescriptor system) => false;

    public Task SetFlagAsync(SystemDescriptor system, string email, string flag, IReadOnlyDictionary<string, string?> fields, CancellationToken ct = default) =>
        throw new NotSupportedException("A sql system holds no flag records: its records are marked.");

    public Task DeleteFlagAsync(SystemDescriptor system, string email, string flag, CancellationToken ct = default) => Task.CompletedTask;

    /// <summary>The provider's name as the data map gives it.</summary>
    public static string Provider(SystemDescriptor system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.Connector.Setting("provider") switch
        {
            "postgresql" => "PostgreSQL",
            "sqlserver" => "SQL Server",
            var p => p ?? "SQL",
        };
    }

    private static DbProviderFactory Factory(SystemDescriptor system) => system.Connector.Setting("provider") switch
    {
        "postgresql" => Npgsql.NpgsqlFactory.Instance,
        "sqlserver" => Microsoft.Data.SqlClient.SqlClientFactory.Instance,
        var p => throw new InvalidOperationException($"System '{system.Id}': no sql provider '{p}'."),
    };

    private async Task<DbConnection> OpenAsync(SystemDescriptor system, CancellationToken ct)
    {
        var name = Setting(system, "connection");
        var connectionString = configuration.GetConnectionString(name) ?? configuration[name];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new SystemUnavailableException(system.Id, $"{system.Name}: no connection string (the setting ConnectionStrings__{name} is empty).");
        }

        var connection = Factory(system).CreateConnection()!;
        connection.ConnectionString = connectionString;
        try
        {
            await connection.OpenAsync(ct);
        }
        catch (DbException e)
        {
            await connection.DisposeAsync();
            throw new SystemUnavailableException(system.Id, $"{system.Name} is not answering ({e.GetType().Name}).");
        }

        return connection;
    }

    private async Task ExecuteAsync(SystemDescriptor system, string statement, PersonRow row, CancellationToken ct, params (string Name, string? Value)[] more)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using var connection = await OpenAsync(system, ct);
        await using var command = Command(connection, statement, [("row_id", row.RowKey), .. more]);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static DbCommand Command(DbConnection connection, string statement, params (string Name, string? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = statement;
        foreach (var (name, value) in parameters)
        {
            if (!statement.Contains("@" + name, StringComparison.Ordinal))
            {
                continue;
            }

            var p = command.CreateParameter();
            p.ParameterName = name;
            p.DbType = System.Data.DbType.String;
            p.Value = (object?)value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        return command;
    }

    private static string Setting(SystemDescriptor system, string name) =>
        system.Connector.Setting(name) ?? throw new InvalidOperationException($"System '{system.Id}' has no '{name}' setting.");

    /// <summary>A statement map (find, rectify), kept in the connector's settings as JSON.</summary>
    private static Dictionary<string, string> Statements(SystemDescriptor system, string name) =>
        system.Connector.Setting(name) is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : [];

    private static string Text(object value) => value switch
    {
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
