// Azure AI Foundry (AIServices account) with one model deployment of type Standard (regional), so prompts
// are processed in UK South. Never GlobalStandard or DataZone*: those process data outside the UK
// (checked by infra/checks and tests/infra). Local (key) auth is off: the app uses its Entra identity.

@description('Required. Region; UK South only (data residency promise).')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Account name; also its custom subdomain.')
param name string

@description('Optional. Deployment name the app sends as `model` (AI_DEPLOYMENT).')
param deploymentName string = 'gpt-4o'

@description('Optional. Model name; must be offered as regional Standard in uksouth (check with az cognitiveservices model list -l uksouth).')
param modelName string = 'gpt-4o'

@description('Optional. Model version.')
param modelVersion string = '2024-11-20'

@description('Optional. Capacity in thousands of tokens per minute.')
@minValue(1)
param capacity int = 30

@description('Optional. Tags for the resources.')
param tags object = {}

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  // checkov:skip=CKV_AZURE_134: the Flex app has no VNet in v1 and reaches the model over the public endpoint with Entra ID only (local auth off)
  name: name
  location: location
  tags: tags
  kind: 'AIServices'
  sku: { name: 'S0' }
  identity: { type: 'None' }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    restrictOutboundNetworkAccess: true
    allowedFqdnList: []
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: deploymentName
  sku: {
    // Standard = regional: processing stays in the account's region (uksouth).
    name: 'Standard'
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: modelName
      version: modelVersion
    }
    versionUpgradeOption: 'NoAutoUpgrade'
  }
}

output id string = account.id
output name string = account.name
// The OpenAI v1 endpoint the `openai` client uses (no api-version needed).
output openAiV1Endpoint string = 'https://${name}.openai.azure.com/openai/v1/'
output deploymentName string = deployment.name
