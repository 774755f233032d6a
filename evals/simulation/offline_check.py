"""The off-policy estimates of `loyalty eval offline` checked against the simulator, where the truth
is known (issue 16).

The agents run on one simulated world (the `nothing` policy beside them, on its own copy); their
decision log is then read exactly as `loyalty eval offline` reads it (`tools.nba.logged_decisions`)
and each target policy is estimated from it. The truth per logged decision comes from the harness:
the expected incremental margin of the message the decision sent (`evals.simulation.expected`,
zero for doing nothing), and for `nothing` zero by construction (its run's ledger says so too).

Each estimate is made with two rewards per decision:

- `logged`: what the product itself can see and what `loyalty eval offline` uses, the margin of
  the outcomes attributed to the contact (an attributed order net of the offer, else an offer
  redeemed on an order it did not lead to);
- `incremental`: the simulator's realised incremental margin of the message (the dice the
  expected value averages over), which the product cannot see. Fed through the same estimators it
  separates the estimators' own error (propensities, weights, intervals) from the reward's: the
  attributed margin is not the incremental margin (an own order paid with the offer counts its
  whole margin; opt-outs, win-backs and the discount expectation taught are not in it).

The agents' own policy explores, so it is estimated on-policy (importance weight 1: IPS and SNIPS
are the mean reward, DR adds the logged values' expectation under the choice probabilities); the
deterministic targets (`greedy`, `nothing`, `no_discount`, `email_only`) go through
`tools.nba.evaluate`. With `run_targets`, each deterministic target is also run for real on its
own copy of the world (`agents:TARGET`: the agents served that policy's choice), and its truth is
that run's expected incremental margin per logged decision. A changed policy changes which
triggers fire later (caps, purchases), so its decisions are not the logged ones: its truth is the
policy's value per decision where it runs, which is what the estimate is for. Without
`run_targets`, only `agents` and `nothing` have a truth.
"""

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlalchemy import select

from evals.simulation.engine import AGENTS, SimulationConfig, policy_db, run_seed
from policies.loader import load_policy
from policies.model import Policy
from tools.nba import BOOTSTRAP, Estimate, LoggedDecision, evaluate, logged_decisions, predicted
from tools.storage import Contact, Proposal, database

TARGETS = ("greedy", "nothing", "no_discount", "email_only")
REWARDS = ("logged", "incremental")


@dataclass(frozen=True)
class Check:
    policy: str
    reward: str  # logged | incremental
    method: str  # IPS | SNIPS | DR
    estimate: Estimate
    truth: float | None  # expected incremental margin per decision; None: the harness cannot run it

    @property
    def covered(self) -> bool | None:
        return None if self.truth is None else self.estimate.low <= self.truth <= self.estimate.high

    @property
    def bias(self) -> float | None:
        return None if self.truth is None else self.estimate.mean - self.truth

    @property
    def width(self) -> float:
        return self.estimate.high - self.estimate.low


@dataclass(frozen=True)
class OfflineValidation:
    members: int
    days: int
    seed: int
    decisions: int  # usable logged decisions
    unmatched: int
    messages: int  # ... of which sent a message
    exploring: int  # ... where the logged choice was not the greedy one
    rewarded: int  # ... with a non-zero logged reward (an attributed order or redemption): what the estimates rest on
    truth_agents: float  # expected incremental margin per usable decision
    realised_agents: float  # ... realised (with the dice)
    predicted_agents: float  # ... as the scorer predicted it (the direct method: DR without the residuals)
    checks: list[Check]


