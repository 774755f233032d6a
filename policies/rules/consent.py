"""May we reach the member on this channel, and at this local hour?"""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from policies.frame import Frame
from policies.rule_config import ConsentRule, OptOutRule, QuietHoursRule, SendWindow
from policies.rules.base import Hit, as_datetime, iso, rows_where
from policies.vocabulary import Channel


def consent_channel(frame: Frame, config: ConsentRule) -> Iterator[Hit]:
    needs_consent = np.isin(frame.channel, list(config.required_for))
    for row in rows_where(needs_consent & ~frame.has_consent):
        yield Hit(row, {"channel": str(frame.channel[row])}, "channel")


def consent_opt_out(frame: Frame, config: OptOutRule) -> Iterator[Hit]:
    for row in rows_where(frame.opted_out):
        yield Hit(row, {"channel": str(frame.channel[row])}, "channel")


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def quiet_hours_local(frame: Frame, config: QuietHoursRule) -> Iterator[Hit]:
    start = np.full(frame.size, -1, dtype=np.int64)
    end = np.full(frame.size, -1, dtype=np.int64)
    for channel, window in config.windows.items():
        on_channel = frame.channel == channel
        start[on_channel] = _seconds(window.send_from)
        end[on_channel] = _seconds(window.send_until)
    local = frame.local_seconds
    wraps = start > end  # e.g. 22:00–06:00: allowed late evening or early morning
    inside = np.where(wraps, (local >= start) | (local < end), (local >= start) & (local < end))
    for row in rows_where((start >= 0) & ~inside):
        window = config.windows[Channel(frame.channel[row])]
        zone = ZoneInfo(str(frame.time_zone[row]))
        seconds = int(local[row])
        yield Hit(
            row,
            {
                "channel": str(frame.channel[row]),
                "local_time": f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}",
                "time_zone": str(frame.time_zone[row]),
                "send_from": window.send_from.strftime("%H:%M"),
                "send_until": window.send_until.strftime("%H:%M"),
                "next_allowed": iso(_next_window_start(as_datetime(frame.send_at[row]), window, zone)),
            },
            "send_at",
        )


def _next_window_start(send_at: datetime, window: SendWindow, zone: ZoneInfo) -> datetime:
    """The first local `send_from` after `send_at`, computed on the local calendar so DST holds."""
    local = send_at.astimezone(zone)
    start = datetime.combine(local.date(), window.send_from, tzinfo=zone)
    if start <= local:
        start = datetime.combine(local.date() + timedelta(days=1), window.send_from, tzinfo=zone)
    return start
