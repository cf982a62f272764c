// The Function App on Flex Consumption (isolated worker, .NET 10), running as the user-assigned identity.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param appInsightsConnectionString string
param keyVaultUri string
param privacyTeamAddress string
param dpoAddress string
param fromAddress string
param internalDomains string
@description('The data map file (relative to the app), or empty for the shipped one.')
param dataMapPath string
param consoleAuthClientId string
@description('Names of the automation callers whose API keys are in Key Vault (ApiKey-<name>).')
param apiKeyNames array
@description('Azure SQL databases the data map\'s sql systems reach: { "<connection>": { server: "<name>.database.windows.net", database: "<db>" } }, each by the app\'s managed identity.')
param sqlDatabases object = {}
@description('Plain settings the data map\'s connectors name (setting name: value).')
param connectorSettings object = {}
@description('Names of the connector settings whose values are in Key Vault (Connector-<name, - for _>).')
param connectorSecretNames array = []
param sendGridEventWebhookPublicKey string
@description('True when Key Vault holds SendGridMarketingApiKey; false: the sendgrid-marketing connector uses the mail key.')
param sendGridMarketingKeyInVault bool = false
@description('How long a case file is kept after its request closes (ISO 8601 duration).')
param caseFileRetention string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
  }
}

// Every setting the code reads (a test checks this list against the options classes). Secrets are
// Key Vault references resolved with the user-assigned identity.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(apiKeySettings, sqlSettings, connectorSettings, connectorSecretSettings, {
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    DurableTaskHubName: 'JmlDsr'
    Dsr__PrivacyTeamAddress: privacyTeamAddress
    Dsr__DpoAddress: dpoAddress
    Dsr__FromAddress: fromAddress
    Dsr__FromName: 'JML Privacy Team'
    Dsr__PublicBaseUrl: 'https://${site.properties.defaultHostName}'
    Dsr__InternalDomains: internalDomains
    DataMap__Path: dataMapPath
    Dsr__VerificationWindow: '30.00:00:00'
    Dsr__ApprovalLinkLifetime: '14.00:00:00'
    Dsr__ExportLinkLifetime: '30.00:00:00'
    Dsr__GatherAttempts: '4'
    Dsr__GatherFirstRetry: '00:00:15'
    Dsr__StepAutoRetry: '00:30:00'
    Dsr__PausedSystemCheck: '00:15:00'
    Dsr__ExtraBankHolidays: ''
    Dsr__ClarificationWindow: '30.00:00:00'
    Dsr__ReminderDaysBefore: '7,2'
    Dsr__RestrictionLiftNotice: '7.00:00:00'
    Dsr__IntakeAddresses: fromAddress
    Dsr__LoopGuard: 'true'
    Dsr__MaxEmailsPerAddressPerHour: '20'
    Dsr__MaxNewRequestsPerSenderPerDay: '5'
    Dsr__CaseFileRetention: caseFileRetention
    Dsr__SetAsideRetention: 'P90D'
    Dsr__WatchdogGrace: '00:15:00'
    // The deadline watchdog's timer runs hourly (DeadlineWatchdogTimer, 40 minutes past): the interval says so to the console.
    Dsr__WatchdogInterval: '01:00:00'
    Dsr__InboundKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/InboundKey)'
    Dsr__StaffKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/StaffKey)'
    Dsr__LinkSigningKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/LinkSigningKey)'
    Dsr__LinkSigningKeyPrevious: ''
    SendGrid__ApiKey: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/SendGridApiKey)'
    SendGrid__Host: ''
    SendGrid__MarketingApiKey: sendGridMarketingKeyInVault ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/SendGridMarketingApiKey)' : ''
    SendGrid__EventWebhookPublicKey: sendGridEventWebhookPublicKey
    SendGrid__ConfirmationGrace: '00:03:00'
    Console__TrustPlatformAuth: empty(consoleAuthClientId) ? 'false' : 'true'
    Console__SessionLifetime: '08:00:00'
    // Staff API bearer tokens (Microsoft.Identity.Web): Entra ID tokens for this app, with its app roles.
    AzureAd__Instance: environment().authentication.loginEndpoint
    AzureAd__TenantId: tenant().tenantId
    AzureAd__ClientId: consoleAuthClientId
    AzureAd__Audience: empty(consoleAuthClientId) ? '' : 'api://${consoleAuthClientId}'
  })
}

// Each automation caller's key, a Key Vault reference; its roles default to Privacy.Staff.
// A sql system's connection string: Azure SQL by the app's user-assigned identity, no password (grant it in the database).
var sqlSettings = toObject(objectKeys(sqlDatabases), n => 'ConnectionStrings__${n}', n => 'Server=tcp:${sqlDatabases[n].server},1433;Database=${sqlDatabases[n].database};Authentication=Active Directory Managed Identity;User Id=${identityClientId};Encrypt=True')
var connectorSecretSettings = toObject(connectorSecretNames, n => n, n => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/Connector-${replace(n, '_', '-')})')
var apiKeySettings = toObject(apiKeyNames, n => 'ApiKeys__${n}__Key', n => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/ApiKey-${n})')

// Staff console behind Entra ID (App Service authentication). Anonymous requests still reach the app: the webhook and the
// signed links must work, and the app itself refuses anyone without the app role (Privacy.Staff, Privacy.Dpo) in the
// principal's claims. The app registration requires assignment (infra/hooks/entra-app.sh), so only assigned staff sign in.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(consoleAuthClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: consoleAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [ 'api://${consoleAuthClientId}', consoleAuthClientId ]
        }
      }
    }
    login: { tokenStore: { enabled: true } }
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
