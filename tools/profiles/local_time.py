"""Hours and weekdays in each member's own time zone: send-time preferences and quiet hours are
local, while storage is UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday; Monday is 0
SOUTHERN_ZONES = (
    "Australia/",
    "Antarctica/",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Fiji",
    "America/Argentina",
    "America/Sao_Paulo",
    "America/Santiago",
    "America/Montevideo",
    "America/Asuncion",
    "Africa/Johannesburg",
    "Africa/Maputo",
    "Africa/Windhoek",
    "Indian/Mauritius",
    "Indian/Reunion",
)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_local(at_days: np.ndarray, member: np.ndarray, member_zones: np.ndarray) -> np.ndarray:
    """UTC days -> local days, each record in its member's zone. The offset is taken per calendar
    day (exact but for the hour around a daylight-saving switch)."""
    local = at_days.astype(float).copy()
    names, zone_of_member = np.unique(member_zones.astype(str), return_inverse=True)
    zone_of_record = zone_of_member[member]
    for z, name in enumerate(names):
        if name == "UTC":
            continue
        rows = zone_of_record == z
        days, position = np.unique(np.floor(at_days[rows]), return_inverse=True)
        tz = zone(name)
        noons = (datetime.fromtimestamp((d + 0.5) * 86_400, tz=UTC).astimezone(tz) for d in days)
        offsets = np.array([noon.utcoffset().total_seconds() / 86_400 for noon in noons])  # type: ignore[union-attr]
        local[rows] = at_days[rows] + offsets[position]
    return local


def hour_of(local_days: np.ndarray) -> np.ndarray:
    return np.floor((local_days - np.floor(local_days)) * 24).astype(np.int64).clip(0, 23)


def weekday_of(local_days: np.ndarray) -> np.ndarray:
    return ((np.floor(local_days).astype(np.int64) + EPOCH_WEEKDAY) % 7).astype(np.int64)


def southern(zone_names: np.ndarray) -> np.ndarray:
    names = zone_names.astype(str)
    return np.array([any(n.startswith(z) for z in SOUTHERN_ZONES) for n in names], dtype=bool)
