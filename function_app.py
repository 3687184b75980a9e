"""The Function App: one FunctionApp, one Blueprint registered per module in functions/. Nothing else.

At load, before any trigger or HTTP route runs: the Azure SDK loggers are quieted to WARNING, and every log
record made in the process from then on is redacted (no tenant or subscription id, no e-mail address:
shared/observability.py). tests/unit/functions/test_trigger_safety.py imports this module fresh to prove both.
"""

import azure.functions as func

from functions import admin, customers, health, lifecycle, onboarding, pipeline, reviews, roles, schemas, signin, web
from shared.observability import install_log_redaction, quiet_azure_sdk

quiet_azure_sdk()
install_log_redaction()

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(health.bp)
app.register_functions(onboarding.bp)
app.register_functions(signin.bp)
app.register_functions(customers.bp)
app.register_functions(pipeline.bp)
app.register_functions(lifecycle.bp)
app.register_functions(admin.bp)
app.register_functions(reviews.bp)
app.register_functions(web.bp)
app.register_functions(roles.bp)
app.register_functions(schemas.bp)
