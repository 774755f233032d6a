"""Data freshness: the newest record behind each member's profile, per source, and whether the
profile is stale.

Stale means our data may be out of date, not that the member is quiet: a member fed continuously
who simply has not shopped is fresh as long as any source has said something recently. A member
whose upstream sync (`customers.data_synced_at`) is old is stale whatever the records say.
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from tools.profiles import groups
from tools.profiles.history import History

SOURCES = ("orders", "events", "contacts", "outcomes", "consents", "sync")
DEFAULT_STALE_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class FreshnessArrays:
    newest: np.ndarray  # days, members x SOURCES, NaN where a source has nothing
    age_hours: np.ndarray  # hours since the newest record of any source, NaN with no data at all
    stale: np.ndarray  # bool


def freshness(history: History, stale_after: timedelta) -> FreshnessArrays:
    n = len(history.members)
    newest = np.stack(
        [
            groups.maximum(history.orders.member, history.orders.at, n),
            history.current.newest_event,
            history.current.newest_contact,
            groups.maximum(history.outcomes.member, history.outcomes.at, n),
            groups.maximum(history.consents.member, history.consents.updated, n),
            history.members.synced,
        ],
        axis=1,
    )
    latest = np.fmax.reduce(newest, axis=1)
    age_hours = (history.as_of - latest) * 24.0
    limit = stale_after.total_seconds() / 3600.0
    sync_age = (history.as_of - history.members.synced) * 24.0
    stale = ~(age_hours <= limit) | (sync_age > limit)
    return FreshnessArrays(newest=newest, age_hours=age_hours, stale=stale)
