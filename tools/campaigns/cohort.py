"""Deciding a queued cohort set-based: the always-on pass (DESIGN §5).

The always-on pass considers every reachable member no other trigger has in hand. An agent run each
(orchestrator → specialist → guard → channels) costs a tenth of a second of CPU: a whole base is
hours. Here the cohort is decided the way a campaign is planned, on what one decision weighs:

1. who: the cohort's members as the profile frame holds them now; a member with records since it
   was built, or missing from it, is left to an agent run (`deferred`), as the screen leaves them;
2. scoring: one call of the vectorised scorer (`score_audience`) on the fitted response and
   learned factors the offers server uses, the contact record read set-based, the moment of the
   category the message is about (a regular purchase coming due, `anchor_intent`), values rounded
   and ranked as one member's are; a member who explores today scores on the posterior draw their
   own decision would make (`ResponseRates.per_member` with their exploration stream);
3. the specialist's choice: each member's best candidates checked against the rules at once, the
   next tried when one is blocked, up to the four a specialist checks (`best_compliant`, the
   campaign planner's, with its judgement of every distinct copy);
4. bundles are priced as a decision prices them, on each member's own bundle
   (`tools.campaigns.bundles`), and listed; a member whose bundle the specialist would reach before
   the action chosen here is deferred: a bundle's proposal carries products the rules check
   against stock, member by member;
5. the budget: what the use case has left, members taken by value per dollar (`allocate`); a
   member the money no longer covers gets their best free candidate that passes the rules, as an
   agent run does once the rules' remaining-budget check blocks the offer (`_free_instead`);
6. every member's candidates with the probability that the scoring policy chooses each
   (`tools.nba.choice`): what their decision logs for `loyalty eval offline`.

The guard's audit and the queueing are the campaign's (`audit_and_queue`), each member's review
and proposal under their own trace.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import numpy as np

from policies.model import Policy
from policies.vocabulary import UseCase
from tools.campaigns.allocation import allocate
from tools.campaigns.bundles import bundle_orders
from tools.campaigns.contact_facts import read_contact_facts
from tools.campaigns.plan import CampaignDeps, best_compliant
from tools.campaigns.planned import PlannedMember
from tools.campaigns.proposals import ProposalFactory, anchor_categories
from tools.campaigns.scoring import AudienceScores, member_batch, score_audience, typical_basket
from tools.decisions import NothingCause
from tools.nba import (
    CHANNELS,
    LearnedLift,
    anchor_intent,
    choice_probabilities,
    exploration_stream,
    fit_response,
    frame_rows,
    take_rows,
)

# As the local specialist: it checks the best candidate, then up to this many in all
# (`agents.specialists.local_policy.CANDIDATES_CHECKED`), of the `TOP` the offers server lists.
CANDIDATES_CHECKED = 4
TOP = 5


@dataclass(frozen=True)
class CohortDecision:
    """One member's decision, as their decision log holds it."""

    customer_id: int
    trace_id: str
    scoring: dict[str, Any]  # what `score_candidate_actions` would answer: candidates, anchor, exploring
    cause: NothingCause | None  # why nothing, when no proposal goes to the guard


@dataclass(frozen=True)
class CohortPlan:
    use_case: UseCase
    planned_at: datetime  # aware UTC
    members: tuple[PlannedMember, ...]  # proposals for the guard, in the order chosen
    decisions: tuple[CohortDecision, ...]  # every member decided here
    deferred: tuple[int, ...]  # members left to agent runs
    watermark: int  # the newest contact id when planned: the send-time re-check's reference


