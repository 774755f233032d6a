"""Confidence intervals over seeds (Student's t, two-sided 95%), shared by the simulator and the
suite that reports it.

Every policy of a simulation runs on the same worlds, so policies are best compared seed by seed:
`paired` gives the interval of `ours - multiple * theirs` over seeds, which removes the variation
the worlds share (how many members happened to shop) from the comparison.
"""

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from scipy.stats import t as student_t


class Estimate(BaseModel):
    mean: float
    low: float  # 95% confidence interval over seeds; equal to the mean with one seed
    high: float
    seeds: int
    values: list[float] = []  # per seed, in seed order


def _t(df: int) -> float:
    return float(student_t.ppf(0.975, df))


def estimate(values: list[float]) -> Estimate:
    mean = float(np.mean(values))
    if len(values) < 2:
        return Estimate(mean=mean, low=mean, high=mean, seeds=len(values), values=list(values))
    half = _t(len(values) - 1) * float(np.std(values, ddof=1)) / math.sqrt(len(values))
    return Estimate(mean=mean, low=mean - half, high=mean + half, seeds=len(values), values=list(values))


def paired(ours: Sequence[float], theirs: Sequence[float], multiple: float = 1.0) -> Estimate:
    """`ours - multiple * theirs`, seed by seed (both measured on the same worlds, in seed order)."""
    if len(ours) != len(theirs) or not ours:
        raise ValueError("paired estimates need the same seeds on both sides")
    return estimate([a - multiple * b for a, b in zip(ours, theirs, strict=True)])
