"""Trigger adapters: parse input, call one use case, map errors.

The only package that imports azure.functions.
"""
