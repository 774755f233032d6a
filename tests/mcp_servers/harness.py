"""Shared set-up for server tests: a member in a fresh database and deps with a fixed clock."""

from datetime import datetime

from mcp_servers.shared.deps import ServerDeps
from policies.loader import load_policy
from policies.proposal import OfferProposal
from tests.tools.proposals import NOW
from tools.rule_facts import ProfileFacts
from tools.storage.db import Database

POLICY = load_policy()


async def fresh_profile(proposal: OfferProposal, now: datetime) -> ProfileFacts:
    return ProfileFacts(segments=frozenset({"retention"}), stale=False, data_age_hours=2.0,
                        basket_value=150.0, basket_margin=65.0)


def deps_for(db: Database, now: datetime = NOW) -> ServerDeps:
    return ServerDeps(db=db, policy=POLICY, profile_facts=fresh_profile, clock=lambda: now)
