"""Use cases: onboarding, the scan pipeline and the customer's lifecycle. Each takes its input and the
`Services` of shared/services.py, decides with the domain, and is idempotent."""
