"""The bottom layer: helpers every app may use, that import no app of Outcry.

Keyed hashing (hashing), the client's address and redirects (client), CSV streaming and formula
safety (csv_export), responses shared between visitors (shared_cache), the Redis cache backend
(redis_cache), the origin-checking CSRF middleware (csrf) and the HTML allowlist (sanitise).
import-linter (.importlinter, `make lint`) keeps it at the bottom.
"""
