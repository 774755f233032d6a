"""When an offer is sent and how long it lasts."""

from collections.abc import Iterator

import numpy as np

from policies.frame import Frame
from policies.rule_config import ScheduleRule, ValidityRule
from policies.rules.base import Hit, hours, in_hours, iso, rows_where
from policies.violation import Fact


def validity_bounds(frame: Frame, config: ValidityRule) -> Iterator[Hit]:
    valid = frame.valid_until - frame.valid_from
    usable = frame.valid_until - np.maximum(frame.send_at, frame.valid_from)
    minimum, maximum = hours(config.min_hours), hours(config.max_days * 24)
    for row in rows_where((valid < minimum) | (valid > maximum) | (usable < minimum)):
        facts: dict[str, Fact] = {
            "valid_hours": in_hours(valid[row]),
            "usable_hours": in_hours(usable[row]),
            "min_hours": config.min_hours,
            "max_days": config.max_days,
        }
        yield Hit(row, facts, "valid_until")


def schedule_horizon(frame: Frame, config: ScheduleRule) -> Iterator[Hit]:
    earliest = frame.now - hours(config.max_past_minutes / 60)
    latest = frame.now + hours(config.max_ahead_days * 24)
    for row in rows_where((frame.send_at < earliest) | (frame.send_at > latest)):
        facts: dict[str, Fact] = {
            "send_at": iso(frame.send_at[row]),
            "now": iso(frame.now[row]),
            "max_past_minutes": config.max_past_minutes,
            "max_ahead_days": config.max_ahead_days,
        }
        yield Hit(row, facts, "send_at")
