// The function app on Flex Consumption (Linux, Python 3.11), running as the user-assigned identity with
// identity-based connections only. Every setting in shared/config.py is an app setting here
// (tests/infra/test_app_settings.py). The API is reached only through the Cloudflare Tunnel: the site
// accepts traffic from the tunnel connector's egress addresses and nothing else. App Service Authentication
// (Easy Auth) is off: Flex Consumption does not support it, and it would refuse the customers'
// `Authorization: Bearer <api key>`; the app validates admin access tokens itself (ADMIN_* settings).

@description('Required. Region; UK South only (data residency promise).')
@allowed(['uksouth'])
param location string = 'uksouth'

@description('Required. Function app name.')
param name string

@description('Required. Flex Consumption plan name.')
param planName string

@description('Required. Resource id of the user-assigned identity.')
param identityId string

@description('Required. Client id of the user-assigned identity.')
param identityClientId string

@description('Required. Blob endpoint of the storage account (https://<account>.blob.core.windows.net/).')
param blobEndpoint string

@description('Required. Table endpoint of the storage account.')
param tableEndpoint string

@description('Required. URL of the blob container Flex deploys the package to.')
param deploymentContainerUrl string

@description('Required. Service Bus fully qualified namespace.')
param serviceBusNamespace string

@description('Required. Key Vault URI (customer secrets in client_secret mode).')
param keyVaultUri string

@description('Required. OpenAI v1 endpoint of the AI Foundry account.')
param aiEndpoint string

@description('Required. AI deployment name.')
param aiDeployment string

@description('Required. Application Insights connection string.')
param appInsightsConnectionString string

@description('Required. Client id of Caleta\'s multi-tenant app (federated mode).')
param caletaAppClientId string

@description('Required. Audience of admin API access tokens: api://<admin app client id> (v1 tokens, docs/deploy.md).')
param adminApiAudience string

@description('Required. Mailbox notifications are sent from (Microsoft 365, Graph sendMail).')
param notifyMailbox string

@description('Required. Public base URL of the API (the Cloudflare hostname).')
param publicBaseUrl string

@description('Required. Egress addresses (CIDR) of the Cloudflare Tunnel connector; the only callers allowed.')
@minLength(1)
param tunnelEgressCidrs array

@description('Optional. Entra ID sign-in host.')
param authorityHost string = 'https://login.microsoftonline.com'

@description('Optional. Azure Resource Manager endpoint.')
param armEndpoint string = 'https://management.azure.com'

@description('Optional. Scan schedule timer (NCRONTAB, six fields).')
param scheduleTimer string = '0 0 6 * * *'

@description('Optional. Purge backstop timer (NCRONTAB); the deletion budget assumes it fires at least daily.')
param purgeTimer string = '0 30 2 * * *'

@description('Optional. Stuck-scan watchdog timer (NCRONTAB).')
param watchdogTimer string = '0 */5 * * * *'

@description('Optional. Days of cost history collected.')
param costHistoryDays int = 90

@description('Optional. Minutes after which a scan counts as stuck.')
param scanStuckAfterMinutes int = 60

@description('Optional. Calendar months a review (its reports and raw data) is kept before the daily retention run deletes it.')
@minValue(1)
param reviewRetentionMonths int = 13

@description('Optional. Days from an offboarding request to the deletion deadline (the promise: 7).')
@maxValue(7)
param deletionDeadlineDays int = 7

@description('Optional. Seconds before an LLM call is abandoned.')
param aiTimeoutSeconds int = 30

@description('Optional. Prompt token budget per narrative.')
param aiMaxPromptTokens int = 8000

@description('Optional. host.json functionTimeout in seconds; the purge waits this plus the lock before its second pass.')
param functionTimeoutSeconds int = 600

@description('Optional. Longest Service Bus lockDuration of the queues in seconds (servicebus.bicep).')
param serviceBusLockSeconds int = 300

@description('Optional. Custom directory role template ids (comma-separated) that also prove a tenant administrator at onboarding.')
param onboardingExtraAdminRoleIds string = ''

@description('Optional. Seconds the whole onboarding POST may take; under Cloudflare\'s 100 s origin timeout.')
@minValue(10)
@maxValue(90)
param onboardingDeadlineSeconds int = 45

@description('Optional. Onboarding calls one client address (CF-Connecting-IP) may make per hour.')
@minValue(1)
param onboardingRatePerAddressPerHour int = 60

@description('Optional. Failed onboarding attempts (refused proof or secret) per tenant per hour.')
@minValue(1)
param onboardingFailuresPerTenantPerHour int = 10

@description('Optional. Minutes between re-checks of subscriptions whose roles are not visible yet (1-59; the timer runs on this step).')
@minValue(1)
@maxValue(59)
param roleRecheckMinutes int = 5

@description('Optional. Minutes a subscription awaiting roles is re-checked before the customer is told it is still not visible.')
@minValue(1)
param roleWaitMinutes int = 60

@description('Optional. Maximum Flex instances.')
param maximumInstanceCount int = 40

