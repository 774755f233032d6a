"""Exploration: a small, fixed share of decisions scores with lever factors drawn from their
posteriors instead of their means (Thompson sampling, `LearnedLift.sampled`), so levers the
outcomes have not measured well yet keep being tried while the rest of the decisions choose
greedily. Which decisions explore is a hash of the member, the use case and the day: the same on
every run and machine, and spread evenly over members.
"""

import hashlib
from datetime import date

import numpy as np

from policies.vocabulary import UseCase

DEFAULT_EXPLORATION_SHARE = 0.05
_SCALE = float(2**64)


def exploration_stream(
    customer_id: int, use_case: UseCase, day: date, share: float
) -> np.random.Generator | None:
    """The random stream this decision explores with, or None when it chooses greedily."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"exploration share must be in [0, 1], got {share}")
    digest = hashlib.sha256(
        f"explore\x1f{use_case.value}\x1f{customer_id}\x1f{day.isoformat()}".encode()
    ).digest()
    if int.from_bytes(digest[:8], "big") / _SCALE >= share:
        return None
    return np.random.default_rng(int.from_bytes(digest[8:16], "big"))
