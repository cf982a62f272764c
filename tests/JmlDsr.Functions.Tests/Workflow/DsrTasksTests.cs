using System.Reflection;
using JmlDsr.Functions.Workflow;
using Microsoft.Azure.Functions.Worker;
using Xunit;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>
/// Drift test: the Functions app finds orchestrators and activities by their [Function] attributes, the local
/// host by <see cref="DsrTasks"/>. A function added to one and not the other must fail the build's tests.
/// </summary>
public sealed class DsrTasksTests
{
    private const BindingFlags AnyMethod = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void OrchestratorFunctions_AreExactlyTheRegisteredOrchestrators()
    {
        var functions = FunctionsTriggeredBy<OrchestrationTriggerAttribute>();
        Assert.NotEmpty(functions);
        AssertSameNames("orchestrator", functions, DsrTasks.OrchestratorNames);
    }

    [Fact]
    public void ActivityFunctions_AreExactlyTheRegisteredActivities()
    {
        var functions = FunctionsTriggeredBy<ActivityTriggerAttribute>();
        Assert.NotEmpty(functions);
        AssertSameNames("activity", functions, DsrTasks.ActivityNames);
    }

    [Fact]
    public void QueueTriggeredFunctions_ListenOnlyOnTheQueueTheLocalHostPumps()
    {
        var queues = typeof(DsrTasks).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(AnyMethod))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters().Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).OfType<QueueTriggerAttribute>())
            .Select(q => q.QueueName)
            .ToList();
        Assert.Equal([JmlDsr.Functions.Intake.PendingStarts.Name], queues);
    }

    [Fact]
    public void RegisteredNames_AreUnique()
    {
        Assert.Equal(DsrTasks.ActivityNames.Count, DsrTasks.ActivityNames.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(DsrTasks.OrchestratorNames.Count, DsrTasks.OrchestratorNames.Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>Names of [Function] methods with a parameter carrying the given trigger attribute.</summary>
    private static HashSet<string> FunctionsTriggeredBy<TTrigger>()
        where TTrigger : Attribute =>
        typeof(DsrTasks).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(AnyMethod))
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Method: m))
            .Where(x => x.Function is not null && x.Method.GetParameters().Any(p => p.GetCustomAttribute<TTrigger>() is not null))
            .Select(x => x.Function!.Name)
            .ToHashSet(StringComparer.Ordinal);

    private static void AssertSameNames(string kind, HashSet<string> functions, IReadOnlyList<string> registered)
    {
        var notRegistered = functions.Except(registered, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var noFunction = registered.Except(functions, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.True(notRegistered.Count == 0 && noFunction.Count == 0,
            $"The {kind} [Function]s and DsrTasks have drifted apart. " +
            $"[Function] but missing from DsrTasks: [{string.Join(", ", notRegistered)}]. " +
            $"In DsrTasks but no [Function]: [{string.Join(", ", noFunction)}].");
    }
}
