"""The export format (docs/profiles-export.md) and its agreement with the profile."""

import json
from datetime import date
from pathlib import Path

from tests.tools.profiles.conftest import AS_OF
from tools.profiles.export import export_profiles
from tools.profiles.service import ProfileService

FIELDS = [
    "customer_id",
    "member_id",
    "as_of",
    "model_as_of",
    "churn_risk",
    "predicted_next_purchase_date",
    "predicted_clv_365",
    "category_affinity",
    "replenishment",
    "segments",
    "lifecycle_stage",
    "tier",
    "points_balance",
    "tenure_days",
    "recency_days",
    "orders_30",
    "orders_90",
    "orders_365",
    "orders_total",
    "spend_30",
    "spend_90",
    "spend_365",
    "spend_total",
    "aov",
    "margin_365",
    "margin_rate",
    "discount_share",
    "offer_response_rate",
    "preferred_channel",
    "send_hour",
    "send_weekday",
    "peak_season",
    "data_age_hours",
    "stale",
]


async def test_one_line_per_member_with_the_documented_fields(
    service: ProfileService, tmp_path: Path
) -> None:
    frame = await service.frame(AS_OF)
    out = tmp_path / "profiles.jsonl"
    assert export_profiles(frame, out) == len(frame)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == len(frame)
    for record in records:
        assert list(record) == FIELDS
        assert isinstance(record["customer_id"], str) and record["customer_id"].startswith("EXT")
        assert date.fromisoformat(record["predicted_next_purchase_date"]) >= AS_OF.date()
        scores = [c["score"] for c in record["category_affinity"]]
        assert scores == sorted(scores, reverse=True)
        for item in record["replenishment"]:
            assert set(item) == {"category", "expected_next_date", "interval_days", "regular"}
            assert isinstance(item["regular"], bool)
            date.fromisoformat(item["expected_next_date"])
    assert not (tmp_path / "profiles.jsonl.partial").exists()


async def test_at_least_ten_categories_where_the_member_bought_ten(
    service: ProfileService, tmp_path: Path
) -> None:
    frame = await service.frame(AS_OF)
    out = tmp_path / "profiles.jsonl"
    export_profiles(frame, out)
    bought = {frame.history.members.customer_id[m] for m in frame.history.orders.member}
    for record in map(json.loads, out.read_text().splitlines()):
        categories = frame.fields["distinct_categories_365"][frame.position(record["member_id"])]
        if record["member_id"] in bought:
            assert len(record["category_affinity"]) >= min(10, categories)


async def test_export_agrees_with_the_profile(service: ProfileService, tmp_path: Path) -> None:
    frame = await service.frame(AS_OF)
    out = tmp_path / "profiles.jsonl"
    export_profiles(frame, out)
    for record in map(json.loads, out.read_text().splitlines()):
        profile = await service.profile(record["member_id"], AS_OF)
        assert record["churn_risk"] == profile.predictions.churn_risk
        assert record["predicted_clv_365"] == profile.predictions.predicted_clv_365
        assert (
            record["predicted_next_purchase_date"]
            == profile.predictions.predicted_next_purchase_date.isoformat()
        )
        assert record["category_affinity"] == [c.model_dump() for c in profile.predictions.category_affinity]
        assert record["segments"] == profile.segments and record["stale"] == profile.freshness.stale
        assert record["recency_days"] == profile.recency.days_since_last_order
        assert record["spend_365"] == profile.monetary.spend_365 and record["tier"] == profile.loyalty.tier
        assert record["peak_season"] == profile.seasonality.peak_season
        assert record["send_weekday"] == profile.send_time.weekday
