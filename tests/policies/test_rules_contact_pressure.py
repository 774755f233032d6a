import pytest

from policies.engine import check
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import contact, make_context, make_proposal, rule_ids, violation_of

DAILY = RuleId.FREQUENCY_DAILY_TOTAL
WEEKLY = RuleId.FREQUENCY_WEEKLY_TOTAL
CHANNEL_WEEKLY = RuleId.FREQUENCY_CHANNEL_WEEKLY
GAP = RuleId.FREQUENCY_CHANNEL_GAP
FATIGUE = RuleId.FATIGUE_BACKOFF


def _email_after(policy: Policy, *recent: dict, **context: object):
    return check(make_proposal(), make_context(recent_contacts=list(recent), **context), policy)


def _push_after(policy: Policy, *recent: dict):
    push = make_proposal(channel="push", message={"subject": None})
    return check(push, make_context(recent_contacts=list(recent)), policy)


def test_daily_total_counts_every_counted_channel(policy: Policy) -> None:
    violation = violation_of(_email_after(policy, contact("sms", 5), contact("push", 10)), DAILY)
    assert violation.facts == {"count": 2, "max_contacts": 2, "window_hours": 24.0}
    assert DAILY not in rule_ids(_email_after(policy, contact("sms", 5)))


def test_daily_window_is_strict_and_counts_scheduled_messages(policy: Policy) -> None:
    assert DAILY not in rule_ids(_email_after(policy, contact("sms", 5), contact("push", 24)))
    assert DAILY in rule_ids(
        _email_after(policy, contact("sms", 5), contact("push", -3))
    )  # scheduled 3 h later


def test_pull_channels_are_not_counted_or_capped(policy: Policy) -> None:
    assert DAILY not in rule_ids(_email_after(policy, contact("sms", 5), contact("in_app", 2)))
    in_app = make_proposal(channel="in_app", message={"subject": None})
    busy = make_context(recent_contacts=[contact("sms", 5), contact("push", 10)])
    assert DAILY not in rule_ids(check(in_app, busy, policy))


def test_weekly_total(policy: Policy) -> None:
    four = [contact("push", 30), contact("sms", 60), contact("push", 100), contact("email", 167)]
    assert violation_of(_email_after(policy, *four), WEEKLY).facts["count"] == 4
    three_and_one_old = [*four[:3], contact("email", 168)]
    assert WEEKLY not in rule_ids(_email_after(policy, *three_and_one_old))


def test_one_marketing_email_a_week(policy: Policy) -> None:
    violation = violation_of(_email_after(policy, contact("email", 6 * 24)), CHANNEL_WEEKLY)
    assert violation.facts == {"channel": "email", "count": 1, "max_contacts": 1}
    assert violation.field == "channel"
    assert CHANNEL_WEEKLY not in rule_ids(_email_after(policy, contact("email", 7 * 24)))
    assert CHANNEL_WEEKLY not in rule_ids(_email_after(policy, contact("sms", 24)))
    assert CHANNEL_WEEKLY in rule_ids(_email_after(policy, contact("email", -48)))  # one already scheduled


def test_push_cap_allows_three_a_week(policy: Policy) -> None:
    assert CHANNEL_WEEKLY not in rule_ids(_push_after(policy, contact("push", 30), contact("push", 80)))
    three = (contact("push", 30), contact("push", 80), contact("push", 130))
    assert CHANNEL_WEEKLY in rule_ids(_push_after(policy, *three))


def test_minimum_gap_on_the_same_channel(policy: Policy) -> None:
    violation = violation_of(_push_after(policy, contact("push", 23)), GAP)
    assert violation.facts["gap_hours"] == 23.0
    assert violation.facts["min_hours"] == 24.0
    assert violation.facts["next_allowed"] == "2026-03-10T16:00:00Z"  # the earlier push + 24 h
    assert GAP not in rule_ids(_push_after(policy, contact("push", 24)))
    assert GAP not in rule_ids(_push_after(policy, contact("sms", 1)))


@pytest.mark.parametrize(("hours_before", "fires"), [(15.5, True), (16, False)])
def test_sixteen_hours_between_emails(policy: Policy, hours_before: float, fires: bool) -> None:
    assert (GAP in rule_ids(_email_after(policy, contact("email", hours_before)))) is fires


def test_fatigue_backs_off_after_ignored_messages(policy: Policy) -> None:
    violation = violation_of(_email_after(policy, contact("sms", 48), consecutive_ignored=3), FATIGUE)
    assert violation.facts["ignored"] == 3
    assert violation.facts["next_allowed"] == "2026-03-22T15:00:00Z"  # last contact + 14 days
    assert FATIGUE not in rule_ids(_email_after(policy, contact("sms", 48), consecutive_ignored=2))


def test_fatigue_cooldown_ends(policy: Policy) -> None:
    assert FATIGUE not in rule_ids(_email_after(policy, contact("sms", 14 * 24), consecutive_ignored=5))
    assert FATIGUE in rule_ids(_email_after(policy, contact("sms", 14 * 24 - 1), consecutive_ignored=5))


def test_fatigue_counts_from_the_last_message_before_the_send(policy: Policy) -> None:
    recent = (
        contact("sms", 20 * 24),
        contact("push", 3 * 24),
        contact("email", -48),
    )  # last one is scheduled after
    assert (
        violation_of(_email_after(policy, *recent, consecutive_ignored=4), FATIGUE).facts["next_allowed"]
        == "2026-03-21T15:00:00Z"
    )
