// Caleta Cost Review in UK South: one resource group holding the function app and everything it uses.
// Deployed with `azd up` (azure.yaml at the repository root); see docs/deploy.md for the one-time steps
// ARM cannot do (the multi-tenant app registration and its federated credential, the mailbox policy).
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

@description('Required. Client id of the admin API app registration (App Service Authentication).')
param adminAppClientId string

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

// ---------------------------------------------------------------- names

var token = toLower(uniqueString(subscription().id, environmentName, location))
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

module ai 'modules/ai.bicep' = {
  name: 'ai'
  scope: rg
  params: {
    location: location
    name: 'ai-caleta-${token}'
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
    aiAccountName: ai.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
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
    queueEndpoint: storage.outputs.queueEndpoint
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    keyVaultUri: keyVault.outputs.uri
    aiEndpoint: ai.outputs.openAiV1Endpoint
    aiDeployment: ai.outputs.deploymentName
    appInsightsConnectionString: monitoring.outputs.connectionString
    caletaAppClientId: caletaAppClientId
    adminAppClientId: adminAppClientId
    notifyMailbox: notifyMailbox
    publicBaseUrl: publicBaseUrl
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
