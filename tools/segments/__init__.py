"""Micro-segments as data: definitions with editable thresholds (a TOML file) and their
vectorised evaluation over profile fields. A member is in several segments at once."""
