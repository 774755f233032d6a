"""Which queued members an agent run could send to at all, found set-based before any run.

The always-on pass considers a whole cohort at once, and on the fitted response most members have
no action worth more than doing nothing. An agent run (orchestrator, specialist, MCP calls) costs
tens of milliseconds to learn that; this screen finds those members with one vectorised call of
the same scorer the offers server uses (`tools.nba.scorer.score`), on the same fitted response,
learned factors and contact facts, and lets through every member whose decision it cannot vouch for:

- a member whose best action could be worth more than doing nothing. The bound: the member scored
  as if no message had reached them this week (every recent contact lowers a message's response
  and raises its fatigue cost), on every channel they consented to (caps, pauses and opt-outs
  only take channels away), and before the offer's cost (the rules' pricing only moves what a
  redemption costs, and a redemption never pays: `value + P(redeem) · cost if redeemed` bounds
  every priced value, bundles included). Below zero no action can be proposed: "nothing";
- a member who explores today (their decision scores on posterior draws, not on the means);
- a member with records dated since the profile frame was built, or missing from it: their
  decision reads a profile computed live, which the frame does not hold.

A member screened out is decided exactly as an agent run would decide them — nothing — without
one; the worker marks their trigger skipped (`tools.triggers.queue.skip_pending`).
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from policies.model import Policy
from policies.vocabulary import UseCase
from tools.campaigns import frame_batch
from tools.nba.exploration import exploration_stream
from tools.nba.member_scoring import HORIZON_DAYS, MAX_MOMENT_INTENT, REPLENISHMENT_DUE_DAYS
from tools.nba.response import LearnedLift
from tools.nba.response_fit import ResponseRates
from tools.nba.scorer import CHANNELS, score
from tools.profiles import ProfileFrame, day_of, recorded_members
from tools.storage import Database

# Below this upper bound no action can be proposed: a candidate must be worth more than 0.00 once
# rounded to cents (`tools.nba.member_scoring`); the rest of the cent absorbs float differences
# between one member's scoring and the batch's.
BOUND = 0.0


@dataclass(frozen=True)
class Screen:
    """Per member, in the order asked: whether an agent run must decide them, and why."""

    decide: np.ndarray  # bool
    unframed: int  # not in the frame, or records since it was built
    exploring: int
    worth_a_look: int  # the best action's upper bound is above doing nothing

    @property
    def screened_out(self) -> int:
        return int((~self.decide).sum())


async def screen(
    db: Database,
    frame: ProfileFrame,
    members: np.ndarray,
    use_case: UseCase,
    policy: Policy,
    *,
    now: datetime,
    rates: ResponseRates | None,
    learned: LearnedLift | None,
    exploration_share: float,
) -> Screen:
    """`rates` and `learned`: what the offers server scores with now (`tools.nba.learning`)."""
    members = np.asarray(members, dtype=np.int64)
    moment = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo is not None else now
    at, framed = await frame_rows(db, frame, members, moment)
    day = now.date()
    exploring = np.array(
        [exploration_stream(int(m), use_case, day, exploration_share) is not None for m in members.tolist()],
        dtype=bool,
    )
    decide = ~framed | exploring
    rows = np.flatnonzero(~decide)
    worth = np.zeros(len(members), dtype=bool)
    if len(rows):
        n = len(rows)
        batch = frame_batch(
            frame,
            at[rows],
            use_case,
            None,
            recent_contacts_7d=np.zeros(n),
            consecutive_ignored=np.zeros(n),
            reachable={c: np.ones(n, dtype=bool) for c in CHANNELS},
        )
        batch = replace(batch, intent=intent_bound(frame, at[rows], use_case, moment))
        scores = score(batch, use_case, policy.valuation, learned=learned or LearnedLift(), rates=rates)
        before_offer = scores.value + scores.redeem * scores.cost_if_redeemed
        best = np.max(before_offer[:, 1:], axis=1, initial=-np.inf)  # column 0 is doing nothing
        worth[rows] = best >= BOUND
    decide |= worth
    return Screen(
        decide=decide,
        unframed=int((~framed).sum()),
        exploring=int((framed & exploring).sum()),
        worth_a_look=int(worth.sum()),
    )


async def frame_rows(
    db: Database, frame: ProfileFrame, members: np.ndarray, moment: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """Per member, their row in the frame and whether the frame holds them as they are now: in it,
    and no records dated since it was built (`moment`: naive UTC)."""
    ids = frame.history.members.customer_id
    at = np.searchsorted(ids, members).clip(0, max(len(ids) - 1, 0))
    framed = (at < len(ids)) & (ids[at] == members) if len(ids) else np.zeros(len(members), dtype=bool)
    if frame.as_of < moment:
        framed &= ~np.isin(members, np.array(await recorded_members(db, frame.as_of, moment), dtype=np.int64))
    return at, framed


def intent_bound(frame: ProfileFrame, rows: np.ndarray, use_case: UseCase, now: datetime) -> np.ndarray:
    """Per member, the most a decision's moment can scale their response: a regular purchase coming
    due scales it as `tools.nba.member_scoring.moment_intent` does, for whichever category the
    decision anchors on, which the screen does not know; so it takes the member's largest."""
    found = frame.predictions.replenishment
    per_member = np.diff(found.offsets)
    member = np.repeat(np.arange(len(per_member)), per_member)
    # A day's slack: the single-member path compares calendar dates, the frame days since the epoch.
    due = found.regular & (found.next_day <= day_of(now) + REPLENISHMENT_DUE_DAYS + 1)
    intent = np.where(due, _due_intent(found.interval_days, use_case), 1.0)
    bound = np.ones(len(per_member))
    np.maximum.at(bound, member, intent)
    return bound[rows]


def anchor_intent(
    frame: ProfileFrame, rows: np.ndarray, use_case: UseCase, now: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """Per member, (intent, due) for the category a decision without a trigger anchors on — their
    favourite, else their top affinity — exactly as `tools.nba.member_scoring` takes them for one
    member: the first regular purchase of that category whose expected date (a calendar day) is
    within `REPLENISHMENT_DUE_DAYS` of today scales the response (`moment_intent`) and makes the
    message a replenishment."""
    found = frame.predictions.replenishment
    rows = np.asarray(rows, dtype=np.int64)
    top = frame.predictions.anchor(rows)
    per_member = np.diff(found.offsets)[rows]
    member = np.repeat(np.arange(len(rows)), per_member)
    entries = (
        np.concatenate([np.arange(found.offsets[r], found.offsets[r + 1]) for r in rows])
        if len(rows)
        else np.zeros(0, dtype=np.int64)
    ).astype(np.int64)
    today = np.floor(day_of(now))
    due = (
        found.regular[entries]
        & (found.category[entries] == top[member])
        & (np.floor(found.next_day[entries]) <= today + REPLENISHMENT_DUE_DAYS)
    )
    intent, anchored_due = np.ones(len(rows)), np.zeros(len(rows), dtype=bool)
    first = np.flatnonzero(due)
    first = first[np.unique(member[first], return_index=True)[1]]  # each member's first due entry
    intent[member[first]] = _due_intent(found.interval_days[entries[first]], use_case)
    anchored_due[member[first]] = True
    return intent, anchored_due


def _due_intent(interval_days: np.ndarray, use_case: UseCase) -> np.ndarray:
    memoryless = 1 - np.exp(-HORIZON_DAYS[use_case] / np.maximum(interval_days, 1.0))
    return np.minimum(1 / np.maximum(memoryless, 1e-6), MAX_MOMENT_INTENT)
