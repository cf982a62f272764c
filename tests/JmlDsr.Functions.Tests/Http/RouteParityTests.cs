using System.Reflection;
using System.Text.RegularExpressions;
using JmlDsr.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Xunit;

namespace JmlDsr.Functions.Tests.Http;

/// <summary>
/// Drift test for the HTTP side: every [HttpTrigger] of the Functions app names its route by a <see cref="Routes"/> constant,
/// and the local host maps the same route and method (its Program.cs, read as text: its routes are top-level statements).
/// </summary>
public sealed class RouteParityTests
{
    private const BindingFlags AnyMethod = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static TheoryData<string, string> HttpTriggers()
    {
        var data = new TheoryData<string, string>();
        foreach (var trigger in typeof(Routes).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(AnyMethod))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>()))
        {
            foreach (var method in trigger.Methods ?? [])
            {
                data.Add(method.ToUpperInvariant(), trigger.Route ?? string.Empty);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HttpTriggers))]
    public void EveryFunctionsRoute_IsMappedByTheLocalHost(string method, string route)
    {
        var constants = typeof(Routes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Where(f => (string)f.GetRawConstantValue()! == route)
            .Select(f => f.Name)
            .ToList();
        Assert.True(constants.Count > 0, $"The {method} trigger's route '{route}' is not a Routes constant.");
        var program = File.ReadAllText(Path.Combine(RepoRoot(), "functions", "JmlDsr.Local", "Program.cs"));
        var verb = method[0] + method[1..].ToLowerInvariant();
        Assert.True(constants.Any(c => Regex.IsMatch(program, $@"\.Map{verb}\((""/"" \+ )?Routes\.{c}\b")),
            $"The local host does not map {method} {route} (Routes.{constants[0]}) in functions/JmlDsr.Local/Program.cs.");
    }

    private static string RepoRoot()
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
