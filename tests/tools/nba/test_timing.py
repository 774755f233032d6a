"""Send times: the member's usual hour, inside the channel window and outside their quiet hours."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from policies.loader import load_policy
from policies.vocabulary import Channel
from tools.nba.timing import send_time

POLICY = load_policy()
SYDNEY = ZoneInfo("Australia/Sydney")


def local(moment: datetime) -> datetime:
    return moment.astimezone(SYDNEY)


def test_preferred_hour_is_used_when_allowed() -> None:
    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 20:00 in Sydney
    at = local(send_time(now, 12, "Australia/Sydney", Channel.EMAIL, POLICY))
    assert (at.hour, at.minute) == (12, 0) and at.date().day == 11


def test_urgent_send_waits_out_the_members_quiet_hours() -> None:
    now = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # 22:00 in Sydney, inside 21:00-08:00
    at = local(
        send_time(now, 12, "Australia/Sydney", Channel.EMAIL, POLICY, urgent=True, member_quiet=(21, 8))
    )
    assert at.hour == 8 and at.minute == 0


def test_sms_never_lands_in_its_quiet_window() -> None:
    now = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    at = local(send_time(now, 23, "Australia/Sydney", Channel.SMS, POLICY))
    assert 8 <= at.hour < 21


def test_a_late_reader_outside_the_window_gets_the_windows_nearest_hour_not_the_next_morning() -> None:
    now = datetime(2026, 3, 9, 20, 0, tzinfo=UTC)  # 07:00 in Sydney
    at = local(send_time(now, 22, "Australia/Sydney", Channel.EMAIL, POLICY, member_quiet=(21, 8)))
    assert (at.hour, at.date().day) == (20, 10)
