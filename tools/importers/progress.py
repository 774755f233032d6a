"""How an import reports progress without knowing who is watching (a terminal bar, a log, nobody)."""

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """Start a named step of `total` units (None when the size is not known up front)."""

    def advance(self, units: int = 1) -> None:
        """Count units done in the current step."""


class Silent:
    """Progress that goes nowhere: tests, library callers."""

    def stage(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, units: int = 1) -> None:
        return None
