using System.Reflection;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Xunit;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>The local host registers DsrTasks; the Functions app registers [Function]s. They must never drift.</summary>
public sealed class DsrTasksTests
{
    private static IEnumerable<(string Name, ParameterInfo[] Parameters)> Functions() =>
        typeof(DsrTasks).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Attr: m.GetCustomAttribute<FunctionAttribute>(), Method: m))
            .Where(x => x.Attr is not null)
            .Select(x => (x.Attr!.Name, x.Method.GetParameters()));

    [Fact]
    public void EveryOrchestratorFunction_IsRegisteredForTheLocalHost_AndNoMore()
    {
        var functions = Functions().Where(f => f.Parameters.Any(p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null)).Select(f => f.Name).ToHashSet();
        Assert.NotEmpty(functions);
        Assert.True(functions.SetEquals(DsrTasks.OrchestratorNames),
            $"Not registered locally: {string.Join(", ", functions.Except(DsrTasks.OrchestratorNames))}; registered but no [Function]: {string.Join(", ", DsrTasks.OrchestratorNames.Except(functions))}");
    }

    [Fact]
    public void EveryActivityFunction_IsRegisteredForTheLocalHost_AndNoMore()
    {
        var functions = Functions().Where(f => f.Parameters.Any(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null)).Select(f => f.Name).ToHashSet();
        Assert.True(functions.Count >= 10);
        Assert.True(functions.SetEquals(DsrTasks.ActivityNames),
            $"Not registered locally: {string.Join(", ", functions.Except(DsrTasks.ActivityNames))}; registered but no [Function]: {string.Join(", ", DsrTasks.ActivityNames.Except(functions))}");
    }
}
