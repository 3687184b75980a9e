"""The Function App: one FunctionApp, one Blueprint registered per module in functions/. Nothing else.

The Azure SDK loggers are quieted once, at load, so every trigger and HTTP route runs with them at WARNING.
"""

import azure.functions as func

from functions import admin, customers, health, lifecycle, onboarding, pipeline, schemas, web
from shared.observability import quiet_azure_sdk

quiet_azure_sdk()

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(health.bp)
app.register_functions(onboarding.bp)
app.register_functions(customers.bp)
app.register_functions(pipeline.bp)
app.register_functions(lifecycle.bp)
app.register_functions(admin.bp)
app.register_functions(web.bp)
app.register_functions(schemas.bp)
