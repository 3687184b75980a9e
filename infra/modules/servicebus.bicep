// Service Bus Standard with Entra ID only (SAS keys off) and TLS 1.2+. The queues mirror the single
// queue declaration in shared/messages.py (QUEUES); tests/infra/test_bicep_queues.py keeps them in step.

@description('Required. Region; UK South only (data residency promise).')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Namespace name.')
param name string

@description('Optional. Tags for the resources.')
param tags object = {}

// Messages carry ids only (claim check). TTL 2 days keeps queued messages inside the deletion budget;
// expired messages are dropped, not dead-lettered, because the dead-letter queue has no TTL.
var queues = [
  { name: 'scan-requests', maxDeliveryCount: 5, lockDuration: 'PT1M', duplicateDetectionHistoryTimeWindow: 'PT10M', defaultMessageTimeToLive: 'P2D' }
  { name: 'collect-tasks', maxDeliveryCount: 5, lockDuration: 'PT5M', duplicateDetectionHistoryTimeWindow: 'PT10M', defaultMessageTimeToLive: 'P2D' }
  { name: 'analyse', maxDeliveryCount: 5, lockDuration: 'PT5M', duplicateDetectionHistoryTimeWindow: 'PT10M', defaultMessageTimeToLive: 'P2D' }
  { name: 'purge', maxDeliveryCount: 10, lockDuration: 'PT5M', duplicateDetectionHistoryTimeWindow: 'PT10M', defaultMessageTimeToLive: 'P2D' }
]

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = [for q in queues: {
  parent: namespace
  name: q.name
  properties: {
    maxDeliveryCount: q.maxDeliveryCount
    lockDuration: q.lockDuration
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: q.duplicateDetectionHistoryTimeWindow
    defaultMessageTimeToLive: q.defaultMessageTimeToLive
    deadLetteringOnMessageExpiration: false
    requiresSession: false
    enablePartitioning: false
  }
}]

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
// Every queue has a trigger (functions/), so rbac.bicep gives the app Data Owner on each (scaling, see there).
output queueNames array = [for q in queues: q.name]
