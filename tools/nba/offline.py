"""Estimating a changed policy from the logged decisions, before it runs (off-policy evaluation).

Every scoring the agents asked for is in the decision log with its candidates, their predicted
values and each one's probability of being chosen (`choice_probability`: greedy, or exploring).
A decision's logged action is what was sent under its trace (matched to a candidate by channel
and offer family), or doing nothing; its reward is the margin the contact's outcomes brought
(attributed orders, net of the offer, and offers redeemed on orders it did not lead to), zero for
doing nothing.

For a deterministic target policy π over the same candidates:

    IPS   = mean( 1[π(x) = a] / p(a | x) · r )
    SNIPS = Σ 1[π(x) = a] / p · r  /  Σ 1[π(x) = a] / p
    DR    = mean( q(x, π(x)) + 1[π(x) = a] / p · (r − q(x, a)) )

with q the logged predicted value of the candidate at the posterior means (`expected_value`: the
scorer's own model; an exploring decision ranked by a draw), which the target policies rank by. Intervals are 95%
bootstrap percentiles over decisions. The estimators are written out here rather than taken from
Open Bandit Pipeline (`obp`): its last release is from 2023 and it pulls in torch and plotting
libraries for what is a few lines of numpy over arrays we already hold.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator
from sqlalchemy import case, func, select

from tools.storage import Contact, Database, DecisionLogEntry, Outcome, Proposal

PRICE_FAMILIES = frozenset({"percent_off", "amount_off", "bundle"})
BOOTSTRAP = 1000
SCORING_TOOL = "score_candidate_actions"


@dataclass(frozen=True)
class LoggedDecision:
    trace_id: str
    candidates: list[dict[str, Any]]
    chosen: int  # index into candidates
    propensity: float
    reward: float


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class OfflineReport:
    policy: str
    decisions: int  # logged decisions with a known choice and a positive probability
    unmatched: int  # decisions whose sent action was not among the scored candidates, or had probability 0
    agreeing: int  # decisions where the target policy takes the logged action
    logged_reward: Estimate  # what the logging policy earned per decision
    ips: Estimate
    snips: Estimate
    dr: Estimate


Policy = Callable[[list[dict[str, Any]]], int]


def predicted(candidate: dict[str, Any]) -> float:
    return float(candidate.get("expected_value", candidate["value"]))


def _best(candidates: list[dict[str, Any]], allowed: Callable[[dict[str, Any]], bool]) -> int:
    options = [i for i, c in enumerate(candidates) if allowed(c) or c["do_nothing"]]
    return max(options, key=lambda i: predicted(candidates[i]))


def target_policy(name: str) -> Policy:
    """`greedy` (highest value), `nothing`, `no_discount` (best without a price offer),
    `email_only`, or `min_value:X` (the best action only when worth at least X, else nothing)."""
    allowed, floor = _rule(name)

    def choose(candidates: list[dict[str, Any]]) -> int:
        best = _best(candidates, allowed)
        if predicted(candidates[best]) >= floor:
            return best
        return next(i for i, c in enumerate(candidates) if c["do_nothing"])

    return choose


def known_policy(name: str) -> str:
    """`name` if it names a target policy, else ValueError listing those there are."""
    _rule(name)
    return name


# A target policy's name at a boundary (settings, a simulation's configuration).
PolicyName = Annotated[str, AfterValidator(known_policy)]


def served_by(name: str, candidates: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    """The scored `candidates` as target policy `name` serves them, so the agents (and the
    simulator running them) follow it: only the actions it allows, its choice first with
    `choice_probability` 1 and the rest 0 (it does not explore), at most `top`. Doing nothing is
    always among them; when the policy chooses it, no action is taken."""
    allowed, _ = _rule(name)
    chosen = candidates[target_policy(name)(candidates)]
    rest = sorted(
        (c for c in candidates if c is not chosen and (allowed(c) or c["do_nothing"])),
        key=predicted,
        reverse=True,
    )
    kept = [chosen, *rest][:top]
    if not any(c["do_nothing"] for c in kept):
        kept.append(next(c for c in rest if c["do_nothing"]))
    return [c | {"choice_probability": 1.0 if c is chosen else 0.0} for c in kept]


def _rule(name: str) -> tuple[Callable[[dict[str, Any]], bool], float]:
    """What policy `name` may send, and the value below which it sends nothing."""
    if name == "greedy":
        return (lambda c: True), -np.inf
    if name == "nothing":
        return (lambda c: False), -np.inf
    if name == "no_discount":
        return (lambda c: c.get("offer_type") not in PRICE_FAMILIES), -np.inf
    if name == "email_only":
        return (lambda c: c.get("channel") == "email"), -np.inf
    if name.startswith("min_value:"):
        try:
            return (lambda c: True), float(name.split(":", 1)[1])
        except ValueError as exc:
            raise ValueError(f"min_value needs a number, got {name!r}") from exc
    raise ValueError(f"unknown policy {name!r}: greedy, nothing, no_discount, email_only or min_value:X")


async def logged_decisions(db: Database) -> tuple[list[LoggedDecision], int]:
    """The logged decisions (the last scoring of each trace), and how many could not be used."""
    name = DecisionLogEntry.payload["name"].as_string()
    async with db.session() as session:
        scored = (
            await session.execute(
                select(DecisionLogEntry.trace_id, DecisionLogEntry.payload)
                .where(DecisionLogEntry.kind == "tool_result", name.like(f"%{SCORING_TOOL}"))
                .order_by(DecisionLogEntry.id)
            )
        ).all()
        value = func.sum(case((Outcome.type == "order", Outcome.margin), else_=0.0))
        redeemed = func.sum(case((Outcome.type == "redeem", Outcome.margin), else_=0.0))
        ordered = func.max(case((Outcome.type == "order", 1), else_=0))
        rewards = (
            select(
                Outcome.contact_id, value.label("value"), redeemed.label("redeemed"), ordered.label("ordered")
            )
            .group_by(Outcome.contact_id)
            .subquery()
        )
        sent = (
            await session.execute(
                select(
                    Proposal.trace_id,
                    Proposal.content,
                    Contact.channel,
                    rewards.c.value,
                    rewards.c.redeemed,
                    rewards.c.ordered,
                )
                .join(Contact, Contact.proposal_id == Proposal.id)
                .outerjoin(rewards, rewards.c.contact_id == Contact.id)
                .where(Contact.status == "sent")
            )
        ).all()
    last: dict[str, list[dict[str, Any]]] = {}
    for trace_id, payload in scored:
        if payload.get("is_error"):
            continue
        try:
            content = (
                json.loads(payload["content"]) if isinstance(payload["content"], str) else payload["content"]
            )
        except (TypeError, ValueError):
            continue
        candidates = content.get("candidates") if isinstance(content, dict) else None
        if candidates and all("choice_probability" in c for c in candidates):
            last[trace_id] = candidates
    actions = {row.trace_id: row for row in sent}
    decisions, unmatched = [], 0
    for trace_id, candidates in last.items():
        row = actions.get(trace_id)
        if row is None:
            chosen, reward = next(i for i, c in enumerate(candidates) if c["do_nothing"]), 0.0
        else:
            family = (row.content.get("offer") or {}).get("type")
            matches = [
                i
                for i, c in enumerate(candidates)
                if not c["do_nothing"] and c["channel"] == row.channel and c["offer_type"] == family
            ]
            if not matches:
                unmatched += 1
                continue
            chosen = max(matches, key=lambda i: candidates[i]["choice_probability"])
            # the order's margin (net of the offer) or, with no order, an offer used on one it did not cause
            reward = float(row.value or 0.0) if row.ordered else float(row.redeemed or 0.0)
        propensity = float(candidates[chosen]["choice_probability"])
        if propensity <= 0:
            unmatched += 1
            continue
        decisions.append(LoggedDecision(trace_id, candidates, chosen, propensity, reward))
    return decisions, unmatched


def evaluate(
    decisions: list[LoggedDecision], unmatched: int, policy_name: str, *, seed: int = 0
) -> OfflineReport:
    policy = target_policy(policy_name)
    n = len(decisions)
    if n == 0:
        raise ValueError("no logged decisions with choice probabilities: run the agents first")
    reward = np.array([d.reward for d in decisions])
    propensity = np.array([d.propensity for d in decisions])
    picks = [policy(d.candidates) for d in decisions]
    agree = np.array([p == d.chosen for p, d in zip(picks, decisions, strict=True)])
    q_target = np.array([predicted(d.candidates[p]) for p, d in zip(picks, decisions, strict=True)])
    q_logged = np.array([predicted(d.candidates[d.chosen]) for d in decisions])
    weight = agree / propensity

    def ips(rows: np.ndarray) -> float:
        return float(np.mean(weight[rows] * reward[rows]))

    def snips(rows: np.ndarray) -> float:
        total = float(weight[rows].sum())
        return float((weight[rows] * reward[rows]).sum() / total) if total > 0 else 0.0

    def dr(rows: np.ndarray) -> float:
        return float(np.mean(q_target[rows] + weight[rows] * (reward[rows] - q_logged[rows])))

    def logged(rows: np.ndarray) -> float:
        return float(np.mean(reward[rows]))

    rng = np.random.default_rng(seed)
    samples = rng.integers(0, n, size=(BOOTSTRAP, n))
    everyone = np.arange(n)

    def interval(estimator: Callable[[np.ndarray], float]) -> Estimate:
        draws = np.array([estimator(rows) for rows in samples])
        return Estimate(
            estimator(everyone), float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))
        )

    return OfflineReport(
        policy_name,
        n,
        unmatched,
        int(agree.sum()),
        interval(logged),
        interval(ips),
        interval(snips),
        interval(dr),
    )
