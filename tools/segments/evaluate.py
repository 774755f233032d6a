"""Which members are in which segments: every condition is one vectorised comparison."""

import operator
from collections.abc import Callable, Mapping

import numpy as np

from tools.segments.definitions import Condition, SegmentBook

COMPARE: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}

Quantile = Callable[[str, float], float]


def membership(book: SegmentBook, fields: Mapping[str, np.ndarray], quantile: Quantile, n: int) -> np.ndarray:
    """Members x segments (in `book.segments` order), True where the member is in the segment."""
    out = np.zeros((n, len(book.segments)), dtype=bool)
    for column, segment in enumerate(book.segments):
        held = np.ones(n, dtype=bool)
        for condition in segment.all:
            held &= _holds(condition, fields, quantile)
        if segment.any:
            either = np.zeros(n, dtype=bool)
            for condition in segment.any:
                either |= _holds(condition, fields, quantile)
            held &= either
        out[:, column] = held
    return out


def _holds(condition: Condition, fields: Mapping[str, np.ndarray], quantile: Quantile) -> np.ndarray:
    values = fields[condition.field]
    threshold = (
        condition.value
        if condition.value is not None
        else quantile(condition.field, condition.quantile or 0.0)
    )
    with np.errstate(invalid="ignore"):
        return COMPARE[condition.op](values, threshold) & ~np.isnan(values)


def lifecycle_stage(book: SegmentBook, member_of: np.ndarray) -> np.ndarray:
    """Each member's single lifecycle stage: the first of `lifecycle_order` they are in."""
    stage = np.full(len(member_of), book.lifecycle_fallback, dtype=object)
    for segment_id in reversed(book.lifecycle_order):
        stage[member_of[:, book.ids.index(segment_id)]] = segment_id
    return stage
