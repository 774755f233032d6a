"""Welch's interval against values worked out by hand."""

import math

import numpy as np
import pytest

from tools.reporting.stats import welch


def test_welch_interval_by_hand() -> None:
    # treated 100, 50, 0: mean 50, variance 2500; control 40, 0, 0: mean 13.33, variance 533.33.
    # se^2 = 2500/3 + 533.33/3 = 1011.11; df = 1011.11^2 / ((833.33^2 + 177.78^2) / 2) = 2.816;
    # t(0.975, 2.816) = 3.3032 (tables: between t(2) = 4.303 and t(3) = 3.182); half width = 3.3032 * 31.798 = 105.04.
    d = welch(np.array([100.0, 50.0, 0.0]), np.array([40.0, 0.0, 0.0]))
    assert d.difference == pytest.approx(36.667, abs=1e-3)
    assert d.df == pytest.approx(2.816, abs=1e-3)
    assert (d.low, d.high) == (
        pytest.approx(36.667 - 105.04, abs=0.01),
        pytest.approx(36.667 + 105.04, abs=0.01),
    )
    assert d.note is not None and "too small" in d.note and not d.conclusive


def test_large_arms_can_conclude() -> None:
    treated, control = np.array([10.0, 12.0] * 20), np.array([0.0, 2.0] * 20)
    d = welch(treated, control)
    # Both variances 1.0256 (n=40); se = sqrt(2 * 1.0256 / 40) = 0.2265; df = 78, t(0.975, 78) = 1.9908.
    half = 1.9908 * math.sqrt(2 * (40 / 39) / 40)
    assert (d.low, d.high) == (pytest.approx(10 - half, abs=1e-4), pytest.approx(10 + half, abs=1e-4))
    assert d.note is None and d.conclusive


def test_too_few_members_give_no_interval_and_say_so() -> None:
    d = welch(np.array([80.0]), np.array([0.0, 5.0]))
    assert d.low is None and d.high is None and d.difference == 77.5
    assert "need 2 in each" in (d.note or "")


def test_constant_arms_give_an_exact_difference() -> None:
    d = welch(np.zeros(40), np.zeros(40))
    assert (d.difference, d.low, d.high) == (0.0, 0.0, 0.0) and not d.conclusive
