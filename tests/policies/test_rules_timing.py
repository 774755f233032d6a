from datetime import timedelta

import pytest

from policies.engine import check
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import SEND_AT, make_context, make_proposal, rule_ids, violation_of

VALIDITY = RuleId.VALIDITY_BOUNDS
HORIZON = RuleId.SCHEDULE_HORIZON


@pytest.mark.parametrize(
    ("valid_for", "fires"),
    [
        (timedelta(hours=24), False),
        (timedelta(hours=24) - timedelta(minutes=1), True),
        (timedelta(days=30), False),
        (timedelta(days=30, minutes=1), True),
    ],
)
def test_validity_between_a_day_and_thirty_days(policy: Policy, valid_for: timedelta, fires: bool) -> None:
    proposal = make_proposal(valid_until=SEND_AT + valid_for)
    assert (VALIDITY in rule_ids(check(proposal, make_context(), policy))) is fires


def test_the_member_gets_a_full_day_after_the_message_arrives(policy: Policy) -> None:
    late = SEND_AT + timedelta(days=6, hours=2)
    proposal = make_proposal(send_at=late)  # valid for 7 days, but only 22 h left when it arrives
    violation = violation_of(check(proposal, make_context(now=late), policy), VALIDITY)
    assert violation.facts == {
        "valid_hours": 168.0,
        "usable_hours": 22.0,
        "min_hours": 24.0,
        "max_days": 30.0,
    }
    assert violation.field == "valid_until"


def test_an_offer_may_start_after_the_announcement(policy: Policy) -> None:
    early_access = make_proposal(
        valid_from=SEND_AT + timedelta(days=2), valid_until=SEND_AT + timedelta(days=3)
    )
    assert VALIDITY not in rule_ids(check(early_access, make_context(), policy))


@pytest.mark.parametrize(
    ("now", "fires"),
    [
        (SEND_AT + timedelta(minutes=15), False),
        (SEND_AT + timedelta(minutes=16), True),  # send_at is more than 15 min in the past
        (SEND_AT - timedelta(days=7), False),
        (SEND_AT - timedelta(days=7, minutes=1), True),  # scheduled more than 7 days ahead
    ],
)
def test_schedule_horizon(policy: Policy, now: object, fires: bool) -> None:
    result = check(make_proposal(), make_context(now=now), policy)
    assert (HORIZON in rule_ids(result)) is fires
