"""Caleta's own checkov checks for Bicep, where checkov has none (loaded with --external-checks-dir).

checkov silently ignores this directory without this file. These modules run inside .venv-checkov.
"""
