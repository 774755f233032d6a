"""What every server is built from: passed in by the composition root, never read from globals."""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from policies.model import Policy
from policies.proposal import OfferProposal
from tools.nba import DEFAULT_EXPLORATION_SHARE
from tools.rule_facts import ProfileFacts
from tools.storage import Database

if TYPE_CHECKING:  # the profile service's module brings scikit-learn: rules and channels never load it
    from tools.nba import LiftCache, ResponseCache
    from tools.profiles import ProfileService

# The profile's contribution to checking one proposal, as of a moment.
ProfileFactsLookup = Callable[[OfferProposal, datetime], Awaitable[ProfileFacts]]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServerDeps:
    db: Database
    policy: Policy
    profile_facts: ProfileFactsLookup
    profiles: "ProfileService | None" = None  # customer-data and offers need it; rules and channels do not
    clock: Callable[[], datetime] = system_clock  # aware UTC; simulations and tests pass their own
    approval_ttl: timedelta = timedelta(hours=24)
    max_page_size: int = 100
    # How long a message may go unanswered before it counts as ignored (fatigue back-off).
    ignore_window: timedelta = timedelta(days=3)
    contact_lookback: timedelta = timedelta(days=14)  # covers every cap, duplicate and fatigue window
    exploration_share: float = (
        DEFAULT_EXPLORATION_SHARE  # decisions scored by posterior draws (tools.nba.exploration)
    )
    decision_policy: str | None = None  # a target policy to serve instead (`tools.nba.served_by`)
    # The fitted response and learned factors the offers server scores with, shared with the
    # process that built the deps: a worker refits them between decisions (the statement over the
    # whole contact history can take longer than an agent run may) and screens with the very same
    # estimates. None: the offers server keeps its own.
    response: "ResponseCache | None" = None
    lift: "LiftCache | None" = None
    # What the rules server requires before it issues an approval. New and random for every set of
    # deps, so it lives only in this process: the composition root hands it to the guard it builds
    # (`agents.guard.credential`), and no configuration, environment or client ever carries it. A
    # server started for another client (`loyalty mcp serve`, Claude Desktop) holds a credential no
    # caller has, so through it proposals can be checked and sent for human review, never approved.
    guard_credential: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
