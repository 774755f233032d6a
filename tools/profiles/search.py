"""Finding members by what their profiles say: segments, recency, tier, churn risk, category
affinity, channel and consent, a page at a time."""

from typing import Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.vocabulary import Channel, Tier
from tools.errors import InvalidInput
from tools.profiles.frame import ProfileFrame
from tools.profiles.history import CHANNELS
from tools.time import UtcTimestamp

MAX_PAGE_SIZE = 200
AFFINITY_DEPTH = 10  # a member "likes" a category when it is in their top ten


class MemberFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    segments: list[str] = Field(
        default_factory=list, max_length=20, description="in every one of these segments"
    )
    lifecycle_stage: str | None = Field(None, max_length=40)
    min_recency_days: float | None = Field(None, ge=0)
    max_recency_days: float | None = Field(None, ge=0)
    tiers: list[Tier] = Field(default_factory=list)
    min_churn_risk: float | None = Field(None, ge=0, le=1)
    max_churn_risk: float | None = Field(None, ge=0, le=1)
    category: str | None = Field(
        None, max_length=80, description=f"in the member's top {AFFINITY_DEPTH} categories"
    )
    preferred_channel: Channel | None = None
    consent: Channel | None = Field(None, description="the member consents to this channel")
    exclude_stale: bool = False
    sort: Literal["customer_id", "churn_risk", "clv_365", "recency_days", "spend_365"] = "customer_id"
    descending: bool = False
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        for low, high in (("min_recency_days", "max_recency_days"), ("min_churn_risk", "max_churn_risk")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise ValueError(f"{low} ({a}) is above {high} ({b})")
        return self


class MemberSummary(BaseModel):
    customer_id: int
    external_id: str
    tier: str | None
    lifecycle_stage: str
    segments: list[str]
    recency_days: float | None
    orders_365: int
    spend_365: float
    churn_risk: float
    predicted_clv_365: float
    preferred_channel: str | None
    top_categories: list[str]
    stale: bool


class MemberPage(BaseModel):
    as_of: UtcTimestamp  # naive UTC inside, offset on the wire
    total: int  # members matching, over all pages
    page: int
    page_size: int
    members: list[MemberSummary]


def find_members(frame: ProfileFrame, query: MemberFilter) -> MemberPage:
    chosen = _matching(frame, query)
    fields = frame.fields
    index = np.nonzero(chosen)[0]
    key = (
        frame.history.members.customer_id[index] if query.sort == "customer_id" else fields[query.sort][index]
    )
    key = np.where(np.isnan(key), np.inf, key) if key.dtype.kind == "f" else key
    order = np.argsort(-key if query.descending else key, kind="stable")
    start = (query.page - 1) * query.page_size
    page = index[order[start : start + query.page_size]]
    return MemberPage(
        as_of=frame.as_of,
        total=int(chosen.sum()),
        page=query.page,
        page_size=query.page_size,
        members=[summary(frame, int(i)) for i in page],
    )


def summary(frame: ProfileFrame, i: int) -> MemberSummary:
    f, e = frame.fields, frame.features.engagement
    preferred = int(e.preferred_channel[i])
    recency = f["recency_days"][i]
    return MemberSummary(
        customer_id=int(frame.history.members.customer_id[i]),
        external_id=str(frame.history.members.external_id[i]),
        tier=frame.history.members.tier[i],
        lifecycle_stage=str(frame.lifecycle_stage[i]),
        segments=frame.segments_of(i),
        recency_days=None if np.isnan(recency) else round(float(recency), 1),
        orders_365=int(f["orders_365"][i]),
        spend_365=round(float(f["spend_365"][i]), 2),
        churn_risk=round(float(f["churn_risk"][i]), 4),
        predicted_clv_365=round(float(f["clv_365"][i]), 2),
        preferred_channel=CHANNELS[preferred] if preferred >= 0 else None,
        top_categories=[a["category"] for a in frame.affinity_of(i)[:3]],
        stale=bool(frame.freshness.stale[i]),
    )


def _matching(frame: ProfileFrame, query: MemberFilter) -> np.ndarray:
    n = len(frame)
    f = frame.fields
    chosen = np.ones(n, dtype=bool)
    for segment in query.segments:
        if segment not in frame.segment_ids:
            raise InvalidInput(f"unknown segment {segment!r}; known: {', '.join(frame.segment_ids)}")
        chosen &= frame.segments[:, frame.segment_ids.index(segment)]
    if query.lifecycle_stage is not None:
        chosen &= frame.lifecycle_stage == query.lifecycle_stage
    with np.errstate(invalid="ignore"):
        if query.min_recency_days is not None:
            chosen &= f["recency_days"] >= query.min_recency_days
        if query.max_recency_days is not None:
            chosen &= f["recency_days"] <= query.max_recency_days
        if query.min_churn_risk is not None:
            chosen &= f["churn_risk"] >= query.min_churn_risk
        if query.max_churn_risk is not None:
            chosen &= f["churn_risk"] <= query.max_churn_risk
    if query.tiers:
        chosen &= np.isin(frame.history.members.tier.astype(str), [t.value for t in query.tiers])
    if query.category is not None:
        chosen &= _likes(frame, query.category)
    engagement = frame.features.engagement
    if query.preferred_channel is not None:
        chosen &= engagement.preferred_channel == CHANNELS.index(query.preferred_channel.value)
    if query.consent is not None:
        chosen &= engagement.consent[:, CHANNELS.index(query.consent.value)]
    if query.exclude_stale:
        chosen &= ~frame.freshness.stale
    return chosen


def _likes(frame: ProfileFrame, category: str) -> np.ndarray:
    names = frame.history.categories.astype(str)
    matches = np.nonzero(np.char.lower(names) == category.strip().lower())[0]
    if not len(matches):
        raise InvalidInput(f"unknown category {category!r}")
    ranked = frame.predictions.affinity
    member, rank = ranked.member_and_rank()
    hit = np.isin(ranked.category, matches) & (rank < AFFINITY_DEPTH)
    out = np.zeros(len(frame), dtype=bool)
    out[member[hit]] = True
    return out
