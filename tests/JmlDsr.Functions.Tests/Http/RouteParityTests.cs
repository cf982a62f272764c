using System.Reflection;
using System.Text.Json;
using JmlDsr.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Xunit;

namespace JmlDsr.Functions.Tests.Http;

/// <summary>
/// Drift tests for the HTTP side: the route table (method, route, who may call it) against the Functions triggers' attributes
/// and against functions.metadata, which the Functions host reads (the build's, and a publish's when one is there, as in CI).
/// The local host is built from the same table; its running endpoints are compared with it in the local host's tests.
/// </summary>
public sealed class RouteParityTests
{
    private const BindingFlags AnyMethod = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static TheoryData<string> Routes() => new(RouteTable.All.Select(r => r.Function));

    [Fact]
    public void TheTable_HasOneEntryPerMethodAndRoute_AndOnePerFunction()
    {
        Assert.Equal(RouteTable.All.Count, RouteTable.All.Select(r => (r.Method, r.Template)).Distinct().Count());
        Assert.Equal(RouteTable.All.Count, RouteTable.All.Select(r => r.Function).Distinct(StringComparer.Ordinal).Count());
        Assert.All(RouteTable.All, r => Assert.Contains(r.Method, new[] { "GET", "POST", "DELETE" }));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void EveryRoute_IsAFunctionsTrigger_WithTheTablesMethodRouteAndAuthLevel(string function)
    {
        var route = RouteTable.Get(function);
        var trigger = Triggers().SingleOrDefault(t => t.Function == function);
        Assert.True(trigger.Function is not null, $"No [Function(\"{function}\")] HTTP trigger for {route.Method} /{route.Template}.");
        Assert.Equal((route.Method, route.Template, route.AuthLevel), (trigger.Method, trigger.Route, trigger.AuthLevel));
    }

    [Fact]
    public void EveryHttpTrigger_IsInTheTable()
    {
        var unlisted = Triggers().Where(t => RouteTable.ForFunction(t.Function) is null).Select(t => $"{t.Function} ({t.Method} /{t.Route})").ToList();
        Assert.True(unlisted.Count == 0, "HTTP triggers not in RouteTable: " + string.Join(", ", unlisted));
    }

    [Fact]
    public void FunctionsMetadata_FromTheBuild_AndFromAPublish_MatchesTheTable()
    {
        var built = Path.Combine(RepoPaths.Root, "functions", "JmlDsr.Functions", "bin", Configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(built), "functions.metadata is missing from the Functions app's build output: the Functions SDK's metadata generator did not run.");
        var files = new List<string> { built };
        var published = Path.Combine(RepoPaths.Root, "publish", "functions", "functions.metadata");
        if (File.Exists(published) && File.GetLastWriteTimeUtc(published) >= File.GetLastWriteTimeUtc(built).AddMinutes(-30))
        {
            // CI publishes just before the tests; a publish older than the build is an earlier one, not this code's.
            files.Add(published);
        }

        foreach (var file in files)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var http = doc.RootElement.EnumerateArray()
                .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                    .Select(b => (Function: f.GetProperty("name").GetString()!, Methods: b.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList(),
                        Route: b.GetProperty("route").GetString(), AuthLevel: b.GetProperty("authLevel").GetString())))
                .ToList();
            Assert.Equal(RouteTable.All.Select(r => r.Function).Order(StringComparer.Ordinal), http.Select(h => h.Function).Order(StringComparer.Ordinal));
            foreach (var h in http)
            {
                var route = RouteTable.Get(h.Function);
                Assert.True((new[] { route.Method }.SequenceEqual(h.Methods), route.Template, route.AuthLevel) == (true, h.Route, h.AuthLevel),
                    $"{file}: {h.Function} is {string.Join(',', h.Methods)} /{h.Route} ({h.AuthLevel}); the route table says {route.Method} /{route.Template} ({route.AuthLevel}).");
            }
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static List<(string Function, string Method, string Route, string AuthLevel)> Triggers() =>
        typeof(RouteTable).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(AnyMethod))
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>()?.Name, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().FirstOrDefault()))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .SelectMany(x => (x.Trigger!.Methods ?? []).Select(method => (x.Function!, method.ToUpperInvariant(), x.Trigger.Route ?? string.Empty, x.Trigger.AuthLevel.ToString())))
            .ToList();
}
