using JmlDsr.Domain.Gathering;
using JmlDsr.Functions.Workflow;
using Xunit;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>The order a request's workflow searches and erases the data map's systems in.</summary>
public sealed class WorkflowSystemTests
{
    private static readonly IReadOnlyList<WorkflowSystem> Systems =
    [
        new("crm", "CRM", []),
        new("portal", "Portal", ["crm"]),
        new("seats", "Seats", ["portal"]),
        new("web", "Website", []),
    ];

    [Fact]
    public void ASystemFoundByAnothersKey_ComesInALaterWave()
    {
        var waves = WorkflowSystem.Waves(Systems, ["crm", "portal", "seats", "web"]);
        Assert.Equal([["crm", "web"], ["portal"], ["seats"]], waves.Select(w => w.ToList()).ToList());
    }

    [Fact]
    public void OnlyTheSystemsAskedFor_AreInTheWaves_AndOneTheListNoLongerHasComesLast()
    {
        var waves = WorkflowSystem.Waves(Systems, ["seats", "web", "retired"]);
        Assert.Equal([["web"], ["seats"], ["retired"]], waves.Select(w => w.ToList()).ToList());
    }

    [Fact]
    public void TheShippedMap_IsOneWave_InItsOwnOrder()
    {
        var systems = WorkflowSystem.From(DataMap.Shipped);
        var wave = Assert.Single(WorkflowSystem.Waves(systems, systems.Select(s => s.Id)));
        Assert.Equal(DataMap.Shipped.Systems.Select(s => s.Id), wave);
    }

    [Fact]
    public void AnInputWithoutSystems_WorksWithTheShippedMap()
    {
        var settings = new DsrSettings(TimeSpan.FromDays(30), TimeSpan.FromDays(14), TimeSpan.FromDays(30), [], 4, TimeSpan.FromSeconds(15));
        Assert.Equal(DataMap.Shipped.Systems.Select(s => s.Name), settings.SystemsOrShipped().Select(s => s.Name));
    }
}
