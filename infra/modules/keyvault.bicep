// Key Vault for customer secrets in client_secret mode (federated mode stores none). RBAC only.

@description('Required. Region; UK South only (data residency promise).')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Tags for the resource.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109: no VNet in v1; identity-only access (keys off), private endpoints are the documented next step; Functions is not a trusted service for the vault firewall
  // checkov:skip=CKV_AZURE_189: no VNet in v1; identity-only access (keys off), private endpoints are the documented next step
  // checkov:skip=CKV_AZURE_110: purge protection would stop offboarding purging a customer secret at once (7-day deletion promise)
  // checkov:skip=CKV_AZURE_42: soft delete is on (7 days); purge protection is off on purpose, see CKV_AZURE_110
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    // Soft delete cannot be turned off; 7 days is the shortest retention Azure allows.
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // Purge protection stays OFF on purpose: offboarding deletes a customer's secret and then purges it
    // at once. With purge protection on, the soft-deleted secret would survive the full retention
    // after the purge ran, and the 7-day deletion promise could not hold. (Omitted rather than false:
    // ARM refuses enablePurgeProtection=false, and once turned on it can never be turned off.)
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
