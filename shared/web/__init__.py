"""The customer's web pages: onboarding form, account pages and their static assets (no external origins)."""
