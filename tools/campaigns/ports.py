"""What the campaign planner needs from the agent layer, as narrow ports.

`tools/` may not import `agents/` (DESIGN §2), yet a campaign's copy comes from the copywriter and
its audit from the guard. The composition root adapts both to these protocols
(`loyalty.ops.adapters`), so the planner stays a pure domain module and tests can pass fakes.
"""

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from policies.proposal import Message, Offer, OfferProposal
from policies.vocabulary import Channel, UseCase, Verdict


@dataclass(frozen=True)
class CopyRequest:
    """One member's message, described by what the copy may use (never raw profile data)."""

    use_case: UseCase
    channel: Channel
    offer: Offer
    valid_until_local: datetime  # in the member's time zone
    first_name: str | None
    category: str | None
    tier: str | None
    segments: frozenset[str]
    opt_out_text: str
    replenishment: bool = False  # the category is a regular purchase of theirs coming due


class CopyWriter(Protocol):
    def __call__(self, request: CopyRequest) -> Message: ...


@dataclass(frozen=True)
class Review:
    """The guard's decision on one proposal, reduced to what the campaign acts on.

    `approval_id` is set only when the rules server recorded an approval for exactly `proposal`
    (which is the revised proposal on a revise); `review_id` when a person must decide first.
    """

    verdict: Verdict
    proposal: OfferProposal | None
    approval_id: str | None
    review_id: int | None
    trace_id: str
    codes: tuple[str, ...]
    messages: tuple[str, ...]
    failed_closed: bool = False


class Reviewer(Protocol):
    """The guard agent: audits one proposal and records its verdict under `trace_id`."""

    @property
    def model_name(self) -> str: ...

    def __call__(self, proposal: OfferProposal, trace_id: str) -> Awaitable[Review]: ...
