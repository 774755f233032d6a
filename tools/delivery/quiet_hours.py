"""Moving a send out of the member's quiet hours, in the member's own time zone.

Retries and fallbacks are scheduled by the worker, not the planner, so they must respect quiet
hours themselves: a retry due at 23:00 local waits until the quiet hours end.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tools.time import to_storage


def outside_quiet_hours(moment: datetime, time_zone: str, start_hour: int, end_hour: int) -> datetime:
    """`moment` (naive UTC) if it is outside quiet hours, else the naive-UTC end of them. Quiet
    hours run from `start_hour` to `end_hour` local time and may wrap midnight (21 → 8)."""
    if start_hour == end_hour:
        return moment
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    hour = local.hour
    wraps = start_hour > end_hour
    quiet = (hour >= start_hour or hour < end_hour) if wraps else (start_hour <= hour < end_hour)
    if not quiet:
        return moment
    day = local.date() + timedelta(days=1) if wraps and hour >= start_hour else local.date()
    end = datetime.combine(day, time(end_hour), tzinfo=zone)
    return to_storage(end)
