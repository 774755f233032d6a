"""Campaign fairness: no group of members gets systematically deeper discounts than another.

A property of a whole campaign, not of one offer, so it yields campaign-level facts rather than
per-proposal hits. Depth counts every proposal, so a group offered points instead of discounts
shows up as shallower, which is the disparity being measured.
"""

from collections.abc import Iterator, Mapping

import numpy as np

from policies.frame import Frame
from policies.rule_config import FairnessAttribute, FairnessRule
from policies.rules.base import TOLERANCE
from policies.violation import Fact


def discount_depth_gaps(frame: Frame, config: FairnessRule) -> Iterator[Mapping[str, Fact]]:
    groups_by_attribute: dict[FairnessAttribute, np.ndarray] = {
        "postcode_group": frame.postcode_group,
        "demographic_group": frame.demographic_group,
    }
    depth = frame.economics.depth_pct
    for attribute in sorted(config.attributes):
        groups = groups_by_attribute[attribute]
        known = groups != ""  # members with no recorded group are left out
        names, inverse = np.unique(groups[known], return_inverse=True)
        counts = np.bincount(inverse, minlength=names.size)
        totals = np.bincount(inverse, weights=depth[known], minlength=names.size)
        comparable = counts >= config.min_group_size
        if comparable.sum() < 2:
            continue
        means = totals[comparable] / counts[comparable]
        names = names[comparable]
        high, low = int(np.argmax(means)), int(np.argmin(means))
        gap = float(means[high] - means[low])
        if gap > config.tolerance_pct_points + TOLERANCE:
            yield {
                "attribute": attribute,
                "high_group": str(names[high]),
                "high_depth_pct": round(float(means[high]), 2),
                "low_group": str(names[low]),
                "low_depth_pct": round(float(means[low]), 2),
                "gap_pct_points": round(gap, 2),
                "tolerance_pct_points": config.tolerance_pct_points,
            }
