"""Blob and Table adapters. Customer data is always scoped to one customer: its own container and partition."""
