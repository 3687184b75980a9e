// Blob and Table storage for customer data. Identity-only access (no shared keys, no public blobs),
// locally redundant within UK South, doubly encrypted, and configured so no deleted copy outlives the
// 7-day deletion promise: short soft delete, no versions, lifecycle rules by kind of blob (raw data and
// exports expire by age; reports never do).
// tests/infra/test_deletion_budget.py recomputes the budget from the values below.

@description('Required. Region; UK South only (data residency promise).')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Redundancy. LRS or ZRS only: geo-redundant SKUs copy data to another region.')
@allowed(['Standard_LRS', 'Standard_ZRS'])
param skuName string = 'Standard_ZRS'

@description('Optional. Days a deleted blob stays recoverable (1-2: the deletion budget has no room for more).')
@minValue(1)
@maxValue(2)
param blobSoftDeleteDays int = 1

@description('Optional. Days a deleted container stays recoverable (1-2, same budget).')
@minValue(1)
@maxValue(2)
param containerSoftDeleteDays int = 1

@description('Optional. Age in days after which raw scan data is deleted even if the app never did.')
@minValue(1)
@maxValue(3)
param rawDataMaxAgeDays int = 2

@description('Optional. Age in days after which an export zip is deleted (the customer downloads it at once; the export is a copy of data held elsewhere).')
@minValue(1)
@maxValue(2)
param exportMaxAgeDays int = 1

@description('Optional. Every table the app uses, created here so no request pays a create round trip (the app still creates a missing one on first use). tests/infra/test_tables.py keeps this list equal to the code.')
param tableNames array = [
  'customers'
  'scans'
  'audit'
  'purges'
  'schedules'
  'certificates'
  'costquota'
  'signins'
  'proofs'
  'tombstones'
  'ratelimits'
]

@description('Optional. Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string = 'app-package'

@description('Optional. Tags for the resources.')
param tags object = {}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35: no VNet in v1; identity-only access (keys off), private endpoints are the documented next step
  // checkov:skip=CKV_AZURE_59: no VNet in v1; identity-only access (keys off), private endpoints are the documented next step; allowBlobPublicAccess false is checked by CKV_CALETA_3
  // checkov:skip=CKV_AZURE_206: geo-redundant replication would copy customer data out of UK South; LRS/ZRS only (data residency)
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    // No VNet yet: the Flex app reaches storage over the public endpoint, authenticated by Entra ID only.
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      // The second AES-256 layer (infrastructure encryption) can only be chosen when the account is created.
      requireInfrastructureEncryption: true
      keySource: 'Microsoft.Storage'
      services: {
        blob: { enabled: true, keyType: 'Account' }
        file: { enabled: true, keyType: 'Account' }
        table: { enabled: true, keyType: 'Account' }
        queue: { enabled: true, keyType: 'Account' }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: containerSoftDeleteDays
    }
    // Versions survive soft-delete expiry, so they would break the deletion promise.
    isVersioningEnabled: false
    // Change feed and point-in-time restore keep history of customer blobs; both stay off.
    changeFeed: { enabled: false }
    restorePolicy: { enabled: false }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Customer containers are created by the app at onboarding, one per customer with an opaque name, so a
// prefix rule cannot reach a kind of blob inside them. The app tags every blob with the index tag
// `caleta-data` (shared/storage/blobs.py) and these rules select by tag:
// - raw: raw scan data, deleted after rawDataMaxAgeDays even if the purge never ran (the deletion budget);
// - export: export zips, a copy of data held elsewhere, deleted after exportMaxAgeDays;
// - report: no rule. The review history needs reports for as long as the customer stays; the purge deletes
//   them with the container, and the backstop's container sweep deletes a container no customer owns.
// tests/infra/test_deletion_budget.py shows that no rule can match a report. Lifecycle runs once a day and
// may lag up to 48 h (deletion budget).
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'raw-data-backstop'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              blobIndexMatch: [
                { name: 'caleta-data', op: '==', value: 'raw' }
              ]
            }
            actions: {
              baseBlob: {
                delete: { daysAfterCreationGreaterThan: rawDataMaxAgeDays }
              }
            }
          }
        }
        {
          name: 'export-expiry'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              blobIndexMatch: [
                { name: 'caleta-data', op: '==', value: 'export' }
              ]
            }
            actions: {
              baseBlob: {
                delete: { daysAfterCreationGreaterThan: exportMaxAgeDays }
              }
            }
          }
        }
      ]
    }
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for table in tableNames: {
  parent: tableService
  name: table
}]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output tableEndpoint string = account.properties.primaryEndpoints.table
output queueEndpoint string = account.properties.primaryEndpoints.queue
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
