"""A member, their facts and the servers the guard works through, for the guard's tests."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from mcp import Client

from agents.decision_log import InMemoryDecisionLog
from agents.guard import GUARD_ROLE, Guard, GuardConfig, GuardPolicy
from agents.models.base import Model
from agents.models.local import LocalModel
from agents.toolbox import Toolbox
from evals.guard_suite.cases import merge
from mcp_servers.channels.server import build as build_channels
from mcp_servers.rules.server import build as build_rules
from mcp_servers.shared.deps import ProfileFactsLookup, ServerDeps
from policies.loader import load_policy
from policies.proposal import OfferProposal
from tests.tools.proposals import NOW
from tools.rule_facts import ProfileFacts
from tools.storage.db import Database

POLICY = load_policy()

# Member 1 of `tests.tools.proposals.add_member` lives in Sydney: NOW is 20:00 there.
BASE: dict[str, Any] = {
    "customer_id": 1,
    "use_case": "reactivation",
    "channel": "email",
    "send_at": "2026-03-10T10:00:00Z",
    "valid_from": "2026-03-10T10:00:00Z",
    "valid_until": "2026-03-17T10:00:00Z",
    "offer": {"type": "percent_off", "discount_pct": 10, "categories": ["activewear"]},
    "message": {
        "tone": "warm",
        "subject": "10% off new season activewear",
        "body": "Hi Sarah, the new season activewear has landed and we have saved you 10% off it this week.",
        "cta": "Shop activewear",
    },
    "rationale": "Lapsing activewear regular; a modest incentive on the new collection.",
    "value": {
        "propensity": 0.3,
        "uplift": 0.1,
        "expected_margin": 19.5,
        "cost": 1.0,
        "fatigue_penalty": 0.2,
        "expected_value": 5.0,
    },
    "estimated_cost": 15.0,
}
SMS_BODY = "Hi Sarah, 10% off new season activewear this week. Reply STOP to opt out"


def offer(**changes: Any) -> OfferProposal:
    """The base proposal (valid for member 1 at NOW) with `changes` merged in."""
    return OfferProposal.model_validate(merge(BASE, changes))


def sms(body: str = SMS_BODY, **changes: Any) -> OfferProposal:
    """An SMS at 09:00 the next morning in Sydney (22:00 UTC), inside the SMS window."""
    at_nine = {
        "send_at": "2026-03-10T22:00:00Z",
        "valid_from": "2026-03-10T22:00:00Z",
        "valid_until": "2026-03-17T22:00:00Z",
    }
    sms_message = {"subject": None, "cta": None, "body": body}
    return offer(**merge({"channel": "sms", "message": sms_message, **at_nine}, changes))


@dataclass
class Profiles:
    """Profile facts per member; tests change them to move a member into a segment or a basket."""

    segments: frozenset[str] = frozenset()
    basket_value: float = 150.0
    basket_margin: float = 65.0

    async def __call__(self, proposal: OfferProposal, now: datetime) -> ProfileFacts:
        return ProfileFacts(
            segments=self.segments,
            stale=False,
            data_age_hours=2.0,
            basket_value=self.basket_value,
            basket_margin=self.basket_margin,
        )


def deps_for(db: Database, profiles: ProfileFactsLookup | None = None, now: datetime = NOW) -> ServerDeps:
    return ServerDeps(db=db, policy=POLICY, profile_facts=profiles or Profiles(), clock=lambda: now)


def local_guard_model() -> LocalModel:
    return LocalModel({GUARD_ROLE: GuardPolicy()})


@dataclass
class GuardRig:
    guard: Guard
    log: InMemoryDecisionLog
    rules: Client
    channels: Client


@asynccontextmanager
async def guard_rig(
    deps: ServerDeps, model: Model | None = None, config: GuardConfig = GuardConfig()
) -> AsyncIterator[GuardRig]:
    """The guard over in-memory rules and channels servers, plus direct clients to both."""
    log = InMemoryDecisionLog()
    async with (
        Toolbox.open({"rules": Client(build_rules(deps)), "channels": Client(build_channels(deps))}) as box,
        Client(build_rules(deps)) as rules,
        Client(build_channels(deps)) as channels,
    ):
        # The rig's guard holds its rules server's credential, as the composition root arranges.
        config = (
            config if config.credential is not None else replace(config, credential=deps.guard_credential)
        )
        yield GuardRig(Guard(box, model or local_guard_model(), log, config), log, rules, channels)


def as_json(proposal: OfferProposal) -> dict[str, Any]:
    return proposal.model_dump(mode="json")
