"""Profiles for many members at once, held column-wise: built set-based from a `History`, read
one member at a time as a `Profile` (or a plain dict for fast exports).

The single-member path builds a frame of one from the same functions, so a member's profile is
the same whichever path produced it.
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from tools.profiles.artefact import FittedModels
from tools.profiles.features import FIELDS, MemberFeatures, member_features
from tools.profiles.freshness import SOURCES, FreshnessArrays, freshness
from tools.profiles.history import CHANNELS, History, from_days
from tools.profiles.pairs import pair_history
from tools.profiles.predictions import PredictionArrays, predict
from tools.profiles.profile import Profile
from tools.profiles.seasons import SEASONS
from tools.segments import SegmentBook, lifecycle_stage, membership

PREDICTED_FIELDS = {
    "churn_risk": "probability of no order in the next 60 days",
    "clv_365": "expected spend in the next 365 days",
    "next_purchase_days": "days until the predicted next order",
}
SEGMENT_FIELDS = {**FIELDS, **PREDICTED_FIELDS}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ProfileFrame:
    history: History
    features: MemberFeatures
    predictions: PredictionArrays
    freshness: FreshnessArrays
    stale_after: timedelta
    segment_ids: tuple[str, ...]
    segments: np.ndarray  # members x segment_ids, bool
    lifecycle_stage: np.ndarray  # object
    model_as_of: datetime
    churn_horizon_days: int

    def __len__(self) -> int:
        return len(self.history.members)

    @property
    def as_of(self) -> datetime:
        return from_days(self.history.as_of)

    @property
    def fields(self) -> dict[str, np.ndarray]:
        """Every numeric per-member field, predictions included (what segment rules see)."""
        return self.features.fields | {
            "churn_risk": self.predictions.churn_risk,
            "clv_365": self.predictions.clv_365,
            "next_purchase_days": self.predictions.next_purchase_day - self.history.as_of,
        }

    def position(self, customer_id: int) -> int | None:
        ids = self.history.members.customer_id
        at = int(np.searchsorted(ids, customer_id))
        return at if at < len(ids) and ids[at] == customer_id else None

    def segments_of(self, i: int) -> list[str]:
        return [s for s, inside in zip(self.segment_ids, self.segments[i], strict=True) if inside]

    def affinity_of(self, i: int) -> list[dict[str, Any]]:
        ranked = self.predictions.affinity
        rows = slice(ranked.offsets[i], ranked.offsets[i + 1])
        names = self.history.categories[ranked.category[rows]]
        scores = np.round(ranked.score[rows], 4)
        return [{"category": str(c), "score": float(s)} for c, s in zip(names, scores, strict=True)]

    def favourite_of(self, i: int) -> str | None:
        favourite = int(self.predictions.favourite[i])
        return str(self.history.categories[favourite]) if favourite >= 0 else None

    def replenishment_of(self, i: int) -> list[dict[str, Any]]:
        due = self.predictions.replenishment
        rows = slice(due.offsets[i], due.offsets[i + 1])
        return [
            {
                "category": str(self.history.categories[c]),
                "interval_days": float(np.round(interval, 1)),
                "last_purchased": _date(last),
                "expected_next_date": _date(nxt),
                "regular": bool(regular),
            }
            for c, interval, last, nxt, regular in zip(
                due.category[rows],
                due.interval_days[rows],
                due.last_day[rows],
                due.next_day[rows],
                due.regular[rows],
                strict=True,
            )
        ]

    def record(self, i: int) -> dict[str, Any]:
        """Member `i`'s profile as a plain dict, shaped like `Profile`."""
        m, f, p, e = self.history.members, self.features.fields, self.predictions, self.features.engagement
        value = _reader(f, i)
        preferred = int(e.preferred_channel[i])
        peak = self.features.seasonality[i]
        return {
            "customer_id": int(m.customer_id[i]),
            "external_id": str(m.external_id[i]),
            "as_of": _moment(self.history.as_of),
            "contact": {
                "first_name": m.first_name[i],
                "last_name": m.last_name[i],
                "email": m.email[i],
                "phone": m.phone[i],
            },
            "demographics": {
                "age": _int(f["age"][i]),
                "birth_year": _int(m.birth_year[i]),
                "gender": m.gender[i],
                "income_band": m.income_band[i],
                "household_size": _int(m.household_size[i]),
                "postcode": m.postcode[i],
                "locale": m.locale[i],
                "time_zone": m.time_zone[i],
            },
            "loyalty": {
                "joined_at": _moment(m.joined[i]),
                "tenure_days": value("tenure_days"),
                "tier": m.tier[i],
                "points_balance": _int(m.points_balance[i]),
                "lifetime_points": _int(m.lifetime_points[i]),
            },
            "recency": {
                "last_order_at": _moment(self.history.as_of - f["recency_days"][i]),
                "days_since_last_order": value("recency_days"),
            },
            "frequency": {
                "orders_30": int(f["orders_30"][i]),
                "orders_90": int(f["orders_90"][i]),
                "orders_365": int(f["orders_365"][i]),
                "orders_total": int(f["orders_total"][i]),
                "median_interval_days": value("median_interval"),
                "spend_trend": value("spend_trend"),
            },
            "monetary": {
                name: value(name)
                for name in (
                    "aov",
                    "aov_365",
                    "expected_order_value",
                    "spend_30",
                    "spend_90",
                    "spend_365",
                    "spend_total",
                    "margin_365",
                    "margin_total",
                    "margin_rate",
                )
            },
            "basket": {
                "items_per_order": value("items_per_order"),
                "single_item_share": value("single_item_share"),
                "distinct_categories_365": int(f["distinct_categories_365"][i]),
                "top2_category_share": value("top2_category_share"),
            },
            "price_sensitivity": {
                name: value(name) for name in ("discount_share", "coupon_order_share", "offer_response_rate")
            },
            "engagement": [
                {
                    "channel": channel,
                    "consent": bool(e.consent[i, c]),
                    "sends": int(e.sends[i, c]),
                    "opens": int(e.opens[i, c]),
                    "clicks": int(e.clicks[i, c]),
                    "open_rate": value(f"{channel}_open_rate"),
                    "click_rate": value(f"{channel}_click_rate"),
                    "last_engaged_at": _moment(e.last_engaged[i, c]),
                }
                for c, channel in enumerate(CHANNELS)
            ],
            "preferred_channel": CHANNELS[preferred] if preferred >= 0 else None,
            "send_time": {
                "hour": _int(e.send_hour[i], missing=-1),
                "weekday": WEEKDAYS[e.send_weekday[i]] if e.send_weekday[i] >= 0 else None,
            },
            "seasonality": {
                "orders_per_30_days": {s: _float(v) for s, v in zip(SEASONS, peak, strict=True)},
                "peak_season": _peak(peak),
            },
            "lifecycle_stage": str(self.lifecycle_stage[i]),
            "segments": self.segments_of(i),
            "freshness": {
                "newest": {s: _moment(d) for s, d in zip(SOURCES, self.freshness.newest[i], strict=True)},
                "data_age_hours": _float(self.freshness.age_hours[i]),
                "stale": bool(self.freshness.stale[i]),
                "stale_after_hours": self.stale_after.total_seconds() / 3600.0,
            },
            "predictions": {
                "model_as_of": self.model_as_of,
                "churn_risk": float(np.round(p.churn_risk[i], 4)),
                "churn_horizon_days": self.churn_horizon_days,
                "predicted_next_purchase_date": _date(p.next_purchase_day[i]),
                "predicted_clv_365": float(np.round(p.clv_365[i], 2)),
                "category_affinity": self.affinity_of(i),
                "replenishment": self.replenishment_of(i),
                "favourite_category": self.favourite_of(i),
            },
        }

    def profile(self, i: int) -> Profile:
        return Profile.model_validate(self.record(i))


