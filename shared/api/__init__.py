"""The HTTP API's request and response models and its OpenAPI document."""
