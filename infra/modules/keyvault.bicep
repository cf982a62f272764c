// Key Vault (RBAC) holding the app's secrets; the Function App reads them through Key Vault references.
param name string
param location string
param tags object

@secure()
param sendGridApiKey string
@secure()
@description('Empty: the marketing connector uses the mail key, and no secret is made.')
param sendGridMarketingApiKey string = ''
@secure()
param inboundKey string
@secure()
param linkSigningKey string
@secure()
param staffKey string
@secure()
@description('API keys for automation, one per caller (name: key).')
param apiKeys object
@secure()
@description('Secrets the data map\'s connectors name (setting name: value).')
param connectorSecrets object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource sendGrid 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'SendGridApiKey'
  properties: { value: sendGridApiKey }
}

resource sendGridMarketing 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(sendGridMarketingApiKey)) {
  parent: vault
  name: 'SendGridMarketingApiKey'
  properties: { value: sendGridMarketingApiKey }
}

resource inbound 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'InboundKey'
  properties: { value: inboundKey }
}

resource linkSigning 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'LinkSigningKey'
  properties: { value: linkSigningKey }
}

resource staff 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'StaffKey'
  properties: { value: staffKey }
}

output name string = vault.name
output uri string = vault.properties.vaultUri

// One secret per automation caller: ApiKey-<name>, read by the app as ApiKeys__<name>__Key.
resource apiKeySecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for key in items(apiKeys): {
  parent: vault
  name: 'ApiKey-${key.key}'
  properties: { value: key.value }
}]

// One secret per connector setting: Connector-<setting, with - for _>, read by the app under the setting's own name.
resource connectorSecretValues 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secret in items(connectorSecrets): {
  parent: vault
  name: 'Connector-${replace(secret.key, '_', '-')}'
  properties: { value: secret.value }
}]