def build_frame(
    history: History, models: FittedModels, book: SegmentBook, stale_after: timedelta
) -> ProfileFrame:
    features = member_features(history, models.send_hours, models.order_values)
    pairs = pair_history(history)
    predictions = predict(models, history, features, pairs)
    frame = ProfileFrame(
        history=history,
        features=features,
        predictions=predictions,
        freshness=freshness(history, stale_after),
        stale_after=stale_after,
        segment_ids=book.ids,
        segments=np.zeros((len(history.members), 0), dtype=bool),
        lifecycle_stage=np.array([], dtype=object),
        model_as_of=models.as_of,
        churn_horizon_days=models.churn.horizon_days,
    )
    inside = membership(book, frame.fields, models.quantile, len(history.members))
    return replace(frame, segments=inside, lifecycle_stage=lifecycle_stage(book, inside))


def _reader(fields: dict[str, np.ndarray], i: int):
    def value(name: str) -> float | None:
        return _float(fields[name][i])

    return value


def _float(v: float) -> float | None:
    # np.round, not round(): exports round whole columns with numpy, and must agree to the digit
    return None if v is None or not np.isfinite(v) else float(np.round(v, 4))


def _int(v: float, missing: float | None = None) -> int | None:
    if v is None or not np.isfinite(v) or (missing is not None and v == missing):
        return None
    return int(v)


def _peak(rates: np.ndarray) -> str | None:
    if not np.isfinite(rates).any() or np.nanmax(rates) <= 0:
        return None
    return SEASONS[int(np.nanargmax(rates))]


def _moment(days: float) -> datetime | None:
    if days is None or not np.isfinite(days):
        return None
    return from_days(float(days)).replace(tzinfo=UTC)


def _date(days: float) -> date:
    return from_days(float(np.floor(days))).date()
