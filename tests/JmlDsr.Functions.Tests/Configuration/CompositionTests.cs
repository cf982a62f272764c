using System.Reflection;
using System.Text.RegularExpressions;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace JmlDsr.Functions.Tests.Configuration;

/// <summary>
/// The Functions app's composition, built as Program.cs builds it (<see cref="FunctionsApp.ConfigureDsr"/>) with the app
/// settings the Bicep deploys (Key Vault references resolved to stand-in secrets): every service the app registers, every
/// function class the worker activates and every route's handler resolves, and the options validate as at start-up.
/// </summary>
public sealed class CompositionTests
{
    private static readonly Assembly App = typeof(RouteTable).Assembly;

    [Fact]
    public void TheWorker_ComposedWithAzuresSettings_ResolvesEveryServiceFunctionClassAndHandler()
    {
        using var host = Build(AzureAppSettings(), out var registered);
        var services = host.Services;
        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.NotEmpty(registered);
        foreach (var type in registered)
        {
            Assert.True(services.GetService(type) is not null, $"{type.Name} is registered but does not resolve.");
        }

        // The worker activates function classes itself (ActivatorUtilities), from the container: a constructor
        // dependency that is not registered fails here, not on the first call in Azure.
        var functionClasses = App.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }
            && t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null)).ToList();
        Assert.NotEmpty(functionClasses);
        foreach (var type in functionClasses)
        {
            Assert.NotNull(ActivatorUtilities.CreateInstance(services, type));
        }
    }

    [Fact]
    public async Task EveryRoute_ReachesAHandlerTheWorkerCanResolve()
    {
        using var host = Build(AzureAppSettings());
        foreach (var route in RouteTable.All)
        {
            // The route's call asks its request's services for its handler: a probe records which, and stops it there.
            var probe = new ProbeServices();
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = probe };
            await Assert.ThrowsAsync<ProbeServices.Stopped>(() => route.InvokeAsync(context.Request, "DSR-2026-000001", null, CancellationToken.None));
            Assert.True(host.Services.GetService(probe.Asked!) is not null, $"{route.Method} /{route.Template} calls {probe.Asked!.Name}, which the worker cannot resolve.");
        }
    }

    private sealed class ProbeServices : IServiceProvider
    {
        public Type? Asked { get; private set; }

        public object? GetService(Type serviceType)
        {
            Asked = serviceType;
            throw new Stopped();
        }

        public sealed class Stopped : Exception;
    }

    [Theory]
    [InlineData("Dsr:LinkSigningKey", "short", "LinkSigningKey")]
    [InlineData("Dsr:PublicBaseUrl", "", "PublicBaseUrl")]
    [InlineData("SendGrid:ApiKey", "", "ApiKey")]
    public void AnInvalidSetting_FailsTheStart_NamingIt(string key, string value, string named)
    {
        var settings = AzureAppSettings();
        settings[key] = value;
        using var host = Build(settings);
        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithPlatformSignIn_TheConsoleOffersNoStaffKeySignIn()
    {
        using var host = Build(AzureAppSettings());
        var auth = host.Services.GetRequiredService<JmlDsr.Functions.StaffConsole.StaffAuth>();
        Assert.True(auth.UsesPlatformSignIn);
        Assert.Empty(auth.DevAccounts);
    }

    [Fact]
    public void TheDevelopmentTokenIssuer_CannotBeSwitchedOnInAzure()
    {
        var settings = AzureAppSettings();
        settings["AzureAd:DevSigningKey"] = "dev-bearer-signing-key-0123456789abcdef-not-for-production";
        var failure = Assert.Throws<InvalidOperationException>(() => Build(settings));
        Assert.Contains("DevSigningKey", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The app settings functionapp.bicep deploys, as the Functions host would see them (section separators as ':').</summary>
    internal static Dictionary<string, string?> AzureAppSettings()
    {
        var bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "modules", "functionapp.bicep"));
        var block = bicep[bicep.IndexOf("name: 'appsettings'", StringComparison.Ordinal)..];
        block = block[..block.IndexOf("\n}\n", StringComparison.Ordinal)];
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in Regex.Matches(block, @"^\s{4}(\w+): (.+)$", RegexOptions.Multiline))
        {
            var value = m.Groups[2].Value.Trim();
            settings[m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal)] = value switch
            {
                _ when value.Contains("@Microsoft.KeyVault", StringComparison.Ordinal) => "secret-from-key-vault-0123456789abcdef-0123456789",
                _ when value.StartsWith('\'') && !value.Contains("${", StringComparison.Ordinal) => value.Trim('\''),
                _ when value.Contains("empty(consoleAuthClientId)", StringComparison.Ordinal) => "true",
                _ when value.Contains("defaultHostName", StringComparison.Ordinal) => "https://func-jmldsr.azurewebsites.net",
                _ when value.Contains("primaryEndpoints", StringComparison.Ordinal) => "https://stjmldsr.core.windows.net/",
                _ => Example(m.Groups[1].Value, value),
            };
        }

        // The automation callers' keys (ApiKeys__<caller>__Key, from the apiKeys parameter), as one caller would give them.
        settings["ApiKeys:erp-sync:Key"] = "secret-from-key-vault-0123456789abcdef-0123456789";
        return settings;
    }

    private static string Example(string setting, string expression) => expression switch
    {
        "storage.name" => "stjmldsr",
        "identityClientId" => "11111111-1111-1111-1111-111111111111",
        "appInsightsConnectionString" => "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://uksouth-1.in.applicationinsights.azure.com/",
        "caseFileRetention" => "P6Y",
        "sendGridEventWebhookPublicKey" => string.Empty,
        "consoleAuthClientId" => "22222222-2222-2222-2222-222222222222",
        "internalDomains" => "jmlsoftware.co.uk",
        "dataMapPath" => string.Empty,
        _ when setting.Contains("Address", StringComparison.Ordinal) => "privacy@jmlsoftware.co.uk",
        _ when expression.Contains("tenant()", StringComparison.Ordinal) => "33333333-3333-3333-3333-333333333333",
        _ => expression,
    };

    private static IHost Build(Dictionary<string, string?> settings) => Build(settings, out _);

    /// <param name="own">Every service type the composition registers whose type or implementation is the app's own (its middleware included).</param>
    private static IHost Build(Dictionary<string, string?> settings, out List<Type> own)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ConfigureDsr();
        own = builder.Services.Where(d => !d.ServiceType.IsGenericTypeDefinition && (IsOwn(d.ServiceType) || (d.ImplementationType is { } i && IsOwn(i))))
            .Select(d => d.ServiceType).Distinct().ToList();
        return builder.Build();
    }

    private static bool IsOwn(Type type) => type.Assembly.GetName().Name!.StartsWith("JmlDsr", StringComparison.Ordinal);
}
