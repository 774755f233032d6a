"""A use case applies only when its premise holds for the member: lapsed for a win-back, the
rival's category being one of theirs for a competitive response."""

import numpy as np

from policies.vocabulary import UseCase
from tests.tools.nba.profiles import sample_profile
from tools.nba.eligibility import not_applicable, overdue_days, within_rhythm


def test_a_member_inside_their_own_rhythm_is_not_lapsed() -> None:
    reason = not_applicable(sample_profile(days_since=5, median_gap=15), UseCase.REACTIVATION, None)
    assert reason is not None and "not lapsed" in reason and "15-day rhythm" in reason


def test_a_member_past_their_own_rhythm_is_lapsed_even_if_recent_in_calendar_terms() -> None:
    sarah = sample_profile(days_since=28, median_gap=18)  # 28 days is unusual for an 18-day buyer
    assert overdue_days(sarah) == 10
    assert not_applicable(sarah, UseCase.REACTIVATION, "Activewear") is None


def test_without_a_rhythm_the_value_model_decides() -> None:
    assert not_applicable(sample_profile(days_since=40, median_gap=None), UseCase.REACTIVATION, None) is None
    assert (
        not_applicable(sample_profile(days_since=None, median_gap=None), UseCase.REACTIVATION, None) is None
    )


def test_a_rival_promotion_outside_the_members_categories_needs_no_answer() -> None:
    coffee_buyer = sample_profile(affinity=("Coffee beans", "Snacks", "Chocolate", "Grinders"))
    reason = not_applicable(coffee_buyer, UseCase.COMPETITIVE_RESPONSE, "BBQ and outdoor cooking")
    assert reason is not None and "BBQ and outdoor cooking" in reason
    # Only the strongest few affinities count: the fourth is a passing interest.
    assert not_applicable(coffee_buyer, UseCase.COMPETITIVE_RESPONSE, "Grinders") is not None
    assert not_applicable(coffee_buyer, UseCase.COMPETITIVE_RESPONSE, "coffee BEANS") is None


def test_a_regularly_replenished_category_counts_as_the_members_own() -> None:
    member = sample_profile(
        affinity=("Knitwear", "Boots", "Scarves", "Dog food"), replenishment={"Dog food": 10}
    )
    assert not_applicable(member, UseCase.COMPETITIVE_RESPONSE, "Dog food") is None


def test_other_moments_always_apply() -> None:
    recent = sample_profile(days_since=1, median_gap=30)
    assert not_applicable(recent, UseCase.UPSELL, "BBQ and outdoor cooking") is None
    assert not_applicable(recent, UseCase.CART_ABANDONMENT, "BBQ and outdoor cooking") is None
    assert not_applicable(recent, UseCase.COMPETITIVE_RESPONSE, None) is None


def test_the_audience_form_agrees_with_the_single_member_test() -> None:
    since = np.array([5.0, 28.0, 40.0, np.nan, 15.0])
    gap = np.array([15.0, 18.0, np.nan, 20.0, 15.0])
    expected = [
        not_applicable(
            sample_profile(
                days_since=None if np.isnan(s) else float(s), median_gap=None if np.isnan(g) else float(g)
            ),
            UseCase.REACTIVATION,
            None,
        )
        is not None
        for s, g in zip(since, gap, strict=True)
    ]
    assert within_rhythm(since, gap).tolist() == expected == [True, False, False, False, True]
