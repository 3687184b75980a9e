// Caleta Cost Review in UK South: one resource group holding the function app and everything it uses.
// Deployed with `azd up` (azure.yaml at the repository root); see docs/deploy.md for the one-time steps
// ARM cannot do (the model pre-flight, the two app registrations with the federated credential and the MFA
// policy, the mailbox policy, the tunnel) and for `python infra/verify_deploy.py`, run after the first deploy.
targetScope = 'subscription'

// ---------------------------------------------------------------- parameters

@description('Required. azd environment name; prefixes the resource group and seeds resource names.')
@minLength(1)
@maxLength(40)
param environmentName string

@description('Required. Region of every resource. UK South only: the data residency promise.')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Client id of Caleta\'s multi-tenant app registration (federated mode).')
param caletaAppClientId string

@description('Required. Audience of the admin API access tokens: the admin app registration\'s Application ID URI, api://<admin app client id> (docs/deploy.md section 2b).')
@minLength(7)
param adminApiAudience string

@description('Required. Microsoft 365 mailbox notifications are sent from.')
param notifyMailbox string

@description('Required. Public base URL of the API (the Cloudflare hostname).')
param publicBaseUrl string

@description('Required. Comma-separated egress CIDRs of the Cloudflare Tunnel connector.')
@minLength(1)
param tunnelEgressCidrs string

@description('Optional. Storage redundancy: LRS or ZRS, never geo-redundant.')
@allowed(['Standard_LRS', 'Standard_ZRS'])
param storageSku string = 'Standard_ZRS'

@description('Optional. Purge backstop timer (NCRONTAB, six fields).')
param purgeTimer string = '0 30 2 * * *'

@description('Optional. The narrative model: Standard (regional, per token), ProvisionedManaged (regional PTU) or None (no Foundry resource; the product writes its deterministic narrative). docs/deploy.md section 1 sets out the three.')
@allowed(['Standard', 'ProvisionedManaged', 'None'])
param aiDeploymentType string = 'None'

@description('Optional. Model name (ignored with None); check uksouth offers it for the type first (docs/deploy.md).')
param aiModelName string = 'gpt-5-mini'

@description('Optional. Model version (ignored with None).')
param aiModelVersion string = '2025-08-07'

@description('Optional. Capacity: thousands of tokens per minute for Standard, PTUs for ProvisionedManaged (ignored with None).')
@minValue(1)
param aiCapacity int = 25

// ---------------------------------------------------------------- names

var token = toLower(uniqueString(subscription().id, environmentName, location))
// No model means no Foundry resource at all: AI_ENDPOINT stays empty and the narrative is deterministic.
var aiEnabled = aiDeploymentType != 'None'
var aiAccountName = 'ai-caleta-${token}'
var tags = {
  'azd-env-name': environmentName
  product: 'caleta-cost-review'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------- resources

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    location: location
    name: 'id-caleta-${token}'
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    workspaceName: 'log-caleta-${token}'
    appInsightsName: 'appi-caleta-${token}'
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    name: 'stcaleta${token}'
    skuName: storageSku
    tags: tags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    location: location
    name: 'sb-caleta-${token}'
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    name: 'kv-caleta-${take(token, 12)}'
    tags: tags
  }
}

module ai 'modules/ai.bicep' = if (aiEnabled) {
  name: 'ai'
  scope: rg
  params: {
    location: location
    name: aiAccountName
    deploymentType: aiDeploymentType
    modelName: aiModelName
    modelVersion: aiModelVersion
    capacity: aiCapacity
    tags: tags
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    aiEnabled: aiEnabled
    aiAccountName: aiAccountName
    appInsightsName: monitoring.outputs.appInsightsName
    triggerQueueNames: serviceBus.outputs.queueNames
  }
  dependsOn: [
    ai
  ]
}

module api 'modules/functionapp.bicep' = {
  name: 'api'
  scope: rg
  dependsOn: [
    rbac
  ]
  params: {
    location: location
    name: 'func-caleta-${token}'
    planName: 'plan-caleta-${token}'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    keyVaultUri: keyVault.outputs.uri
    aiEndpoint: aiEnabled ? ai.outputs.openAiV1Endpoint : ''
    aiDeployment: aiEnabled ? ai.outputs.deploymentName : ''
    appInsightsConnectionString: monitoring.outputs.connectionString
    caletaAppClientId: caletaAppClientId
    adminApiAudience: adminApiAudience
    notifyMailbox: notifyMailbox
    publicBaseUrl: publicBaseUrl
    // Each address is trimmed where it is used ("a/32, b/32" must not become " b/32").
    tunnelEgressCidrs: split(tunnelEgressCidrs, ',')
    purgeTimer: purgeTimer
    tags: tags
  }
}

// ---------------------------------------------------------------- outputs (azd reads these)

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'
output AZURE_AI_DEPLOYMENT_TYPE string = aiDeploymentType
