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


def send_time(now: datetime, preferred_hour: int | None, time_zone: str, channel: Channel, policy: Policy,
              *, urgent: bool = False) -> datetime:
    """The first moment from now+LEAD that is the member's preferred local hour (or, when urgent,
    simply the next moment) and falls inside the channel's send window. Aware UTC."""
    zone = ZoneInfo(time_zone)
    start = (now + LEAD).astimezone(zone)
    window = policy.quiet_hours.local.windows.get(channel)
    hour = DEFAULT_HOUR if preferred_hour is None else preferred_hour
    candidates = [start] if urgent else []
    day = start.replace(hour=hour, minute=0, second=0, microsecond=0)
    candidates += [day + timedelta(days=d) for d in range(0, 3)]
    for moment in candidates:
        if moment < start:
            continue
        if window is None or _inside(window.send_from, window.send_until, moment.time()):
            return moment.astimezone(UTC)
    # The preferred hour is always in quiet hours for this channel: use the window's opening.
    assert window is not None
    opening = start.replace(hour=window.send_from.hour, minute=window.send_from.minute, second=0, microsecond=0)
    return (opening if opening >= start else opening + timedelta(days=1)).astimezone(UTC)


def valid_until(send_at: datetime, use_case: UseCase) -> datetime:
    return send_at + VALIDITY[use_case]
