"""Segments seen through profiles: member counts per segment, and a summary of one segment."""

from collections import Counter

import numpy as np
from pydantic import BaseModel

from tools.errors import NotFound
from tools.profiles.frame import ProfileFrame
from tools.profiles.history import CHANNELS
from tools.segments import SegmentBook
from tools.time import UtcTimestamp


class SegmentCount(BaseModel):
    id: str
    family: str
    name: str
    description: str
    rule: str
    members: int


class SegmentSummary(BaseModel):
    id: str
    name: str
    description: str
    rule: str
    as_of: UtcTimestamp  # naive UTC inside, offset on the wire
    members: int
    share_of_members: float
    mean_churn_risk: float | None
    mean_predicted_clv_365: float | None
    mean_spend_365: float | None
    lifecycle_stages: dict[str, int]
    preferred_channels: dict[str, int]
    top_categories: list[tuple[str, int]]  # (category, members with it in their top three)
    stale_members: int


def segment_counts(frame: ProfileFrame, book: SegmentBook) -> list[SegmentCount]:
    counts = frame.segments.sum(axis=0)
    return [
        SegmentCount(
            id=s.id,
            family=s.family,
            name=s.name,
            description=s.description,
            rule=s.rule(),
            members=int(counts[i]),
        )
        for i, s in enumerate(book.segments)
    ]


def segment_summary(frame: ProfileFrame, book: SegmentBook, segment_id: str) -> SegmentSummary:
    if segment_id not in book.ids:
        raise NotFound(f"no segment {segment_id!r}; known: {', '.join(book.ids)}")
    segment = book.get(segment_id)
    inside = frame.segments[:, book.ids.index(segment_id)]
    f = frame.fields

    def mean(name: str) -> float | None:
        values = f[name][inside]
        return round(float(np.nanmean(values)), 4) if inside.any() and np.isfinite(values).any() else None

    preferred = frame.features.engagement.preferred_channel[inside]
    ranked = frame.predictions.affinity
    member, rank = ranked.member_and_rank()
    hit = inside[member] & (rank < 3)
    tally = np.bincount(ranked.category[hit], minlength=len(frame.history.categories))
    best = [int(c) for c in np.argsort(-tally, kind="stable")[:10] if tally[c] > 0]
    return SegmentSummary(
        id=segment.id,
        name=segment.name,
        description=segment.description,
        rule=segment.rule(),
        as_of=frame.as_of,
        members=int(inside.sum()),
        share_of_members=round(float(inside.mean()), 4) if len(frame) else 0.0,
        mean_churn_risk=mean("churn_risk"),
        mean_predicted_clv_365=mean("clv_365"),
        mean_spend_365=mean("spend_365"),
        lifecycle_stages=dict(Counter(frame.lifecycle_stage[inside].tolist())),
        preferred_channels=dict(Counter(CHANNELS[c] if c >= 0 else "unknown" for c in preferred.tolist())),
        top_categories=[(str(frame.history.categories[c]), int(tally[c])) for c in best],
        stale_members=int(frame.freshness.stale[inside].sum()),
    )
