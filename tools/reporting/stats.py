"""Two-sample comparison for treated vs. holdout: Welch's t interval on the difference in means.

The interval is scipy's Welch test (Student's t at Welch's fractional degrees of freedom), so
small arms get the wide interval they deserve.
"""

import numpy as np
from pydantic import BaseModel, computed_field
from scipy.stats import ttest_ind

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
        return (
            self.note is None
            and self.low is not None
            and self.high is not None
            and (self.low > 0 or self.high < 0)
        )


def welch(treated: np.ndarray, control: np.ndarray, *, min_arm: int = MIN_ARM) -> Difference:
    n_t, n_c = len(treated), len(control)
    mean_t = float(treated.mean()) if n_t else 0.0
    mean_c = float(control.mean()) if n_c else 0.0
    base = {
        "treated_mean": mean_t,
        "control_mean": mean_c,
        "difference": mean_t - mean_c,
        "treated": n_t,
        "control": n_c,
    }
    if n_t < 2 or n_c < 2:
        return Difference(
            **base,
            low=None,
            high=None,
            df=None,
            note=f"too few members for an interval ({n_t} treated, {n_c} held out; need 2 in each)",
        )
    if np.ptp(treated) == 0 and np.ptp(control) == 0:  # both arms constant: the difference is exact
        low = high = mean_t - mean_c
        df = float(n_t + n_c - 2)  # Welch's is undefined here
    else:
        test = ttest_ind(treated, control, equal_var=False)
        interval = test.confidence_interval(0.95)
        low, high, df = float(interval.low), float(interval.high), float(test.df)
    note = None
    if min(n_t, n_c) < min_arm:
        note = f"sample too small to conclude ({n_t} treated, {n_c} held out; want {min_arm} in each)"
    return Difference(**base, low=low, high=high, df=df, note=note)
