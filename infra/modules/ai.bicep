// Azure AI Foundry (AIServices account) with one model deployment whose prompts are processed in UK South:
// regional Standard (pay per token, where a model offers it in uksouth) or ProvisionedManaged (regional
// provisioned throughput, billed per PTU-hour). Never GlobalStandard, DataZone* or Global*: those process
// data outside the UK (CKV_CALETA_6 and tests/infra refuse them). Local (key) auth is off: the app uses its
// Entra identity. main.bicep deploys this module only when a model is chosen (aiDeploymentType != 'None');
// without it AI_ENDPOINT is empty and the product writes its deterministic narrative.

@description('Required. Region; UK South only (data residency promise).')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Account name; also its custom subdomain.')
param name string

@description('Optional. Deployment name the app sends as `model` (AI_DEPLOYMENT). Stable across model changes, so a second paid deployment is never left behind.')
param deploymentName string = 'narrative'

@description('Optional. Deployment type. Standard = regional pay-per-token; ProvisionedManaged = regional PTU. Both keep processing in the account region.')
@allowed(['Standard', 'ProvisionedManaged'])
param deploymentType string = 'ProvisionedManaged'

@description('Optional. Model name; must be offered in uksouth for deploymentType (docs/deploy.md, pre-flight).')
param modelName string = 'gpt-5-mini'

@description('Optional. Model version; its lifecycle must not be Deprecating/Deprecated for a new deployment.')
param modelVersion string = '2025-08-07'

@description('Optional. Capacity: thousands of tokens per minute for Standard; PTUs for ProvisionedManaged (regional minimum 25 or 50 PTU by model).')
@minValue(1)
param capacity int = 25

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
    // Standard and ProvisionedManaged are the regional types: processing stays in the account's region.
    name: deploymentType
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
