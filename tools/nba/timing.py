"""When to send: the member's usual hour, in their time zone, inside the channel's send window."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from policies.model import Policy
from policies.vocabulary import Channel, UseCase

LEAD = timedelta(minutes=15)  # never schedule closer to now than this
DEFAULT_HOUR = 10
# How long an offer stays open, by use case: urgency for carts, time to come back for win-back.
VALIDITY = {
    UseCase.CART_ABANDONMENT: timedelta(hours=24),
    UseCase.UPSELL: timedelta(days=3),
    UseCase.REACTIVATION: timedelta(days=7),
    UseCase.COMPETITIVE_RESPONSE: timedelta(days=3),
}


def _inside(window_from: time, window_until: time, moment: time) -> bool:
    if window_from <= window_until:
        return window_from <= moment < window_until
    return moment >= window_from or moment < window_until


def send_time(
    now: datetime,
    preferred_hour: int | None,
    time_zone: str,
    channel: Channel,
    policy: Policy,
    *,
    urgent: bool = False,
    member_quiet: tuple[int, int] | None = None,
) -> datetime:
    """The first moment from now+LEAD that is the member's preferred local hour (or, when urgent,
    simply the next allowed moment), inside the channel's send window and outside the member's own
    quiet hours `(start_hour, end_hour)`. Aware UTC."""
    zone = ZoneInfo(time_zone)
    start = (now + LEAD).astimezone(zone)
    window = policy.quiet_hours.local.windows.get(channel)

    def allowed(moment: datetime) -> bool:
        if window is not None and not _inside(window.send_from, window.send_until, moment.time()):
            return False
        if member_quiet is not None and member_quiet[0] != member_quiet[1]:
            return not _inside(time(member_quiet[0]), time(member_quiet[1]), moment.time())
        return True

    hour = DEFAULT_HOUR if preferred_hour is None else preferred_hour
    preferred = start.replace(hour=hour, minute=0, second=0, microsecond=0)
    candidates = [preferred + timedelta(days=d) for d in range(0, 3)]
    if urgent:  # the next allowed quarter hour, whatever the member's usual hour
        first = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0) + timedelta(
            minutes=15
        )
        candidates = [first + timedelta(minutes=15 * q) for q in range(0, 4 * 36)]
    for moment in candidates:
        if moment >= start and allowed(moment):
            return moment.astimezone(UTC)
    # The preferred hour is never allowed for this channel and member: the allowed hour nearest to
    # it on the clock (a 22:00 reader is messaged at the window's last hour, not at 8 the next
    # morning), the earliest such moment.
    allowed_moments = [
        moment
        for moment in (
            (start + timedelta(hours=step)).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            for step in range(48)
        )
        if allowed(moment)
    ]
    if not allowed_moments:
        raise ValueError(f"no allowed send time for {channel} within two days")
    if urgent:
        return allowed_moments[0].astimezone(UTC)

    def off_hour(moment: datetime) -> int:
        gap = abs(moment.hour - hour)
        return min(gap, 24 - gap)

    return min(allowed_moments, key=lambda moment: (off_hour(moment), moment)).astimezone(UTC)


def valid_until(send_at: datetime, use_case: UseCase) -> datetime:
    return send_at + VALIDITY[use_case]
