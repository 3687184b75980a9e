// Log Analytics and Application Insights. Local (key) auth is off everywhere, so telemetry is
// ingested with the app's Entra identity only. Logs never hold customer data (logging rules in
// STYLE.md and the telemetry tests), so their retention sits outside the 7-day deletion budget.

@description('Required. Region; UK South only (data residency promise).')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Log Analytics workspace name.')
param workspaceName string

@description('Required. Application Insights name.')
param appInsightsName string

@description('Optional. Days logs are kept (30 is the lowest the PerGB2018 tier allows for a workspace).')
@minValue(30)
@maxValue(90)
param retentionInDays int = 30

@description('Optional. Tags for the resources.')
param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    RetentionInDays: retentionInDays
    DisableLocalAuth: true
    DisableIpMasking: false
  }
}

output appInsightsId string = appInsights.id
output appInsightsName string = appInsights.name
output connectionString string = appInsights.properties.ConnectionString
output workspaceId string = workspace.id
