"""Learning the message effect from outcomes: a Gamma-Poisson posterior, pooled across use cases."""

import pytest

from policies.vocabulary import OfferType, UseCase
from tools.nba.response import LIFT_BOUNDS, learn_lift

CR, REACT = UseCase.COMPETITIVE_RESPONSE, UseCase.REACTIVATION


def test_a_ninefold_over_estimate_is_learned_within_one_campaign() -> None:
    # the simulator's two weeks: 1.5 message-led orders where 13.9 were predicted
    lift = learn_lift({(CR, OfferType.PERCENT_OFF): (1.5, 13.9)})
    assert lift.overall < 0.35
    assert lift.factor(OfferType.PERCENT_OFF, CR) < 0.35


def test_evidence_outweighs_the_prior_as_it_grows() -> None:
    small = learn_lift({(CR, OfferType.NONE): (1.0, 10.0)}).overall
    large = learn_lift({(CR, OfferType.NONE): (10.0, 100.0)}).overall
    assert 0.1 < large < small < 1.0
    assert large == pytest.approx(0.1, abs=0.04)


def test_bounds_admit_a_tenfold_error_both_ways_but_never_switch_a_lever_off() -> None:
    low, high = LIFT_BOUNDS
    assert low < 0.1 and high >= 4.0
    assert learn_lift({(CR, OfferType.NONE): (0.0, 10_000.0)}).overall == low
    assert learn_lift({(CR, OfferType.NONE): (10_000.0, 10.0)}).overall == high


def test_as_predicted_leaves_the_priors_alone() -> None:
    lift = learn_lift({(CR, OfferType.NONE): (20.0, 20.0), (REACT, OfferType.POINTS_MULTIPLIER): (5.0, 5.0)})
    assert lift.overall == pytest.approx(1.0)
    assert lift.factor(OfferType.POINTS_MULTIPLIER, REACT) == pytest.approx(1.0)


def test_unobserved_cells_borrow_from_their_parent() -> None:
    lift = learn_lift({(CR, OfferType.PERCENT_OFF): (0.0, 30.0), (CR, OfferType.NONE): (1.0, 10.0)})
    assert lift.factor(OfferType.EARLY_ACCESS, CR) == lift.by_use_case[CR]  # family not sent in this use case
    assert lift.factor(OfferType.PERCENT_OFF, UseCase.UPSELL) == lift.overall  # use case never sent
    assert lift.factor(OfferType.PERCENT_OFF) == lift.overall
    assert learn_lift({}).factor(OfferType.PERCENT_OFF, CR) == 1.0  # nothing observed: the priors stand


def test_a_cell_is_pulled_toward_its_use_case_not_toward_one() -> None:
    # reactivation as a whole converts at a fifth of the prediction; one family's few sends say little
    lift = learn_lift({(REACT, OfferType.PERCENT_OFF): (4.0, 20.0), (REACT, OfferType.NONE): (0.0, 0.5)})
    assert lift.factor(OfferType.NONE, REACT) < 0.5
    assert lift.factor(OfferType.NONE, REACT) == pytest.approx(lift.by_use_case[REACT], rel=0.15)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        learn_lift({(CR, OfferType.NONE): (-1.0, 3.0)})
