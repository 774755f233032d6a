"""What a guard review returns: a typed decision, never a bare bool.

A decision approves, rejects with reasons an agent can act on, or revises (the proposal it carries
is then the corrected one). The approval id is copied from the rules server's receipt, never from
the model's own words, so only a verdict the server recorded can unlock the channels server.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from policies.proposal import OfferProposal
from policies.vocabulary import Verdict


class GuardReason(BaseModel):
    """One reason: `code` is a rule id (`max_discount.segment`), a judgement id (`judgement.tone`)
    or a `guard.*` code for the guard's own state (`guard.timeout`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=64)
    message: str = Field(min_length=1, max_length=2_000)
    field: str | None = Field(default=None, max_length=120)

    def line(self) -> str:
        return f"{self.code}: {self.message}"


class GuardDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    verdict: Verdict
    reasons: tuple[GuardReason, ...] = Field(min_length=1)
    # What the verdict is about: the revised proposal on `revise`; None when the input could not
    # even be read as a proposal.
    proposal: OfferProposal | None
    approval_id: str | None = None  # pass to channels__send_approved_proposal with `proposal`
    approval_expires_at: datetime | None = None
    review_id: int | None = None  # set when a person must approve it first (human review queue)
    failed_closed: bool = False  # the guard could not decide; nothing may be sent
    trace_id: str
    guard_model: str
    degraded: bool = False  # a fallback model answered

    @property
    def needs_review(self) -> bool:
        """True when the proposal waits in the human review queue instead of being sendable."""
        return self.review_id is not None

    @property
    def approved(self) -> bool:
        """True when `proposal` may be sent now with `approval_id`."""
        return self.approval_id is not None

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(reason.code for reason in self.reasons)
