//! Helpers for the integration tests: a real server on port 0 with its own database.