async def plan_cohort(
    deps: CampaignDeps,
    use_case: UseCase,
    customers: list[int],
    traces: list[str],
    *,
    now: datetime,
    exploration_share: float,
) -> CohortPlan:
    """`traces`: each member's decision trace (their trigger's), in the order of `customers`."""
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    naive = moment.replace(tzinfo=None)
    frame = await deps.profiles.frame(moment)
    asked = np.asarray(customers, dtype=np.int64)
    at, framed = await frame_rows(deps.db, frame, asked, naive)
    keep = np.flatnonzero(framed)
    rows, ids = at[keep], asked[keep]
    facts = await read_contact_facts(
        deps.db,
        ids.tolist(),
        use_case,
        deps.policy,
        now=moment,
        lookback=deps.contact_lookback,
        ignore_window=deps.ignore_window,
    )
    intent, due = anchor_intent(frame, rows, use_case, naive)
    anchors = anchor_categories(frame, rows)
    bundles = await bundle_orders(deps.db, frame, rows, anchors, typical_basket(frame, rows))
    rates = deps.rates if deps.rates is not None else await fit_response(deps.db, moment)
    learned = deps.learned or LearnedLift()
    streams = [exploration_stream(int(m), use_case, moment.date(), exploration_share) for m in ids.tolist()]
    exploring = np.array([s is not None for s in streams], dtype=bool)
    score_with = partial(
        score_audience,
        frame,
        use_case=use_case,
        policy=deps.policy,
        depth=CANDIDATES_CHECKED,
    )
    greedy = score_with(rows, facts, learned=learned, rates=rates, intent=intent, bundles=bundles)
    scores = _copied(greedy) if exploring.any() else greedy
    for i in np.flatnonzero(exploring).tolist():
        # One by one: the scorer takes some terms from the mean of the draws it is given, which
        # for one member's draw is that draw (`tools.nba.member_scoring` explores so).
        stream, one = streams[i], [i]
        assert stream is not None
        drawn = score_with(
            rows[one],
            facts.subset(one),
            learned=learned if not rates.empty else learned.sampled(stream),
            rates=rates.sampled(stream) if not rates.empty else rates,
            intent=intent[one],
            bundles=bundles.subset(np.array(one)),
        )
        _set_row(scores, i, drawn)
    stale = frame.freshness.stale[rows]
    paused = facts.budget_paused
    ranked = scores.ranked.copy()
    ranked[stale] = -1
    if paused:
        ranked[:] = -1
    factory = ProposalFactory(
        frame,
        rows,
        anchors,
        facts,
        scores,
        use_case,
        deps.policy,
        moment,
        deps.writer,
        due=due,
        traces=[traces[int(k)] for k in keep],
    )
    compliant = best_compliant(factory, ranked, deps.policy)
    decide = _without_bundle_first(scores, compliant) | stale | paused
    positions = sorted(compliant)
    candidates = [compliant[i] for i in positions]
    chosen = (
        []
        if paused
        else allocate(
            np.array([m.proposal.value.expected_value for m in candidates]),
            np.array([m.proposal.estimated_cost for m in candidates]),
            np.array([m.proposal.customer_id for m in candidates], dtype=np.int64),
            budget=facts.budget_remaining,
            limit=None,
        ).chosen.tolist()
    )
    planned = {positions[i] for i in chosen}
    free = {} if paused else _free_instead(factory, scores, ranked, set(positions) - planned, deps.policy)
    members = tuple(candidates[i] for i in chosen) + tuple(free[i] for i in sorted(free))
    planned |= set(free)

    listed = scores.listed.copy()
    if paused:  # as for one member: a paused use case leaves doing nothing alone
        listed &= np.array([c.lever.is_nothing for c in scores.candidates])[None, :]
    decided = np.flatnonzero(decide)
    batch = member_batch(frame, rows, facts, use_case, None, intent)
    shift = np.subtract(scores.value, scores.scored_value, out=np.zeros(listed.shape), where=listed)[decided]
    probability = choice_probabilities(
        take_rows(batch, decided),
        listed[decided],
        shift,
        # Rounded far below a cent: candidates of equal value tie exactly (the first is chosen, as
        # for one member) whatever the last bits of a batch's arithmetic.
        np.round(greedy.scored_value[decided] + shift, 9),
        use_case,
        deps.policy,
        learned=learned,
        rates=rates,
        share=exploration_share,
        now=moment,
    )
    causes = _causes(facts.reachable, facts.consents, facts.opted_out, scores.ranked, stale, paused)
    decisions = []
    for k, i in enumerate(decided.tolist()):
        cause = None if i in planned else causes[i] or _unplanned(i, compliant)
        decisions.append(
            CohortDecision(
                customer_id=int(ids[i]),
                trace_id=traces[int(keep[i])],
                scoring={
                    "customer_id": int(ids[i]),
                    "use_case": use_case.value,
                    "anchor": {"category": factory.anchors[i], "replenishment_due": bool(due[i])},
                    "exploring": bool(exploring[i]),
                    "decided": "set-based (always-on pass)",
                    "candidates": _listed(scores, greedy, listed[i], probability[k], i),
                },
                cause=cause,
            )
        )
    deferred = np.concatenate([asked[~framed], ids[~decide]])
    return CohortPlan(
        use_case=use_case,
        planned_at=moment,
        members=members,
        decisions=tuple(decisions),
        deferred=tuple(int(m) for m in deferred),
        watermark=facts.watermark,
    )


