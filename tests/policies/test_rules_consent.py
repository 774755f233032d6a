from datetime import UTC, datetime, timedelta

import pytest

from policies.engine import check
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import customised, make_context, make_proposal, make_sms, rule_ids, violation_of

QUIET = RuleId.QUIET_HOURS_LOCAL


def _sms_at(moment: datetime, time_zone: str, policy: Policy, **proposal: object):
    sms = make_sms(send_at=moment, valid_from=moment, valid_until=moment + timedelta(days=7), **proposal)
    return check(sms, make_context(now=moment, time_zone=time_zone), policy)


def test_no_recorded_consent_means_no_consent(policy: Policy) -> None:
    result = check(make_sms(), make_context(consents={"sms": None}), policy)  # None: remove the record
    violation = violation_of(result, RuleId.CONSENT_CHANNEL)
    assert violation.field == "channel"
    assert "consented to marketing by sms" in violation.message


def test_explicit_refusal_fires_and_consent_passes(policy: Policy) -> None:
    assert RuleId.CONSENT_CHANNEL in rule_ids(
        check(make_proposal(), make_context(consents={"email": False}), policy)
    )
    assert RuleId.CONSENT_CHANNEL not in rule_ids(check(make_proposal(), make_context(), policy))


def test_in_app_messages_need_no_marketing_consent(policy: Policy) -> None:
    in_app = make_proposal(channel="in_app", message={"subject": None})
    assert RuleId.CONSENT_CHANNEL not in rule_ids(check(in_app, make_context(consents={}), policy))


def test_opt_out_wins_over_recorded_consent(policy: Policy) -> None:
    result = check(make_proposal(), make_context(opted_out=["email"]), policy)
    assert "opted out of email" in violation_of(result, RuleId.CONSENT_OPT_OUT).message
    assert RuleId.CONSENT_OPT_OUT not in rule_ids(
        check(make_proposal(), make_context(opted_out=["sms"]), policy)
    )


@pytest.mark.parametrize(
    ("utc", "fires"),
    [
        (datetime(2026, 3, 10, 12, 0, tzinfo=UTC), False),  # 08:00 EDT: the window opens
        (datetime(2026, 3, 10, 11, 59, tzinfo=UTC), True),  # 07:59 EDT
        (datetime(2026, 3, 11, 0, 59, tzinfo=UTC), False),  # 20:59 EDT
        (datetime(2026, 3, 11, 1, 0, tzinfo=UTC), True),  # 21:00 EDT: the window has closed
        (datetime(2026, 3, 11, 6, 0, tzinfo=UTC), True),  # 02:00 EDT, after midnight
    ],
)
def test_sms_window_edges_in_the_members_time_zone(policy: Policy, utc: datetime, fires: bool) -> None:
    assert (QUIET in rule_ids(_sms_at(utc, "America/New_York", policy))) is fires


def test_quiet_hours_across_midnight_point_to_the_next_morning(policy: Policy) -> None:
    late = datetime(2026, 3, 11, 2, 30, tzinfo=UTC)  # 22:30 EDT on 10 March
    violation = violation_of(_sms_at(late, "America/New_York", policy), QUIET)
    assert violation.field == "send_at"
    assert violation.facts["local_time"] == "22:30"
    assert violation.facts["next_allowed"] == "2026-03-11T12:00:00Z"  # 08:00 EDT on 11 March
    early = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)  # 02:00 EDT on 11 March: same morning
    assert (
        violation_of(_sms_at(early, "America/New_York", policy), QUIET).facts["next_allowed"]
        == "2026-03-11T12:00:00Z"
    )


@pytest.mark.parametrize(
    ("utc", "time_zone", "fires"),
    [
        # US clocks went forward on 8 March 2026: 12:30 UTC is 08:30 EDT, the day before 07:30 EST.
        (datetime(2026, 3, 8, 12, 30, tzinfo=UTC), "America/New_York", False),
        (datetime(2026, 3, 7, 12, 30, tzinfo=UTC), "America/New_York", True),
        # UK clocks went back on 25 October 2026: 07:30 UTC is 07:30 GMT, the day before 08:30 BST.
        (datetime(2026, 10, 25, 7, 30, tzinfo=UTC), "Europe/London", True),
        (datetime(2026, 10, 24, 7, 30, tzinfo=UTC), "Europe/London", False),
        # A half-hour offset: India is UTC+05:30.
        (datetime(2026, 3, 10, 2, 45, tzinfo=UTC), "Asia/Kolkata", False),
        (datetime(2026, 3, 10, 2, 15, tzinfo=UTC), "Asia/Kolkata", True),
    ],
)
def test_quiet_hours_follow_daylight_saving_and_odd_offsets(
    policy: Policy, utc: datetime, time_zone: str, fires: bool
) -> None:
    assert (QUIET in rule_ids(_sms_at(utc, time_zone, policy))) is fires


def test_next_allowed_send_respects_a_dst_change_overnight(policy: Policy) -> None:
    # 02:30 UTC on 8 March is 21:30 EST on the 7th; the next 08:00 is already EDT (12:00 UTC).
    violation = violation_of(
        _sms_at(datetime(2026, 3, 8, 2, 30, tzinfo=UTC), "America/New_York", policy), QUIET
    )
    assert violation.facts["next_allowed"] == "2026-03-08T12:00:00Z"


def test_email_is_exempt_by_default(policy: Policy) -> None:
    night = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 03:00 EDT
    email = make_proposal(send_at=night, valid_from=night)
    assert QUIET not in rule_ids(check(email, make_context(now=night), policy))


def test_a_window_that_wraps_past_midnight(policy: Policy) -> None:
    night_shift = customised(
        policy, "quiet_hours.local.windows", {"push": {"send_from": "22:00", "send_until": "06:00"}}
    )

    def push_at(utc: datetime):
        push = make_proposal(channel="push", send_at=utc, valid_from=utc, valid_until=utc + timedelta(days=2))
        return check(push, make_context(now=utc, time_zone="Europe/London"), night_shift)

    assert QUIET not in rule_ids(push_at(datetime(2026, 1, 15, 23, 0, tzinfo=UTC)))  # 23:00 GMT
    assert QUIET not in rule_ids(push_at(datetime(2026, 1, 16, 5, 59, tzinfo=UTC)))  # 05:59 GMT
    noon = violation_of(push_at(datetime(2026, 1, 16, 12, 0, tzinfo=UTC)), QUIET)
    assert noon.facts["next_allowed"] == "2026-01-16T22:00:00Z"
