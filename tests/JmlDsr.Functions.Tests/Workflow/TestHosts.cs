using System.Net;
using System.Net.Sockets;
using JmlDsr.Functions.Workflow;
using Microsoft.DurableTask.Testing;

namespace JmlDsr.Functions.Tests.Workflow;

/// <summary>The in-process Durable Task host with the real orchestrators and the fake activities.</summary>
public static class TestHosts
{
    /// <summary>
    /// Starts a host on a free port. The host's own port choice can collide with other test projects' servers
    /// running at the same time, so take a free port, and try another if it is taken before the host binds it.
    /// </summary>
    public static async Task<DurableTaskTestHost> StartAsync(FakeActivities fakes)
    {
        ArgumentNullException.ThrowIfNull(fakes);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(registry =>
                {
                    DsrTasks.RegisterOrchestrators(registry);
                    registry.AddOrchestratorFunc<string, string>(nameof(DsrOrchestratorTests.Listener), (ctx, input) => DsrOrchestratorTests.Listener(ctx, input ?? string.Empty));
                    fakes.Register(registry);
                }, new DurableTaskTestHostOptions { Port = FreePort() });
            }
            catch (IOException) when (attempt < 5)
            {
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
