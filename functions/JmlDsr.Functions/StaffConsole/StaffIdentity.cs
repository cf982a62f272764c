using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using JmlDsr.Functions.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>The Entra app roles the app checks (infra/entra/app-roles.json defines them; Bicep's hook assigns them).</summary>
public static class StaffRoles
{
    /// <summary>A member of the privacy team: the console and the staff API.</summary>
    public const string Staff = "Privacy.Staff";

    /// <summary>The data protection officer: also legal holds and the DPO's views.</summary>
    public const string Dpo = "Privacy.Dpo";

    /// <summary>Whether <paramref name="roles"/> admit a caller to a route of <paramref name="access"/>.</summary>
    public static bool Admit(RouteAccess access, IReadOnlyCollection<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        return access switch
        {
            RouteAccess.Dpo => roles.Contains(Dpo),
            RouteAccess.Staff or RouteAccess.Console or RouteAccess.Automation => roles.Contains(Staff) || roles.Contains(Dpo),
            _ => true,
        };
    }
}

/// <summary>
/// Who a staff caller is, as authenticated: an Entra principal (platform sign-in or a bearer token: name and object id), a
/// development account (local only), or a named API key. <see cref="Actor"/> is what the audit trail records; it is never a
/// name the caller typed or a header they chose.
/// </summary>
public sealed record StaffIdentity(string Name, string Id, string Kind, IReadOnlyList<string> Roles)
{
    public const string Entra = "entra";
    public const string DevAccount = "dev";
    public const string ApiKey = "key";

    private static readonly object ItemKey = new();

    /// <summary>The audit trail's actor: "Priya Patel [oid 7f3c…]", "Priya Patel [dev account priya]", "erp-sync [API key]".</summary>
    public string Actor => Kind switch
    {
        Entra => $"{Name} [oid {Id}]",
        DevAccount => $"{Name} [dev account {Id}]",
        _ => $"{Name} [API key]",
    };

    public bool IsDpo => Roles.Contains(StaffRoles.Dpo);

    /// <summary>The identity the staff gate authenticated for this call, if any.</summary>
    public static StaffIdentity? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out var found) ? found as StaffIdentity : null;
    }

    /// <summary>The audit actor of a staff API call: the identity the gate authenticated, with the channel.</summary>
    public static string ActorOf(HttpContext context) => (Of(context) ?? throw new InvalidOperationException("The staff gate did not run for this route.")).Actor + " (API)";

    internal void Attach(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>An Entra principal's identity from its claims (Entra's claim types, as a bearer token or App Service authentication gives them).</summary>
    public static StaffIdentity? FromClaims(ClaimsPrincipal? principal, string? roleClaimType = null)
    {
        if (principal?.Identity is not { IsAuthenticated: true })
        {
            return null;
        }

        var oid = principal.FindFirst("http://schemas.microsoft.com/identity/claims/objectidentifier")?.Value ?? principal.FindFirst("oid")?.Value;
        if (string.IsNullOrWhiteSpace(oid))
        {
            return null;
        }

        var name = principal.FindFirst("name")?.Value ?? principal.FindFirst(ClaimTypes.Name)?.Value ?? principal.FindFirst("preferred_username")?.Value ?? "staff member";
        var roles = principal.Claims.Where(c => c.Type is "roles" or ClaimTypes.Role || c.Type == roleClaimType).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
        return new StaffIdentity(name.Trim(), oid.Trim(), Entra, roles);
    }
}

/// <summary>Named API keys for automation (section "ApiKeys": <c>ApiKeys:{name}:Key</c>, <c>ApiKeys:{name}:Roles</c>), one per caller.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "ApiKeys";

    public Dictionary<string, ApiKey> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One caller's key and the roles it carries (comma-separated; default Privacy.Staff).</summary>
public sealed class ApiKey
{
    public string Key { get; set; } = string.Empty;

    public string Roles { get; set; } = StaffRoles.Staff;
}

/// <summary>
/// The gate of the staff API, shared by both hosts (the Functions app's <see cref="StaffGateMiddleware"/>, the local host's
/// endpoint filter): a bearer token from Entra with the route's app role (when AzureAd:ClientId is set), or a named API key in
/// x-functions-key. Refused calls get a problem (401 without credentials, 403 without the role), and the handler never runs.
/// </summary>
public sealed class StaffGate(IOptions<ApiKeyOptions> keys, IServiceProvider services)
{
    public const string BearerScheme = "Bearer";

    /// <summary>Null when <paramref name="route"/> may go ahead (the identity is then on the context); otherwise the refusal.</summary>
    public async Task<IResult?> CheckAsync(HttpContext context, HttpRoute route)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        if (route.Access is not (RouteAccess.Staff or RouteAccess.Dpo or RouteAccess.Automation))
        {
            return null;
        }

        var identity = await AuthenticateAsync(context);
        if (identity is null)
        {
            return Responses.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"Staff endpoints need an Entra bearer token with the {StaffRoles.Staff} role, or an API key in the {Routes.StaffKeyHeader} header.", Routes.StaffKeyHeader);
        }

        if (!StaffRoles.Admit(route.Access, identity.Roles))
        {
            return Responses.Problem(StatusCodes.Status403Forbidden, "Forbidden",
                route.Access == RouteAccess.Dpo ? $"This endpoint is for the data protection officer (role {StaffRoles.Dpo})." : $"This endpoint needs the {StaffRoles.Staff} role.", "role");
        }

        identity.Attach(context);
        return null;
    }

    private async Task<StaffIdentity?> AuthenticateAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith(BearerScheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            if (services.GetService<IAuthenticationSchemeProvider>() is not { } schemes || await schemes.GetSchemeAsync(BearerScheme) is null)
            {
                return null;
            }

            var result = await context.AuthenticateAsync(BearerScheme);
            return result.Succeeded ? StaffIdentity.FromClaims(result.Principal) : null;
        }

        var given = context.Request.Headers[Routes.StaffKeyHeader].ToString();
        if (given.Length is 0 or > 512)
        {
            return null;
        }

        var givenHash = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        StaffIdentity? match = null;
        foreach (var (name, key) in keys.Value.Keys)
        {
            // Every key is compared, in constant time, so timing tells nothing about which one came close.
            if (key.Key.Length >= 16 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key.Key)), givenHash))
            {
                match = new StaffIdentity(name, name, StaffIdentity.ApiKey, key.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }

        return match;
    }
}

/// <summary>The Functions app's staff gate: before a staff route's trigger runs, <see cref="StaffGate"/> checks the caller (automation routes: the host checked the function key).</summary>
public sealed class StaffGateMiddleware(StaffGate gate) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (RouteTable.ForFunction(context.FunctionDefinition.Name) is { Access: RouteAccess.Staff or RouteAccess.Dpo } route
            && context.GetHttpContext() is { } http
            && await gate.CheckAsync(http, route) is { } refusal)
        {
            await refusal.ExecuteAsync(http);
            return;
        }

        await next(context);
    }
}
