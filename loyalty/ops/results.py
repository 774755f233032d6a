"""What the ops functions return that no domain module already defines: typed, JSON-ready."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from tools.profiles import MemberSummary, SegmentSummary


class SpecialistAnswer(BaseModel):
    """One specialist's decision for the member, run dry: proposed, never reviewed or sent."""

    use_case: str
    trace_id: str
    decision: Literal["propose", "nothing"]
    reason: str | None = None  # why nothing
    expected_value: float | None = None


class MemberOffer(BaseModel):
    customer_id: int
    decided_at: datetime
    best: SpecialistAnswer | None  # the most valuable proposal, if any specialist proposed one
    proposal: dict[str, Any] | None  # the best proposal, exactly as it would go to the guard
    rationale: str | None
    needs_review: bool
    # What the guard's judgement would say about its copy (nothing is recorded in a dry run).
    judgement: list[str]
    answers: list[SpecialistAnswer]  # every specialist asked


class Step(BaseModel):
    agent: str
    kind: str
    summary: str


class DecisionExplanation(BaseModel):
    trace_id: str
    agents: list[str]
    outcome: str  # the last answer of the outermost run, as it gave it
    steps: list[Step]
    proposals: list[dict[str, Any]]  # proposals recorded under the trace, with verdict and reasons
    more_proposals: int  # recorded under the trace but not listed (campaign variants inherit one trace)
    models: list[str] = []  # the models that answered, fallbacks included
    degraded: bool = False  # a fallback model answered (part of) it: Claude was unavailable


class SegmentView(BaseModel):
    summary: SegmentSummary
    examples: list[MemberSummary]  # the members at highest churn risk


class ReviewQueue(BaseModel):
    items: list[dict[str, Any]]


class ReviewDecision(BaseModel):
    review_id: int
    approved: bool
    proposal_id: str
    contact_id: int | None = None  # the queued message, when approved and accepted by the outbox
    refused: str | None = None  # why the outbox would not queue the approved message


class DeadLetterItem(BaseModel):
    contact_id: int
    customer_id: int
    channel: str
    use_case: str | None
    attempts: int
    reason: str | None  # what failed on each channel tried, and why no fallback was left
    scheduled_at: datetime


class DeadLetterList(BaseModel):
    items: list[DeadLetterItem]  # newest first


class Cancelled(BaseModel):
    campaign_id: str | None
    message: str
