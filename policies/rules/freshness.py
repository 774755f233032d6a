"""No action on a profile that may no longer describe the member."""

from collections.abc import Iterator

from policies.frame import Frame
from policies.rule_config import FreshnessRule
from policies.rules.base import Hit, rows_where
from policies.violation import Fact


def data_freshness(frame: Frame, config: FreshnessRule) -> Iterator[Hit]:
    too_old = frame.data_age_hours > config.max_age_hours
    for row in rows_where(frame.profile_stale | too_old):
        facts: dict[str, Fact] = {
            "data_age_hours": round(float(frame.data_age_hours[row]), 2),
            "max_age_hours": config.max_age_hours,
            "profile_stale": "yes" if frame.profile_stale[row] else "no",
        }
        yield Hit(row, facts, None)
