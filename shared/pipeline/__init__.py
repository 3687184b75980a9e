"""Use cases of the scan pipeline: each takes a message and its dependencies, and is idempotent."""
