"""Errors a user or a client can act on. Anything else is a bug and keeps its traceback.

The CLI prints these as one line and exits non-zero; MCP servers turn them into tool errors.
"""


class LoyaltyError(Exception):
    """Base for errors with a message meant for a person or a model."""


class InvalidInput(LoyaltyError):
    """An argument, file or event that fails validation."""


class NotFound(LoyaltyError):
    """A member, SKU, decision or other record that does not exist."""


class StorageError(LoyaltyError):
    """The database cannot be opened, is not initialised, or has another schema version."""
