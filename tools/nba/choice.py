"""Each candidate's probability of being chosen, for many members at once.

The same probability one decision logs (`tools.nba.member_scoring`): (1 − share) on the greedy
choice, plus share × the fraction of `CHOICE_DRAWS` posterior draws in which the candidate ranks
first. Each member's draws come from their own stream (`_draw_stream`: member, use case, day), and
`ResponseRates.per_member` draws them in the order a single decision does, so a member's
probabilities are the ones their own decision would log; the rows are only scored together.
"""

from datetime import datetime

import numpy as np

from policies.model import Policy
from policies.vocabulary import UseCase
from tools.nba.member_scoring import CHOICE_DRAWS, _draw_stream
from tools.nba.response import LearnedLift
from tools.nba.response_fit import ResponseRates
from tools.nba.scorer import MemberBatch, score

CHUNK = 256  # members scored together: CHOICE_DRAWS rows each


def choice_probabilities(
    batch: MemberBatch,
    listed: np.ndarray,
    shift: np.ndarray,
    greedy_value: np.ndarray,
    use_case: UseCase,
    policy: Policy,
    *,
    learned: LearnedLift,
    rates: ResponseRates | None,
    share: float,
    now: datetime,
) -> np.ndarray:
    """Members x candidates. `listed`: the candidates a decision lists (the others get 0); `shift`:
    what the rules' pricing moved each candidate's value by; `greedy_value`: the scorer's value at
    the posterior means, before that shift."""
    n, k = listed.shape
    # Rounded far below a cent: candidates of equal value tie exactly (the first is chosen, as for
    # one member) whatever the last bits of a batch's arithmetic.
    expected = np.where(listed, np.round(greedy_value + shift, 9), -np.inf)
    chosen = np.zeros((n, k))
    if n:
        chosen[np.arange(n), np.argmax(expected, axis=1)] = 1.0
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
