// Role assignments for the app's identity, each on the narrowest resource that needs it and named
// guid(scope, principal, role) so a redeploy finds the same assignment instead of failing. Built-in roles
// only: a custom role definition is tenant-wide by name and replicates slowly (RoleDefinitionDoesNotExist),
// and none is needed since Storage Blob Data Owner covers blob index tags.

@description('Required. Principal (object) id of the user-assigned identity.')
param principalId string

@description('Required. Storage account name.')
param storageAccountName string

@description('Required. Service Bus namespace name.')
param serviceBusName string

@description('Required. Names of the queues that have a Service Bus trigger (all of them: servicebus.bicep).')
param triggerQueueNames array

@description('Required. Key Vault name.')
param keyVaultName string

@description('Required. Whether an AI Foundry account is deployed (aiDeploymentType is not None).')
param aiEnabled bool

@description('Required. AI Foundry account name (used only when aiEnabled).')
param aiAccountName string

@description('Required. Application Insights name.')
param appInsightsName string

// Built-in role definition ids.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var serviceBusDataReceiver = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
var serviceBusDataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var cognitiveServicesOpenAiUser = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' existing = {
  name: serviceBusName
}

resource triggerQueues 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' existing = [for queueName in triggerQueueNames: {
  parent: serviceBus
  name: queueName
}]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource ai 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: aiAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Microsoft's Flex Consumption template grants Owner for host storage; its blobs/* data actions also
// include blob index tags, which the collectors set for the lifecycle backstop.
// Storage Blob Data Owner: customer containers, host storage (AzureWebJobsStorage), the deployment package.
resource blobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
  }
}

// Storage Table Data Contributor: the app's tables (storage.bicep) and the host's table service.
resource tableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageTableDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
  }
}

// Azure Service Bus Data Sender: the pipeline enqueues the next step.
resource busSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, principalId, serviceBusDataSender)
  scope: serviceBus
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
  }
}

// Azure Service Bus Data Receiver: the queue triggers.
resource busReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, principalId, serviceBusDataReceiver)
  scope: serviceBus
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiver)
  }
}

// Functions scales Service Bus triggers on queue length only with Manage rights ("With Listen rights,
// scaling isn't as accurate"), and Flex scales each trigger from zero. Queue scope keeps the namespace and
// every other entity out of reach.
// Azure Service Bus Data Owner, on each trigger queue only.
resource busOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (queueName, i) in triggerQueueNames: {
  name: guid(triggerQueues[i].id, principalId, serviceBusDataOwner)
  scope: triggerQueues[i]
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwner)
  }
}]

// Key Vault Secrets Officer: store, delete and purge customer secrets (client_secret mode).
resource vaultSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

// Cognitive Services OpenAI User: chat completions on the deployment, nothing more (only when a model exists).
resource aiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (aiEnabled) {
  name: guid(ai.id, principalId, cognitiveServicesOpenAiUser)
  scope: ai
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesOpenAiUser)
  }
}

// Monitoring Metrics Publisher: telemetry ingestion with Entra auth (Application Insights local auth is off).
resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}
