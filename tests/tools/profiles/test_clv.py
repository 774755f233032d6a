"""The CLV model forecasts a year of spend at the member's pace, from a shorter label window too."""

import numpy as np
import pytest

from tools.profiles.clv import YEAR_DAYS, fit_clv


def _members(rng: np.random.Generator, n: int) -> np.ndarray:
    # one feature: the member's yearly pace of spend; light spenders are the majority
    return rng.choice([0.0, 300.0, 1_000.0, 3_000.0], size=n, p=[0.3, 0.4, 0.2, 0.1])[:, None]


@pytest.mark.parametrize("window_days", [120, YEAR_DAYS])
def test_a_light_spender_is_forecast_at_their_own_pace(window_days: int) -> None:
    rng = np.random.default_rng(7)
    pace = _members(rng, 6_000)
    # spend in the label window: orders of about $50 arriving at the member's pace
    orders = rng.poisson(pace[:, 0] / 50.0 * window_days / YEAR_DAYS)
    spend = orders * rng.gamma(10.0, 5.0, size=len(orders))
    model = fit_clv(pace, spend, window_days)
    light, heavy, none = model.predict(np.array([[300.0], [3_000.0], [0.0]]))
    assert 200.0 < light < 400.0
    assert 2_400.0 < heavy < 3_600.0
    assert none < 50.0
