using System.Reflection;
using System.Text.Json;
using JmlDsr.Functions.Configuration;
using JmlDsr.Functions.StaffConsole;
using Xunit;

namespace JmlDsr.Functions.Tests.Configuration;

/// <summary>Every app setting the code reads is in local.settings.sample.json and in the Bicep that deploys the app.</summary>
public sealed class SettingsCoverageTests
{
    private static readonly string Root = RepoPaths.Root;

    public static TheoryData<string> SettingsTheCodeReads()
    {
        var data = new TheoryData<string>();
        foreach (var (type, section) in new[] { (typeof(DsrOptions), DsrOptions.Section), (typeof(SecretOptions), DsrOptions.Section), (typeof(SendGridOptions), SendGridOptions.Section), (typeof(ConsoleOptions), ConsoleOptions.Section) })
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                data.Add($"{section}__{p.Name}");
            }
        }

        data.Add("DurableTaskHubName");
        return data;
    }

    [Fact]
    public void HostJson_StartsNewWorkflowsAtThisBuildsVersion_RunsOlderOnes_AndLeavesNewerOnesAlone()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "host.json")));
        var durable = doc.RootElement.GetProperty("extensions").GetProperty("durableTask");
        Assert.Equal(JmlDsr.Functions.Workflow.DsrVersions.Current, durable.GetProperty("defaultVersion").GetString());
        Assert.Equal("CurrentOrOlder", durable.GetProperty("versionMatchStrategy").GetString());
        Assert.Equal("Reject", durable.GetProperty("versionFailureStrategy").GetString());
    }

    [Theory]
    [MemberData(nameof(SettingsTheCodeReads))]
    public void Setting_IsInTheLocalSample(string setting)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")));
        Assert.True(doc.RootElement.GetProperty("Values").TryGetProperty(setting, out _), $"local.settings.sample.json lacks {setting}");
    }

    [Theory]
    [MemberData(nameof(SettingsTheCodeReads))]
    public void Setting_IsDeployedByBicep(string setting)
    {
        var bicep = string.Concat(Directory.GetFiles(Path.Combine(Root, "infra"), "*.bicep", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.True(bicep.Contains(setting + ":", StringComparison.Ordinal), $"No Bicep file sets the app setting {setting}");
    }

    [Fact]
    public void Storage_IsReachedByIdentity_InAzure_AndByConnectionString_Locally()
    {
        var bicep = File.ReadAllText(Path.Combine(Root, "infra", "modules", "functionapp.bicep"));
        Assert.Contains($"{ServiceCollectionExtensions.StorageSetting}__accountName:", bicep, StringComparison.Ordinal);
        Assert.Contains($"{ServiceCollectionExtensions.StorageSetting}__credential: 'managedidentity'", bicep, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", bicep, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")));
        Assert.True(doc.RootElement.GetProperty("Values").TryGetProperty(ServiceCollectionExtensions.StorageSetting, out _));
    }

    [Theory]
    [InlineData("Dsr__InboundKey")]
    [InlineData("Dsr__StaffKey")]
    [InlineData("Dsr__LinkSigningKey")]
    [InlineData("SendGrid__ApiKey")]
    public void Secrets_AreKeyVaultReferences_InAzure(string setting)
    {
        var bicep = File.ReadAllText(Path.Combine(Root, "infra", "modules", "functionapp.bicep"));
        var line = bicep.Split('\n').Single(l => l.TrimStart().StartsWith(setting + ":", StringComparison.Ordinal));
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AzureAd__Instance")]
    [InlineData("AzureAd__TenantId")]
    [InlineData("AzureAd__ClientId")]
    [InlineData("AzureAd__Audience")]
    public void StaffBearerTokenSettings_AreDeployed_AndInTheLocalSample(string setting)
    {
        Setting_IsDeployedByBicep(setting);
        Setting_IsInTheLocalSample(setting);
    }

    [Fact]
    public void TheEntraAppRoles_AreTheRolesTheAppChecks_AndEachAutomationKeyIsAKeyVaultReference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "infra", "entra", "app-roles.json")));
        var roles = doc.RootElement.EnumerateArray().Select(r => r.GetProperty("value").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([StaffRoles.Dpo, StaffRoles.Staff], roles);
        var bicep = File.ReadAllText(Path.Combine(Root, "infra", "modules", "functionapp.bicep"));
        Assert.Contains("'ApiKeys__${n}__Key', n => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/ApiKey-${n})'", bicep, StringComparison.Ordinal);
        Assert.DoesNotContain("DevSigningKey", bicep, StringComparison.Ordinal);
        Assert.DoesNotContain("DevAccounts", bicep, StringComparison.Ordinal);
    }
}
