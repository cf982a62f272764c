// One storage account for Durable state, the app's tables and blobs, and the Flex deployment package.
// Shared-key access is off: everything uses the managed identity. The app deletes its own copies on schedule
// (working copies when a request closes, case files after Dsr__CaseFileRetention); lifecycle rules are the backstop.
param name string
param location string
param tags object
param exportRetentionDays int
@description('Backstop for raw inbound mail: days after which a raw email is deleted even if the app has not (the case-file period plus the longest a request stays open).')
param inboundRawRetentionDays int

var containers = ['inbound-raw', 'gathered', 'exports', 'evidence', 'deployment-package']

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // A deleted blob can be restored for 7 days (operator mistakes), then it is gone; no versioning, so no old copies.
    deleteRetentionPolicy: { enabled: true, days: 7 }
    isVersioningEnabled: false
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for c in containers: {
  parent: blobService
  name: c
  properties: { publicAccess: 'None' }
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

// Backstops only: the app deletes exports and gathered copies when the request closes (access: when the link ends), and
// raw mail with the case file. These rules catch anything a failure left behind.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['exports/'] }
            actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: exportRetentionDays } } }
          }
        }
        {
          name: 'expire-gathered'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['gathered/'] }
            actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: exportRetentionDays } } }
          }
        }
        {
          name: 'expire-inbound-raw'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['inbound-raw/'] }
            actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: inboundRawRetentionDays } } }
          }
        }
      ]
    }
  }
}

output name string = account.name
output deploymentContainerName string = 'deployment-package'
