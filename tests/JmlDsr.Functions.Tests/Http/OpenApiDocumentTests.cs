using System.Text.Json;
using JmlDsr.Functions.Http;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Xunit;

namespace JmlDsr.Functions.Tests.Http;

/// <summary>
/// The checked-in OpenAPI document (openapi/jmldsr.openapi.json) against the route table: every route is an operation with the
/// table's method and path, operationId = the Functions trigger's name, and the security its access calls for; nothing else is
/// in it; it reads as OpenAPI 3.x without errors; the app serves exactly that file; the JSON API documents its errors as problems.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string DocumentPath = Path.Combine(RepoPaths.Root, "openapi", "jmldsr.openapi.json");

    public static TheoryData<string> Routes() => new(RouteTable.All.Select(r => r.Function));

    [Fact]
    public void TheDocument_ReadsAsOpenApi3_WithoutErrors()
    {
        using var stream = new MemoryStream(File.ReadAllBytes(DocumentPath));
        var settings = new OpenApiReaderSettings();
        var result = OpenApiDocument.Load(stream, OpenApiConstants.Json, settings);
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        Assert.NotNull(result.Document);
        Assert.StartsWith("3.", result.Diagnostic!.SpecificationVersion.ToString().Replace("OpenApi", "", StringComparison.Ordinal).Replace('_', '.'), StringComparison.Ordinal);
        Assert.Equal(RouteTable.All.Count, result.Document!.Paths.Sum(p => p.Value.Operations?.Count ?? 0));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void EveryRoute_IsAnOperation_WithItsMethodPathOperationIdAndSecurity(string function)
    {
        var route = RouteTable.Get(function);
        var operation = Operations().SingleOrDefault(o => o.Path == "/" + route.Template && string.Equals(o.Method, route.Method, StringComparison.OrdinalIgnoreCase));
        Assert.True(operation.Path is not null, $"The OpenAPI document has no {route.Method} /{route.Template} ({function}); add it to openapi/jmldsr.openapi.json.");
        Assert.Equal(function, operation.Json.GetProperty("operationId").GetString());
        Assert.True(operation.Json.TryGetProperty("security", out var security), $"{function}: the operation must say its security.");
        var requirements = security.EnumerateArray().Select(r => r.EnumerateObject().ToDictionary(s => s.Name, s => s.Value.EnumerateArray().Select(v => v.GetString()!).ToList())).ToList();
        var anonymous = requirements.Count == 0 || requirements.Any(r => r.Count == 0);
        var schemes = requirements.SelectMany(r => r.Keys).ToHashSet(StringComparer.Ordinal);
        switch (route.Access)
        {
            case RouteAccess.Public:
                Assert.True(anonymous, $"{function} is public: its security must admit anonymous callers.");
                break;
            case RouteAccess.SendGrid:
                Assert.False(anonymous, $"{function} is SendGrid's: not anonymous.");
                Assert.All(schemes, s => Assert.StartsWith("sendGrid", s, StringComparison.Ordinal));
                break;
            case RouteAccess.Staff or RouteAccess.Dpo:
                Assert.False(anonymous, $"{function} is for staff: not anonymous.");
                Assert.Equal(new HashSet<string> { "staffBearer", "apiKey" }, schemes);
                var role = route.Access == RouteAccess.Dpo ? JmlDsr.Functions.StaffConsole.StaffRoles.Dpo : JmlDsr.Functions.StaffConsole.StaffRoles.Staff;
                Assert.Equal([role], requirements.Single(r => r.ContainsKey("staffBearer"))["staffBearer"]);
                break;
            case RouteAccess.Automation:
                Assert.False(anonymous);
                Assert.Equal(new HashSet<string> { "apiKey" }, schemes);
                break;
            case RouteAccess.Console:
                Assert.False(anonymous);
                Assert.Equal(new HashSet<string> { "consoleSession" }, schemes);
                break;
            default:
                Assert.Fail($"{function}: no rule for access {route.Access}; add one here and a scheme to the document.");
                break;
        }
    }

    [Fact]
    public void TheDocument_HasNoOperationOutsideTheTable()
    {
        var table = RouteTable.All.Select(r => ("/" + r.Template, r.Method.ToLowerInvariant())).ToHashSet();
        Assert.All(Operations(), o => Assert.True(table.Contains((o.Path, o.Method)), $"{o.Method} {o.Path} is documented but not in the route table."));
    }

    [Fact]
    public void TheJsonApisErrors_AreProblemDetails()
    {
        var json = RouteTable.All.Where(r => r.Access is RouteAccess.Staff or RouteAccess.Dpo or RouteAccess.Automation or RouteAccess.SendGrid)
            .Select(r => ("/" + r.Template, r.Method.ToLowerInvariant())).ToHashSet();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(DocumentPath));
        var responses = doc.RootElement.GetProperty("components").GetProperty("responses");
        foreach (var o in Operations().Where(o => json.Contains((o.Path, o.Method))))
        {
            var errors = o.Json.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5').ToList();
            Assert.NotEmpty(errors);
            foreach (var error in errors)
            {
                var response = error.Value.TryGetProperty("$ref", out var reference) ? responses.GetProperty(reference.GetString()!.Split('/')[^1]) : error.Value;
                Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{o.Method} {o.Path} {error.Name} is not application/problem+json.");
            }
        }
    }

    [Fact]
    public void TheAppServes_TheCheckedInDocument() =>
        Assert.Equal(File.ReadAllBytes(DocumentPath), ApiDocument.Json.ToArray());

    private static List<(string Path, string Method, JsonElement Json)> Operations()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(DocumentPath));
        return doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete").Select(m => (p.Name, m.Name, m.Value.Clone())))
            .ToList();
    }
}