@description('Optional. Tags for the resources.')
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225: Flex Consumption scales per function on demand; zone redundancy for FC1 in uksouth is not confirmed, see docs/deploy.md
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_222: the Cloudflare Tunnel reaches the public endpoint; ipSecurityRestrictions deny every other caller
  // checkov:skip=CKV_AZURE_17: TLS from clients ends at Cloudflare; the origin admits only the tunnel's addresses and Entra ID tokens for admin routes
  // checkov:skip=CKV_AZURE_212: Flex Consumption has no fixed instance count; instances start on demand
  // checkov:skip=CKV_AZURE_213: Flex Consumption has no App Service instance health check; /api/health is probed through the tunnel
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        // An instance runs one Service Bus function (Flex scales them per function) with host.json's
        // maxConcurrentCalls (2) messages at once: for the analyse queue, the host (~300 MB, assumed) + the Python
        // worker (~100 MB) + 2 analyses of a 100,000-resource estate (~680 MB each, ~720 MB for a second review,
        // measured 2026-12-07) = ~1,760 MB (~1,840 MB), within these 2,048; larger ones wait (ANALYSIS_MEMORY_MB).
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      remoteDebuggingEnabled: false
      http20Enabled: true
      // No platform CORS: the pages call the API from its own origin, and Flex Consumption did not support
      // CORS settings ("Exceptions might occur if CORS is configured", docs/deploy.md).
      ipSecurityRestrictionsDefaultAction: 'Deny'
      ipSecurityRestrictions: [for (cidr, i) in tunnelEgressCidrs: {
        name: 'cloudflare-tunnel-${i}'
        action: 'Allow'
        ipAddress: trim(cidr)
        priority: 100 + i
      }]
      // Deployment (azd) authenticates with Entra ID; basic publishing credentials are disabled below.
      scmIpSecurityRestrictionsUseMain: false
      appSettings: [
        // Host storage and the Service Bus trigger connect with the identity, never a key. No queue service
        // URI: the host needs none here and the identity holds no queue role.
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
        { name: 'ServiceBusConnection__fullyQualifiedNamespace', value: serviceBusNamespace }
        { name: 'ServiceBusConnection__credential', value: 'managedidentity' }
        { name: 'ServiceBusConnection__clientId', value: identityClientId }
        // Telemetry with Entra auth, because Application Insights has local auth off.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD;ClientId=${identityClientId}' }
        // shared/config.py, one line per setting.
        { name: 'AZURE_AUTHORITY_HOST', value: authorityHost }
        { name: 'ARM_ENDPOINT', value: armEndpoint }
        { name: 'MANAGED_IDENTITY_CLIENT_ID', value: identityClientId }
        { name: 'CALETA_APP_CLIENT_ID', value: caletaAppClientId }
        { name: 'STORAGE_BLOB_ENDPOINT', value: blobEndpoint }
        { name: 'STORAGE_TABLE_ENDPOINT', value: tableEndpoint }
        { name: 'SECRET_STORE_URL', value: keyVaultUri }
        { name: 'AI_ENDPOINT', value: aiEndpoint }
        { name: 'AI_DEPLOYMENT', value: aiDeployment }
        { name: 'AI_TIMEOUT_SECONDS', value: string(aiTimeoutSeconds) }
        { name: 'AI_MAX_PROMPT_TOKENS', value: string(aiMaxPromptTokens) }
        { name: 'NOTIFY_OUTBOX_URL', value: 'graph://${notifyMailbox}' }
        { name: 'PUBLIC_BASE_URL', value: publicBaseUrl }
        { name: 'SCHEDULE_TIMER', value: scheduleTimer }
        { name: 'PURGE_TIMER', value: purgeTimer }
        { name: 'WATCHDOG_TIMER', value: watchdogTimer }
        { name: 'COST_HISTORY_DAYS', value: string(costHistoryDays) }
        { name: 'SCAN_STUCK_AFTER_MINUTES', value: string(scanStuckAfterMinutes) }
        { name: 'DELETION_DEADLINE_DAYS', value: string(deletionDeadlineDays) }
        // What one worker's analyses may hold together: instanceMemoryMB (2,048) less the host (~300) and the
        // worker (~100); an analysis that would not fit beside the others waits (shared/pipeline/analysis_memory.py).
        { name: 'ANALYSIS_MEMORY_MB', value: '1640' }
        { name: 'REVIEW_RETENTION_MONTHS', value: string(reviewRetentionMonths) }
        // Admin API: v1 access tokens from Caleta's own tenant, for the admin app, with MFA (Conditional Access).
        { name: 'ADMIN_TENANT_ID', value: tenant().tenantId }
        { name: 'ADMIN_API_AUDIENCE', value: adminApiAudience }
        { name: 'ADMIN_REQUIRE_MFA', value: 'true' }
        // The clocks the purge relies on; tests/infra/test_clocks.py keeps them equal to host.json and the queues.
        { name: 'FUNCTION_TIMEOUT_SECONDS', value: string(functionTimeoutSeconds) }
        { name: 'SERVICEBUS_LOCK_SECONDS', value: string(serviceBusLockSeconds) }
        // Onboarding: which directory roles prove control of a tenant (docs/onboarding-design.md section 2).
        { name: 'ONBOARDING_EXTRA_ADMIN_ROLE_IDS', value: onboardingExtraAdminRoleIds }
        // Onboarding limits: the POST's deadline (under Cloudflare's 100 s), calls per client address and failed
        // attempts per tenant per hour (docs/api.md, "Rate limits").
        { name: 'ONBOARDING_DEADLINE_SECONDS', value: string(onboardingDeadlineSeconds) }
        { name: 'ONBOARDING_RATE_PER_ADDRESS_PER_HOUR', value: string(onboardingRatePerAddressPerHour) }
        { name: 'ONBOARDING_FAILURES_PER_TENANT_PER_HOUR', value: string(onboardingFailuresPerTenantPerHour) }
        // Role re-check for customers whose roles are still propagating (docs/onboarding-design.md section 1).
        { name: 'ROLE_RECHECK_MINUTES', value: string(roleRecheckMinutes) }
        { name: 'ROLE_WAIT_MINUTES', value: string(roleWaitMinutes) }
        { name: 'ROLE_RECHECK_TIMER', value: '0 */${roleRecheckMinutes} * * * *' }
      ]
    }
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
