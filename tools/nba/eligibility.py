"""Whether a use case applies to a member at all right now, before any action is priced.

A trigger can reach a specialist when its premise no longer holds (the member bought since the
lapse was queued, an ops request names the wrong member) or never held for this member (a rival's
promotion in a category they do not buy). The value model would still find a cheap message worth a
few cents; a CRM team would not send a win-back to a member who bought five days ago, nor answer a
barbecue promotion for a coffee buyer. These checks read observed profile fields only.
"""

import numpy as np

from policies.vocabulary import UseCase
from tools.profiles import Profile

# A rival's promotion concerns the member when its category is among their strongest affinities
# (the trigger rule `competitor_promotion` uses the same depth by spend) or a category they
# replenish regularly.
COMPETITOR_TOP_CATEGORIES = 3


def not_applicable(profile: Profile, use_case: UseCase, anchor_category: str | None) -> str | None:
    """Why the use case does not apply to this member now, or None when it does."""
    if use_case is UseCase.REACTIVATION:
        return _not_lapsed(profile)
    if use_case is UseCase.COMPETITIVE_RESPONSE and anchor_category:
        return outside_affinities(profile, anchor_category)
    return None


def overdue_days(profile: Profile) -> float | None:
    """Days past the member's own usual gap between orders (negative: still inside it); None
    without a rhythm to judge by."""
    since, gap = profile.recency.days_since_last_order, profile.frequency.median_interval_days
    if since is None or gap is None:
        return None
    return since - gap


def within_rhythm(days_since: np.ndarray, median_gap: np.ndarray) -> np.ndarray:
    """The same test for a whole audience (campaigns): True where a member is not lapsed; NaN
    (no order, no rhythm) is never within it."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(days_since) & np.isfinite(median_gap) & (days_since <= median_gap)


def _not_lapsed(profile: Profile) -> str | None:
    overdue = overdue_days(profile)
    if overdue is None or overdue > 0:
        return None
    return (
        f"the member is not lapsed: last order {profile.recency.days_since_last_order:.0f} days ago, within "
        f"their usual {profile.frequency.median_interval_days:.0f}-day rhythm; no win-back needed"
    )


def outside_affinities(profile: Profile, category: str) -> str | None:
    wanted = category.casefold()
    top = [c.category.casefold() for c in profile.predictions.category_affinity[:COMPETITOR_TOP_CATEGORIES]]
    regular = [r.category.casefold() for r in profile.predictions.replenishment]
    favourite = (profile.predictions.favourite_category or "").casefold()
    if wanted in top or wanted in regular or wanted == favourite:
        return None
    return (
        f"the rival's promotion is on {category}, which is not among the member's categories; "
        "nothing to answer"
    )
