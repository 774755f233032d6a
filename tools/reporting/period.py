"""The period a report covers: a half-open interval of naive UTC times (the storage convention)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tools.errors import InvalidInput

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    since: datetime  # inclusive
    until: datetime  # exclusive

    def __post_init__(self) -> None:
        if self.since.tzinfo is not None or self.until.tzinfo is not None:
            raise InvalidInput("a report period is in naive UTC")
        if self.since >= self.until:
            raise InvalidInput(
                f"the period is empty: since {self.since:%Y-%m-%d %H:%M} is not before "
                f"until {self.until:%Y-%m-%d %H:%M}"
            )

    @classmethod
    def ending(cls, until: datetime, days: int = DEFAULT_DAYS) -> "Period":
        return cls(until - timedelta(days=days), until)

    @property
    def days(self) -> float:
        return (self.until - self.since) / timedelta(days=1)

    def label(self) -> str:
        return f"{self.since:%Y-%m-%d %H:%M} – {self.until:%Y-%m-%d %H:%M} UTC"
