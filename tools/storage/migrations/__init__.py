"""Alembic migrations for the schema (the scripts live here; `tools.storage.schema` runs them)."""
