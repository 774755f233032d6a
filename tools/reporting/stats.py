"""Two-sample comparison for treated vs. holdout: Welch's t interval on the difference in means.

The critical values come from the simulator's table (`evals.intervals`), so the demo's
intervals and the product report's are computed the same way. Welch's degrees of freedom are
fractional; they are rounded down, which widens the interval slightly (the conservative side).
"""

import math

import numpy as np
from pydantic import BaseModel, computed_field

from evals.intervals import _t as t_975

MIN_ARM = 30  # members per arm below which an interval is shown but called inconclusive


class Difference(BaseModel):
    """Mean outcome per member, treated minus control, with a two-sided 95% interval."""

    treated_mean: float
    control_mean: float
    difference: float
    low: float | None  # None when there are too few members for any interval
    high: float | None
    df: float | None
    treated: int
    control: int
    note: str | None = None  # why the interval is missing or not to be trusted

    @computed_field  # type: ignore[prop-decorator]
    @property
    def conclusive(self) -> bool:
        return self.note is None and self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def welch(treated: np.ndarray, control: np.ndarray, *, min_arm: int = MIN_ARM) -> Difference:
    n_t, n_c = len(treated), len(control)
    mean_t = float(treated.mean()) if n_t else 0.0
    mean_c = float(control.mean()) if n_c else 0.0
    base = {"treated_mean": mean_t, "control_mean": mean_c, "difference": mean_t - mean_c,
            "treated": n_t, "control": n_c}
    if n_t < 2 or n_c < 2:
        return Difference(**base, low=None, high=None, df=None,
                          note=f"too few members for an interval ({n_t} treated, {n_c} held out; need 2 in each)")
    v_t, v_c = float(treated.var(ddof=1)) / n_t, float(control.var(ddof=1)) / n_c
    se = math.sqrt(v_t + v_c)
    if se == 0.0:  # both arms constant: the difference is exact, Welch's df is undefined
        df = float(n_t + n_c - 2)
    else:
        df = (v_t + v_c) ** 2 / (v_t**2 / (n_t - 1) + v_c**2 / (n_c - 1))
    half = t_975(max(1, math.floor(df))) * se
    note = None
    if min(n_t, n_c) < min_arm:
        note = f"sample too small to conclude ({n_t} treated, {n_c} held out; want {min_arm} in each)"
    return Difference(**base, low=mean_t - mean_c - half, high=mean_t - mean_c + half, df=df, note=note)
