"""A "nothing" decision's cause: named by the specialist, read from the rules that blocked every
candidate, or (an answer without one, e.g. Claude's) from its reason text."""

import pytest

from tools.decisions import NothingCause, cause_of


@pytest.mark.parametrize(
    ("answer", "cause"),
    [
        (
            {"cause": "no consented channel", "reason": "no consented channel: doing nothing"},
            NothingCause.NO_CONSENTED_CHANNEL,
        ),
        ({"cause": "made up", "reason": "the member's data is stale"}, NothingCause.STALE_DATA),
        (
            {"broken_rules": ["frequency.weekly_total", "budget.remaining"]},
            NothingCause.BUDGET,
        ),  # budget comes first
        ({"broken_rules": ["inventory.available"]}, NothingCause.NO_ELIGIBLE_OFFER),
        (
            {
                "detail": "no candidate that beats doing nothing passes the rules (they broke fatigue.backoff, "
                "frequency.channel_gap); doing nothing"
            },
            NothingCause.CONTACT_CAP,
        ),
        ({"detail": "no action beats doing nothing: Do nothing: the baseline"}, NothingCause.NOTHING_BEATS),
        ({"detail": "nothing to do: the member is not lapsed"}, NothingCause.NOT_APPLICABLE),
        ({"detail": "the use case is paused by ops"}, NothingCause.BUDGET),
        ({"detail": "I would rather not"}, NothingCause.OTHER),
    ],
)
def test_the_cause_of_a_nothing(answer: dict[str, object], cause: NothingCause) -> None:
    assert cause_of(answer) is cause
