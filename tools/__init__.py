"""Repository tools run by make (not part of the function app)."""
