using JmlDsr.Functions.Http;
using JmlDsr.Functions.StaffConsole;
using Microsoft.DurableTask.Client;

namespace JmlDsr.Local;

/// <summary>The local host's routes: every entry of the Functions app's <see cref="RouteTable"/>, onto the same handler, behind the same staff gate.</summary>
public static class LocalRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var route in RouteTable.All)
        {
            app.MapMethods("/" + route.Template, [route.Method], (HttpRequest req, DurableTaskClient client, CancellationToken ct) =>
                    route.InvokeAsync(req, route.Parameter is { } p ? req.RouteValues[p]?.ToString() : null, client, ct))
                .WithName(route.Function)
                .AddEndpointFilter(async (context, next) =>
                    await context.HttpContext.RequestServices.GetRequiredService<StaffGate>().CheckAsync(context.HttpContext, route) ?? await next(context))
                .DisableAntiforgery();
        }
    }
}
