using JmlDsr.Pages;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using JmlDsr.Functions.Approval;
using JmlDsr.Functions.Fulfilment;
using JmlDsr.Functions.Gathering;
using JmlDsr.Functions.Http;
using JmlDsr.Functions.Intake;
using JmlDsr.Functions.Links;
using JmlDsr.Functions.Mail;
using JmlDsr.Functions.Storage;
using JmlDsr.Functions.Workflow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SendGrid;

namespace JmlDsr.Functions.Configuration;

/// <summary>Everything both hosts need: options (validated at start-up), storage, mail, links, handlers, activities.</summary>
public static class ServiceCollectionExtensions
{
    public const string StorageSetting = "AzureWebJobsStorage";

    public static IServiceCollection AddDsrServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DsrOptions>().BindConfiguration(DsrOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DsrOptions>, DsrOptionsValidator>();
        services.AddPages();
        services.AddOptions<SecretOptions>().BindConfiguration(DsrOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SendGridOptions>().BindConfiguration(SendGridOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        var (tables, blobs, queues) = StorageClients(configuration);
        services.AddSingleton(tables);
        services.AddSingleton(blobs);
        services.AddSingleton(queues);
        services.AddSingleton<DsrStorage>();
        services.AddSingleton(_ => DataMapSource.Load(configuration));
        services.AddSingleton<RequestRepository>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<DecisionStore>();
        services.AddSingleton<SystemWriter>();
        services.AddSingleton<RightsEvidence>();
        services.AddSingleton<JmlDsr.Functions.Retention.CaseFiles>();
        services.AddSingleton<JmlDsr.Functions.Retention.Housekeeping>();
        services.AddSingleton<JmlDsr.Functions.Fulfilment.ScheduledErasures>();
        services.AddSingleton<JmlDsr.Functions.Deadlines.DeadlineWatchdog>();
        services.AddSingleton<ProcessingPolicy>();
        services.AddSingleton<StaffStepRequest>();
        services.AddSingleton<LinkService>();
        services.AddSingleton<SystemConnector>();
        services.AddSingleton<Connectors.IConnector, Connectors.TableConnector>();
        services.AddSingleton<Connectors.IConnector, Connectors.SqlConnector>();
        services.AddSingleton<Connectors.IConnector, Connectors.SendGridMarketingConnector>();
        services.AddSingleton<Connectors.IConnector, Connectors.HttpConnector>();
        services.AddSingleton<Connectors.IConnector, Connectors.OwnerTaskConnector>();
        services.AddSingleton<OwnerTasks>();
        services.AddSingleton<OwnerTaskHandler>();
        services.AddSingleton<RequestSystemStates>();
        services.AddSingleton<SystemPauses>();
        services.AddHttpClient(Connectors.HttpConnector.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30)).RemoveAllLoggers();
        // Its calls name a person's address in SendGrid's paths (the suppression lookup): the client logs no request lines.
        services.AddHttpClient(Connectors.SendGridMarketingConnector.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30)).RemoveAllLoggers();
        services.AddSingleton<WorkflowStarter>();

        services.AddHttpClient(nameof(SendGridClient));
        services.AddSingleton<ISendGridClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SendGridOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(SendGridClient));
            var clientOptions = new SendGridClientOptions { ApiKey = o.ApiKey };
            if (!string.IsNullOrWhiteSpace(o.Host))
            {
                clientOptions.Host = o.Host.TrimEnd('/');
            }

            return new SendGridClient(http, clientOptions);
        });
        services.AddSingleton<Mailer>();
        services.AddSingleton<MailEventsHandler>();

        services.AddSingleton<InboundHandler>();
        services.AddSingleton<SetAsideStore>();
        services.AddSingleton<SetAsideHandler>();
        services.AddSingleton<PendingStarts>();
        services.AddSingleton<IntakeStarter>();
        services.AddSingleton<RequestsHandler>();
        services.AddSingleton<EvidenceHandler>();
        services.AddSingleton<LegalHoldsHandler>();
        services.AddSingleton<DecisionForms>();
        services.AddSingleton<Verification.IdentityForms>();
        services.AddSingleton<Verification.IdentityAnswers>();
        services.AddSingleton<Intake.RequestLinks>();
        services.AddSingleton<LinkCookies>();
        services.AddSingleton<LinksHandler>();
        services.AddSingleton<ExportsHandler>();
        services.AddOptions<StaffConsole.ConsoleOptions>().BindConfiguration(StaffConsole.ConsoleOptions.Section);
        services.AddSingleton<StaffConsole.StaffAuth>();
        services.AddOptions<StaffConsole.ApiKeyOptions>().Configure(o => configuration.GetSection(StaffConsole.ApiKeyOptions.Section).Bind(o.Keys));
        services.AddSingleton<StaffConsole.StaffGate>();
        StaffConsole.StaffBearerTokens.AddStaffBearerTokens(services, configuration);
        services.AddSingleton<StaffConsole.ConsoleHandler>();
        services.AddDsrActivities();
        services.AddDsrHealth();
        return services;
    }

    /// <summary>
    /// Table, blob and queue clients on the AzureWebJobsStorage account: a connection string locally, or
    /// AzureWebJobsStorage__accountName (+ __clientId) with a managed identity in Azure.
    /// </summary>
    public static (TableServiceClient Tables, BlobServiceClient Blobs, QueueServiceClient Queues) StorageClients(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connection = configuration[StorageSetting];
        if (!string.IsNullOrWhiteSpace(connection))
        {
            return (new TableServiceClient(connection), new BlobServiceClient(connection), new QueueServiceClient(connection, PendingStarts.ClientOptions));
        }

        var account = configuration[$"{StorageSetting}:accountName"]
            ?? throw new InvalidOperationException($"Set {StorageSetting} (a connection string) or {StorageSetting}__accountName (managed identity).");
        var clientId = configuration[$"{StorageSetting}:clientId"];
        TokenCredential credential = string.IsNullOrWhiteSpace(clientId) ? new DefaultAzureCredential() : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        return (new TableServiceClient(new Uri($"https://{account}.table.core.windows.net"), credential),
                new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), credential),
                new QueueServiceClient(new Uri($"https://{account}.queue.core.windows.net"), credential, PendingStarts.ClientOptions));
    }
}
