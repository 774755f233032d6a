"""The data-quality audit every import ends with: duplicates, missing values, impossible values
and staleness, counted over the source as read (rejected rows included)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pandas as pd


class AuditCheck(StrEnum):
    DUPLICATES = "duplicates"
    MISSING = "missing values"
    IMPOSSIBLE = "impossible values"
    STALENESS = "staleness"
    ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Finding:
    check: AuditCheck
    subject: str  # e.g. "transactions.quantity"
    count: int  # rows affected (0 for a finding that is not a count, e.g. staleness)
    detail: str


def missing_values(source: str, frame: pd.DataFrame) -> list[Finding]:
    missing = frame.isna().sum()
    return [
        Finding(
            AuditCheck.MISSING,
            f"{source}.{column}",
            int(count),
            f"{int(count):,} of {len(frame):,} rows ({count / len(frame):.1%}) have no {column}",
        )
        for column, count in missing.items()
        if count
    ]


def duplicates(source: str, frame: pd.DataFrame, key: list[str] | None = None) -> list[Finding]:
    """Rows repeating an earlier row exactly (or on `key`, when given)."""
    count = int(frame.duplicated(subset=key).sum()) if len(frame) else 0
    if not count:
        return []
    what = "exact copies of an earlier row" if key is None else f"repeat an earlier row's {', '.join(key)}"
    return [Finding(AuditCheck.DUPLICATES, source, count, f"{count:,} rows {what}")]


def impossible(source: str, column: str, count: int, detail: str) -> list[Finding]:
    return [Finding(AuditCheck.IMPOSSIBLE, f"{source}.{column}", count, detail)] if count else []


def staleness(source: str, newest: datetime | None, now: datetime) -> Finding:
    if newest is None:
        return Finding(AuditCheck.STALENESS, source, 0, "no dated records")
    age = now - newest
    return Finding(
        AuditCheck.STALENESS,
        source,
        0,
        f"newest record {newest:%Y-%m-%d %H:%M}, {age.days:,} days before {now:%Y-%m-%d}",
    )
