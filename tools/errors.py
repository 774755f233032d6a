"""The domain's errors: the families of the one tree (see `policies.errors`) that `tools` raises.

The CLI prints these as one line and exits non-zero; MCP servers turn them into tool errors.
"""

from policies.errors import InvalidInput, LoyaltyError, NotFound

__all__ = ["InvalidInput", "LoyaltyError", "NotFound", "SendRefused", "StorageError"]


class StorageError(LoyaltyError):
    """The database cannot be opened, is not initialised, or is at another schema revision."""


class SendRefused(LoyaltyError):
    """The channels server will not send this; `code` says which check failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"send refused ({code}): {message}")
        self.code = code
