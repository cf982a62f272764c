// JmlDsr on Azure: Function App (Flex Consumption, isolated .NET 10) with a user-assigned managed
// identity; storage without shared keys; Key Vault for secrets; Application Insights without local auth.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used in resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Where staff decisions, alerts and reminders go.')
param privacyTeamAddress string = 'privacy@jmlsoftware.co.uk'

@description('The Data Protection Officer: escalations at the due date.')
param dpoAddress string = 'dpo@jmlsoftware.co.uk'

@description('The sender of every email (the privacy mailbox, verified in SendGrid).')
param fromAddress string = 'privacy@jmlsoftware.co.uk'

@description('JML mail domains, comma-separated: mail from these is internal (forwarded by staff).')
param internalDomains string = 'jmlsoftware.co.uk'

@description('The data map this environment uses (a file published with the app, e.g. config/datamap.production.yaml); empty = the shipped config/datamap.yaml.')
param dataMapPath string = ''

@description('Azure SQL databases the data map\'s sql systems reach, by connection name: { "Licensing": { server: "sql-jml.database.windows.net", database: "licensing" } }. The app connects with its managed identity.')
param sqlDatabases object = {}

@description('Plain settings the data map\'s connectors name (an http system\'s base URL): { "SupportDesk__BaseUrl": "https://support.jml.example/" }.')
param connectorSettings object = {}

@secure()
@description('Secrets the data map\'s connectors name (an http system\'s shared secret): { "SupportDesk__Secret": "<32+ random characters>" }. Each goes to Key Vault (Connector-<name with - for _>) and reaches the app as a Key Vault reference.')
param connectorSecrets object = {}

@description('Backstop: days after which the lifecycle rule deletes an export or gathered copy the app has not (it deletes them when the request closes).')
@minValue(1)
param exportRetentionDays int = 30

@description('How long a case file is kept after its request closes (ISO 8601 duration; six years, the limitation period).')
param caseFileRetention string = 'P6Y'

@description('Backstop: days after which the lifecycle rule deletes raw inbound mail (the case-file period plus a year).')
@minValue(30)
param inboundRawRetentionDays int = 2557

@description('Entra ID app (client) id of JmlDsr\'s app registration (app roles Privacy.Staff, Privacy.Dpo; created and assigned by infra/hooks/entra-app.sh). It signs staff in to the console (App Service authentication) and is the audience of staff API bearer tokens. Empty = neither (development only).')
param consoleAuthClientId string = ''

@secure()
@description('API keys for automation, one per caller: { "erp-sync": "<32+ characters>" }. Each is stored in Key Vault and named in the audit of what it does.')
param apiKeys object = {}

@description('SendGrid Signed Event Webhook verification key (base64, Mail Settings > Event Webhook); empty = delivery events refused.')
param sendGridEventWebhookPublicKey string = ''

@secure()
@description('SendGrid API key (Mail Send).')
param sendGridApiKey string

@secure()
@description('SendGrid API key with the Marketing and Suppressions scopes, for the data map\'s sendgrid-marketing systems (SendGrid__MarketingApiKey); empty = the mail key.')
param sendGridMarketingApiKey string = ''

@secure()
@description('Shared secret SendGrid Inbound Parse sends as the basic-auth password of its URL (16+ characters).')
param inboundKey string

@secure()
@description('HMAC key for signed links (32+ characters).')
param linkSigningKey string

@secure()
@description('Development staff key (16+ characters): console sign-in as a development account, which is off when Entra sign-in is configured. Not an API key.')
param staffKey string

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: { name: 'id-${resourceToken}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: { logAnalyticsName: 'log-${resourceToken}', appInsightsName: 'appi-${resourceToken}', location: location, tags: tags }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: { name: 'st${resourceToken}', location: location, tags: tags, exportRetentionDays: exportRetentionDays, inboundRawRetentionDays: inboundRawRetentionDays }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  name: 'keyvault'
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    sendGridApiKey: sendGridApiKey
    sendGridMarketingApiKey: sendGridMarketingApiKey
    inboundKey: inboundKey
    linkSigningKey: linkSigningKey
    staffKey: staffKey
    apiKeys: apiKeys
    connectorSecrets: connectorSecrets
  }
}

module roles 'modules/roles.bicep' = {
  scope: rg
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  name: 'functionapp'
  dependsOn: [roles]
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: union(tags, { 'azd-service-name': 'functions' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    privacyTeamAddress: privacyTeamAddress
    dpoAddress: dpoAddress
    fromAddress: fromAddress
    internalDomains: internalDomains
    dataMapPath: dataMapPath
    sqlDatabases: sqlDatabases
    connectorSettings: connectorSettings
    connectorSecretNames: objectKeys(connectorSecrets)
    consoleAuthClientId: consoleAuthClientId
    apiKeyNames: objectKeys(apiKeys)
    sendGridEventWebhookPublicKey: sendGridEventWebhookPublicKey
    sendGridMarketingKeyInVault: !empty(sendGridMarketingApiKey)
    caseFileRetention: caseFileRetention
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_FUNCTIONS_ENDPOINT string = functionApp.outputs.url
// The Inbound Parse URL without its key: SendGrid is given https://sendgrid:<inbound key>@<host>/api/inbound/sendgrid
// (basic auth, which arrives as an Authorization header and so stays out of request logs). Outputs never hold the key.
output INBOUND_PARSE_URL_WITHOUT_KEY string = '${functionApp.outputs.url}/api/inbound/sendgrid'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