async def validate(
    config: SimulationConfig, policy_rules: Policy | None = None, *, run_targets: bool = False
) -> OfflineValidation:
    """Run the agents and `nothing` on one world of `config` (and, with `run_targets`, the agents
    following each deterministic target) and check the estimates against them."""
    policy_rules = policy_rules or load_policy()
    targets = tuple(t for t in TARGETS if t != "nothing") if run_targets else ()
    config = config.model_copy(
        update={"policies": (AGENTS, "nothing", *(f"{AGENTS}:{t}" for t in targets)), "seeds": 1}
    )
    seed = config.first_seed
    root = config.directory or Path(tempfile.mkdtemp(prefix="loyalty-offline-"))
    truth: dict[str, float] = {}
    try:
        agents, nothing, *followed = await run_seed(config, policy_rules, root, seed)
        decisions, unmatched, sent = await _read_log(policy_db(root, seed, AGENTS))
        for target, run in zip(targets, followed, strict=True):
            logged, _, _ = await _read_log(policy_db(root, seed, run.policy))
            truth[target] = run.ledger.expected_incremental_margin / max(len(logged), 1)
    finally:
        if config.directory is None:
            shutil.rmtree(root, ignore_errors=True)
    contacts: dict[str, list[int]] = {}
    for trace_id, contact_id in sent:
        contacts.setdefault(trace_id, []).append(contact_id)

    def of(by_contact: dict[int, float]) -> np.ndarray:
        return np.array(
            [sum(by_contact.get(c, 0.0) for c in contacts.get(d.trace_id, [])) for d in decisions]
        )

    expected = of(agents.ledger.expected_by_contact)
    realised = of(agents.ledger.realised_by_contact)
    n = len(decisions)
    # `nothing` sends nothing: its ledger's expected margin is zero, per decision as in total
    truth |= {"agents": float(expected.mean()), "nothing": nothing.ledger.expected_incremental_margin / n}
    rewards = {
        "logged": decisions,
        "incremental": [replace(d, reward=float(r)) for d, r in zip(decisions, realised, strict=True)],
    }
    checks = []
    for reward, logged in rewards.items():
        checks += [
            Check("agents", reward, method, estimate, truth["agents"])
            for method, estimate in on_policy(logged).items()
        ]
        for target in TARGETS:
            report = evaluate(logged, unmatched, target)
            checks += [
                Check(target, reward, method, estimate, truth.get(target))
                for method, estimate in (("IPS", report.ips), ("SNIPS", report.snips), ("DR", report.dr))
            ]
    greedy = [max(range(len(d.candidates)), key=lambda i: predicted(d.candidates[i])) for d in decisions]
    return OfflineValidation(
        members=config.members,
        days=config.days,
        seed=seed,
        decisions=n,
        unmatched=unmatched,
        messages=sum(1 for d in decisions if d.trace_id in contacts),
        rewarded=sum(1 for d in decisions if d.reward != 0),
        exploring=sum(1 for g, d in zip(greedy, decisions, strict=True) if g != d.chosen),
        truth_agents=truth["agents"],
        realised_agents=float(realised.mean()),
        predicted_agents=float(
            np.mean([sum(c["choice_probability"] * predicted(c) for c in d.candidates) for d in decisions])
        ),
        checks=checks,
    )


async def _read_log(path: Path) -> tuple[list[LoggedDecision], int, list[tuple[str, int]]]:
    """A run's logged decisions (and how many were unusable), and its sent contacts by trace."""
    db = database(f"sqlite+aiosqlite:///{path}")
    try:
        decisions, unmatched = await logged_decisions(db)
        async with db.session() as session:
            sent = (
                await session.execute(
                    select(Proposal.trace_id, Contact.id)
                    .join(Contact, Contact.proposal_id == Proposal.id)
                    .where(Contact.status == "sent")
                )
            ).all()
    finally:
        await db.dispose()
    return decisions, unmatched, [(trace_id, contact_id) for trace_id, contact_id in sent]


def on_policy(decisions: list[LoggedDecision], *, seed: int = 0) -> dict[str, Estimate]:
    """The logging policy itself (weight 1 on every decision): IPS and SNIPS are the mean reward;
    DR is the logged values' mean under the choice probabilities plus the chosen one's residual."""
    reward = np.array([d.reward for d in decisions])
    q_logged = np.array([predicted(d.candidates[d.chosen]) for d in decisions])
    q_policy = np.array(
        [sum(c["choice_probability"] * predicted(c) for c in d.candidates) for d in decisions]
    )
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, len(decisions), size=(BOOTSTRAP, len(decisions)))

    def interval(per_decision: np.ndarray) -> Estimate:
        draws = per_decision[samples].mean(axis=1)
        return Estimate(
            float(per_decision.mean()), float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))
        )

    mean = interval(reward)
    return {"IPS": mean, "SNIPS": mean, "DR": interval(q_policy + reward - q_logged)}
