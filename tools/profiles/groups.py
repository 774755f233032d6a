"""Per-group reductions over flat arrays (group = member, or member x category pair), vectorised
with bincount and sorting so one member and fifty thousand cost the same code."""

import numpy as np


def count(group: np.ndarray, n: int, mask: np.ndarray | None = None) -> np.ndarray:
    weights = None if mask is None else mask.astype(float)
    return np.bincount(group, weights=weights, minlength=n).astype(float)


def total(group: np.ndarray, values: np.ndarray, n: int, mask: np.ndarray | None = None) -> np.ndarray:
    weights = values if mask is None else np.where(mask, values, 0.0)
    return np.bincount(group, weights=weights, minlength=n)


def maximum(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """NaN for a group with no values."""
    out = np.full(n, -np.inf)
    np.maximum.at(out, group, values)
    return np.where(np.isneginf(out), np.nan, out)


def minimum(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.inf)
    np.minimum.at(out, group, values)
    return np.where(np.isposinf(out), np.nan, out)


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def median(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Median per group, NaN for a group with no values."""
    order = np.lexsort((values, group))
    g, v = group[order], values[order]
    counts = np.bincount(g, minlength=n)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full(n, np.nan)
    has = counts > 0
    low = starts[has] + (counts[has] - 1) // 2
    high = starts[has] + counts[has] // 2
    out[has] = (v[low] + v[high]) / 2.0
    return out


def std(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    k = count(group, n)
    mean = ratio(total(group, values, n), k)
    squares = ratio(total(group, values * values, n), k)
    return np.sqrt(np.maximum(squares - mean * mean, 0.0))


def contains(known: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each value, whether it is one of `known` (any order)."""
    if not len(known):
        return np.zeros(len(values), dtype=bool)
    ordered = np.sort(known)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def gaps(group: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Consecutive differences within groups, for `group`/`times` sorted by group then time.

    Returns (group of each gap, gap, is_last_gap_of_its_group)."""
    if len(group) < 2:
        empty = np.array([], dtype=np.int64)
        return empty, np.array([], dtype=float), np.array([], dtype=bool)
    same = group[1:] == group[:-1]
    gap_group = group[1:][same]
    gap = (times[1:] - times[:-1])[same]
    is_last = np.ones(len(gap_group), dtype=bool)
    is_last[:-1] = gap_group[1:] != gap_group[:-1]
    return gap_group, gap, is_last


def last_value(group: np.ndarray, values: np.ndarray, is_last: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[group[is_last]] = values[is_last]
    return out
