"""Caleta Cost Review: the product core. No Azure Functions imports here; only functions/ binds triggers."""
