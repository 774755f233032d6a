"""Exploration: a fixed, hashed share of decisions scores with posterior draws of the lever
factors; the draws centre on what was learned and spread where evidence is thin."""

from datetime import date

import numpy as np
import pytest

from policies.vocabulary import OfferType, UseCase
from tools.nba.exploration import exploration_stream
from tools.nba.response import learn_lift

REACTIVATION_POINTS = (UseCase.REACTIVATION, OfferType.POINTS_MULTIPLIER)
REACTIVATION_OFF = (UseCase.REACTIVATION, OfferType.PERCENT_OFF)


def test_a_fixed_share_of_decisions_explores_and_always_the_same_ones() -> None:
    day = date(2026, 6, 1)
    exploring = [m for m in range(20_000) if exploration_stream(m, UseCase.UPSELL, day, 0.05) is not None]
    assert 900 <= len(exploring) <= 1100  # 5% of 20,000, give or take the hash's spread
    again = [m for m in range(20_000) if exploration_stream(m, UseCase.UPSELL, day, 0.05) is not None]
    assert again == exploring
    assert all(exploration_stream(m, UseCase.UPSELL, day, 0.0) is None for m in range(2_000))
    with pytest.raises(ValueError, match="exploration share"):
        exploration_stream(1, UseCase.UPSELL, day, 1.5)


def test_draws_centre_on_the_learned_factor_and_spread_where_evidence_is_thin() -> None:
    # Points measured well (60 conversions of 40 predicted), percent-off barely (1 of 2).
    learned = learn_lift({REACTIVATION_POINTS: (60.0, 40.0), REACTIVATION_OFF: (1.0, 2.0)})
    rng = np.random.default_rng(7)
    draws = [learned.sampled(rng) for _ in range(4_000)]
    points = np.array([d.factor(OfferType.POINTS_MULTIPLIER, UseCase.REACTIVATION) for d in draws])
    off = np.array([d.factor(OfferType.PERCENT_OFF, UseCase.REACTIVATION) for d in draws])
    assert points.mean() == pytest.approx(
        learned.factor(OfferType.POINTS_MULTIPLIER, UseCase.REACTIVATION), rel=0.03
    )
    assert off.std() > 2 * points.std()  # the uncertain lever is the one exploration moves
    assert ((points >= 0.05) & (points <= 5.0)).all() and ((off >= 0.05) & (off <= 5.0)).all()


def test_a_draw_is_reproducible_from_its_stream() -> None:
    learned = learn_lift({REACTIVATION_OFF: (3.0, 5.0)})
    first = learned.sampled(np.random.default_rng(11))
    second = learned.sampled(np.random.default_rng(11))
    assert first.by_lever == second.by_lever and first.overall == second.overall
    assert learn_lift({}).sampled(np.random.default_rng(1)).factor(OfferType.PERCENT_OFF, UseCase.UPSELL) > 0
