"""Each candidate's probability of being chosen, for many members at once.

The same probability one decision logs (`tools.nba.member_scoring`): (1 − share) on the greedy
choice, plus share × the fraction of `CHOICE_DRAWS` posterior draws in which the candidate ranks
first. Each member's draws come from their own stream (`_draw_stream`: member, use case, day), and
`ResponseRates.per_member` draws them stream after stream, so a member's probabilities are the
ones a decision of theirs alone logs; many rows are only scored together. One decision
(`tools.nba.member_scoring`) is the case of one member.
"""

import hashlib
from datetime import datetime

import numpy as np

from policies.model import Policy
from policies.vocabulary import UseCase
from tools.nba.response import LearnedLift
from tools.nba.response_fit import ResponseRates
from tools.nba.scorer import MemberBatch, score

# Posterior draws behind each decision's logged choice probabilities: the Monte Carlo error of a
# probability is at most 1 / (2·sqrt(CHOICE_DRAWS)), about 0.06; enough to weight logged decisions.
CHOICE_DRAWS = 64
CHUNK = 256  # members scored together: CHOICE_DRAWS rows each


def choice_probabilities(
    batch: MemberBatch,
    listed: np.ndarray,
    shift: np.ndarray,
    expected: np.ndarray,
    use_case: UseCase,
    policy: Policy,
    *,
    learned: LearnedLift,
    rates: ResponseRates | None,
    share: float,
    now: datetime,
) -> np.ndarray:
    """Members x candidates. `listed`: the candidates a decision lists (the others get 0); `shift`:
    what the rules' pricing moved each candidate's value by; `expected`: each candidate's value at
    the posterior means, that shift included (the greedy choice is the first of the highest)."""
    n, k = listed.shape
    chosen = np.zeros((n, k))
    if n:
        chosen[np.arange(n), np.argmax(np.where(listed, expected, -np.inf), axis=1)] = 1.0
    explored = np.zeros((n, k))
    fitted = rates is not None and not rates.empty
    for start in range(0, n if share > 0 else 0, CHUNK):
        rows = np.arange(start, min(start + CHUNK, n))
        streams = [_draw_stream(int(m), use_case, now) for m in batch.customer_id[rows]]
        copies = take_rows(batch, np.repeat(rows, CHOICE_DRAWS))
        drawn = score(
            copies,
            use_case,
            policy.valuation,
            learned=learned
            if fitted
            else [learned.sampled(rng) for rng in streams for _ in range(CHOICE_DRAWS)],
            rates=rates.per_member(streams, CHOICE_DRAWS) if fitted and rates is not None else rates,
        )
        values = drawn.value.reshape(len(rows), CHOICE_DRAWS, k) + shift[rows, None, :]
        values = np.where(listed[rows, None, :], values, -np.inf)
        winners = np.argmax(values, axis=2)
        counts = np.zeros((len(rows), k))
        np.add.at(counts, (np.repeat(np.arange(len(rows)), CHOICE_DRAWS), winners.ravel()), 1.0)
        explored[rows] = counts / CHOICE_DRAWS
    return np.where(listed, (1 - share) * chosen + share * explored, 0.0)


def _draw_stream(customer_id: int, use_case: UseCase, now: datetime) -> np.random.Generator:
    """The same draws for the same member, use case and day, on every run."""
    digest = hashlib.sha256(
        f"choice\x1f{use_case.value}\x1f{customer_id}\x1f{now.date().isoformat()}".encode()
    )
    return np.random.default_rng(int.from_bytes(digest.digest()[:8], "big"))


def take_rows(batch: MemberBatch, pick: np.ndarray) -> MemberBatch:
    """The batch's rows `pick`, in that order (a row may repeat)."""

    def take(values: object) -> object:
        if values is None:
            return None
        if isinstance(values, dict):
            return {key: v[pick] for key, v in values.items()}
        assert isinstance(values, np.ndarray)
        return values[pick]

    return MemberBatch(**{name: take(value) for name, value in batch.__dict__.items()})  # type: ignore[arg-type]
