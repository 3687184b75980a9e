"""The Function App: one FunctionApp, one Blueprint registered per module in functions/. Nothing else."""

import azure.functions as func

from functions import customers, health, onboarding

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(health.bp)
app.register_functions(onboarding.bp)
app.register_functions(customers.bp)
