"""What a rule returns, and the array helpers the rules share.

A rule evaluates a whole batch at once and yields a `Hit` for each proposal that breaks it, with the
facts its message template needs; the engine turns hits into `Violation`s. Only the offending rows
are visited one by one (to fill in their facts), so a clean campaign costs a few array operations
per rule.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from policies.frame import Frame, Rows, Strings
from policies.violation import Fact

# Compare with a margin so values equal to a limit, up to floating-point noise, pass.
TOLERANCE = 1e-9

_MICROSECONDS_PER_HOUR = 3_600_000_000


@dataclass(frozen=True, slots=True)
class Hit:
    row: int
    facts: Mapping[str, Fact]
    field: str | None  # dotted path of the proposal field to change


# The config argument is the rule's own block type (e.g. `BudgetRule`); the engine pairs each
# function with its block by rule id, which a type checker cannot follow.
RuleFn = Callable[[Frame, Any], Iterable[Hit]]


def rows_where(mask: NDArray[np.bool_]) -> list[int]:
    return np.flatnonzero(mask).tolist()


def count_per_row(size: int, rows: Rows, mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    return np.bincount(rows[mask], minlength=size)


def first_per_row(size: int, rows: Rows, mask: NDArray[np.bool_], *keys: NDArray[Any]) -> NDArray[np.intp]:
    """For each row, the index of its masked entry that sorts first by `keys`; -1 where it has none."""
    chosen = np.full(size, -1, dtype=np.intp)
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        return chosen
    order = np.lexsort((*(key[candidates] for key in reversed(keys)), rows[candidates]))
    sorted_rows = rows[candidates][order]
    is_first = np.ones(order.size, dtype=np.bool_)
    is_first[1:] = sorted_rows[1:] != sorted_rows[:-1]
    chosen[sorted_rows[is_first]] = candidates[order[is_first]]
    return chosen


def gather(values: NDArray[Any], picked: NDArray[np.intp], fill: Any) -> NDArray[Any]:
    """`values[picked]`, with `fill` where nothing was picked (-1)."""
    # Promote so the fill fits: a "default" label must not be cut to the width of the labels.
    out = np.full(picked.shape, fill, dtype=np.promote_types(values.dtype, np.asarray(fill).dtype))
    has = picked >= 0
    out[has] = values[picked[has]]
    return out


def map_labels(labels: Strings, mapping: Mapping[str, float], missing: float) -> NDArray[np.float64]:
    """Look each label up in `mapping`, touching each distinct label once."""
    if labels.size == 0:
        return np.empty(0, dtype=np.float64)
    distinct, inverse = np.unique(labels, return_inverse=True)
    return np.array([mapping.get(label, missing) for label in distinct], dtype=np.float64)[inverse]


def labels_by_row(rows: Rows, labels: Strings, mask: NDArray[np.bool_]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for row, label in zip(rows[mask].tolist(), labels[mask].tolist(), strict=True):
        grouped.setdefault(row, []).append(label)
    return grouped


def hours(span: float) -> np.timedelta64:
    return np.timedelta64(round(span * _MICROSECONDS_PER_HOUR), "us")


def in_hours(delta: np.timedelta64) -> float:
    return round(float(delta / np.timedelta64(1, "h")), 2)


def as_datetime(moment: np.datetime64) -> datetime:
    value: datetime = moment.astype(datetime)
    return value.replace(tzinfo=UTC)


def iso(moment: np.datetime64 | datetime) -> str:
    value = moment if isinstance(moment, datetime) else as_datetime(moment)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def money(value: float) -> float:
    return round(float(value), 2)
