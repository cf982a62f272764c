using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace JmlDsr.Functions.StaffConsole;

/// <summary>
/// Bearer tokens for the staff API from Entra ID (section "AzureAd": Instance, TenantId, ClientId — the app registration
/// whose app roles are Privacy.Staff and Privacy.Dpo), validated by Microsoft.Identity.Web. Off while AzureAd:ClientId is empty.
/// </summary>
public static class StaffBearerTokens
{
    public const string Section = "AzureAd";

    /// <summary>The issuer of tokens signed with AzureAd:DevSigningKey (local development and tests only; refused in Azure).</summary>
    public const string DevIssuer = "https://login.microsoftonline.com/00000000-0000-0000-0000-00000000dev0/v2.0";

    public static IServiceCollection AddStaffBearerTokens(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        if (string.IsNullOrWhiteSpace(section["ClientId"]))
        {
            return services;
        }

        // The bearer scheme is used only by the staff gate, on staff routes. Without this switch ASP.NET Core makes the only
        // scheme the default and its automatic authentication middleware runs it on every call (links and downloads
        // included), logging each one-dot link token as a malformed JWT.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication().AddMicrosoftIdentityWebApi(section, StaffGate.BearerScheme);
        if (section["DevSigningKey"] is { Length: >= 32 } devKey)
        {
            if (string.Equals(configuration["Console:TrustPlatformAuth"], "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("AzureAd:DevSigningKey is for local development only: it must not be set where platform sign-in (Console:TrustPlatformAuth) is on.");
            }

            // Local development: the local host's own issuer stands for Entra (no network here); everything else is
            // Microsoft.Identity.Web's validation (audience, lifetime, signature, the roles claim).
            var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(devKey));
            services.PostConfigure<JwtBearerOptions>(StaffGate.BearerScheme, o =>
            {
                var oidc = new OpenIdConnectConfiguration { Issuer = DevIssuer };
                oidc.SigningKeys.Add(key);
                o.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(oidc);
                o.TokenValidationParameters.IssuerSigningKey = key;
                o.TokenValidationParameters.ValidIssuer = DevIssuer;
                o.TokenValidationParameters.IssuerValidator = null;
            });
        }

        return services;
    }
}
