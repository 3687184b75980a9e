"""Collectors: read one source for one subscription through the Azure SDKs, page fully, respect quotas."""