def _free_instead(
    factory: ProposalFactory,
    scores: AudienceScores,
    ranked: np.ndarray,
    uncovered: set[int],
    policy: Policy,
) -> dict[int, PlannedMember]:
    """For each member whose chosen offer the budget could not cover, their best candidate that
    costs the budget nothing (a message, early access) and passes the rules, among the ones a
    specialist checks."""
    free = np.full(ranked.shape, -1, dtype=ranked.dtype)
    for i in sorted(uncovered):
        options = [j for j in ranked[i] if j >= 0 and scores.cost_if_redeemed[i, j] == 0]
        free[i, : len(options)] = options
    return best_compliant(factory, free, policy)


def _without_bundle_first(scores: AudienceScores, compliant: dict[int, PlannedMember]) -> np.ndarray:
    """Per member, whether the set-based choice stands: no bundle worth sending, or the action chosen
    worth more. A bundle the specialist would reach first is theirs to propose (an agent run); such
    members are taken out of `compliant`."""
    bundle_value = np.max(
        np.where(scores.listed & scores.bundle, scores.value, -np.inf), axis=1, initial=-np.inf
    )
    stands = bundle_value <= 0
    for i, member in list(compliant.items()):
        stands[i] = bundle_value[i] < member.proposal.value.expected_value
        if not stands[i]:
            del compliant[i]
    return stands


def _copied(scores: AudienceScores) -> AudienceScores:
    arrays: dict[str, Any] = {k: v.copy() for k, v in scores.__dict__.items() if isinstance(v, np.ndarray)}
    return replace(scores, **arrays)


def _set_row(scores: AudienceScores, i: int, one: AudienceScores) -> None:
    """Member i's row of `scores` (a copy) taken from `one`: their own scoring, one row."""
    for name, value in scores.__dict__.items():
        if isinstance(value, np.ndarray):
            value[i] = getattr(one, name)[0]


def _unplanned(i: int, compliant: dict[int, PlannedMember]) -> NothingCause:
    # Compliant but not chosen: the budget ran out. Otherwise every candidate broke a rule or the
    # judgement of its copy.
    return NothingCause.BUDGET if i in compliant else NothingCause.NO_ELIGIBLE_OFFER


def _causes(
    reachable: np.ndarray,
    consents: list[dict[Any, bool]],
    opted_out: list[frozenset[Any]],
    ranked: np.ndarray,
    stale: np.ndarray,
    paused: bool,
) -> list[NothingCause | None]:
    """Per member, why nothing can be proposed before any rule is checked (None: something can),
    in the order a specialist names it."""
    out: list[NothingCause | None] = []
    for i in range(len(ranked)):
        consented = [c for c in CHANNELS if consents[i].get(c, False) and c not in opted_out[i]]
        out.append(
            NothingCause.STALE_DATA
            if stale[i]
            else NothingCause.BUDGET
            if paused
            else NothingCause.NO_CONSENTED_CHANNEL
            if not consented
            else NothingCause.CONTACT_CAP
            if not reachable[i].any()
            else NothingCause.NOTHING_BEATS
            if ranked[i, 0] < 0
            else None
        )
    return out


def _listed(
    scores: AudienceScores, greedy: AudienceScores, listed: np.ndarray, probability: np.ndarray, i: int
) -> list[dict[str, Any]]:
    """Member i's candidates as their scoring lists them: the best `TOP`, plus doing nothing."""
    columns = np.flatnonzero(listed)
    order = columns[np.argsort(-scores.value[i, columns], kind="stable")]
    top = [int(j) for j in order[:TOP]]
    nothing = next(j for j in order.tolist() if scores.candidates[j].lever.is_nothing)
    if nothing not in top:
        top.append(nothing)
    out = []
    for j in top:
        candidate = scores.candidates[j]
        value = float(scores.value[i, j])
        out.append(
            {
                "action": candidate.lever.key,
                "do_nothing": candidate.lever.is_nothing,
                "offer_type": candidate.lever.offer_type.value,
                "channel": candidate.channel.value if candidate.channel else None,
                "propensity": round(float(scores.propensity[i, j]), 4),
                "uplift": round(float(scores.uplift[i, j]), 4),
                "expected_margin": round(float(scores.expected_margin[i, j]), 2),
                "cost": float(scores.cost[i, j]),
                "cost_if_redeemed": round(float(scores.cost_if_redeemed[i, j]), 2),
                "fatigue_penalty": round(float(scores.fatigue_penalty[i, j]), 2),
                "value": value,
                "choice_probability": round(float(probability[j]), 4),
                "expected_value": round(
                    float(greedy.scored_value[i, j]) + value - float(scores.scored_value[i, j]), 2
                ),
            }
        )
    return out
