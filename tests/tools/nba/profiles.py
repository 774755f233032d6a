"""A member profile built in code, for tests of what the scorer reads from one (no world needed)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tools.profiles.profile import Profile

AS_OF = datetime(2026, 6, 25, 12, tzinfo=UTC)


def sample_profile(
    *,
    days_since: float | None = 5.0,
    median_gap: float | None = 15.0,
    affinity: tuple[str, ...] = ("Coffee beans", "Snacks", "Chocolate", "Grinders"),
    replenishment: dict[str, float] | None = None,
    segments: tuple[str, ...] = ("retention",),
    discount_share: float | None = 0.0,
    margin_rate: float = 0.3,
    aov: float = 20.0,
) -> Profile:
    """`replenishment`: category -> days until it is expected again."""
    last = None if days_since is None else AS_OF - timedelta(days=days_since)
    today = AS_OF.date()
    data: dict[str, Any] = {
        "customer_id": 7,
        "external_id": "m-7",
        "as_of": AS_OF.isoformat(),
        "contact": {"first_name": "Leo", "last_name": "M.", "email": None, "phone": None},
        "demographics": {
            "age": 38,
            "birth_year": 1988,
            "gender": None,
            "income_band": None,
            "household_size": None,
            "postcode": "2000",
            "locale": "en-AU",
            "time_zone": "Australia/Sydney",
        },
        "loyalty": {
            "joined_at": "2024-06-25T12:00:00Z",
            "tenure_days": 730.0,
            "tier": "silver",
            "points_balance": 0,
            "lifetime_points": 0,
        },
        "recency": {
            "last_order_at": None if last is None else last.isoformat(),
            "days_since_last_order": days_since,
        },
        "frequency": {
            "orders_30": 2,
            "orders_90": 6,
            "orders_365": 20,
            "orders_total": 20,
            "median_interval_days": median_gap,
            "spend_trend": 0.0,
        },
        "monetary": {
            "aov": aov,
            "aov_365": aov,
            "expected_order_value": aov,
            "spend_30": 40.0,
            "spend_90": 120.0,
            "spend_365": 20 * aov,
            "spend_total": 20 * aov,
            "margin_365": 20 * aov * margin_rate,
            "margin_total": 20 * aov * margin_rate,
            "margin_rate": margin_rate,
        },
        "basket": {
            "items_per_order": 1.0,
            "single_item_share": 1.0,
            "distinct_categories_365": 3,
            "top2_category_share": 0.9,
        },
        "price_sensitivity": {
            "discount_share": discount_share,
            "coupon_order_share": discount_share,
            "offer_response_rate": 0.0,
        },
        "engagement": [
            {
                "channel": "email",
                "consent": True,
                "sends": 30,
                "opens": 9,
                "clicks": 0,
                "open_rate": 0.3,
                "click_rate": 0.0,
                "last_engaged_at": None,
            }
        ],
        "preferred_channel": "email",
        "send_time": {"hour": 9, "weekday": "Thursday"},
        "seasonality": {
            "orders_per_30_days": {"winter": 1.0, "spring": 1.0, "summer": 1.0, "autumn": 1.0},
            "peak_season": None,
        },
        "lifecycle_stage": "expansion",
        "segments": list(segments),
        "freshness": {
            "newest": {"orders": None, "sync": None},
            "data_age_hours": 5.0,
            "stale": False,
            "stale_after_hours": 720.0,
        },
        "predictions": {
            "model_as_of": "2026-06-25T00:00:00",
            "churn_risk": 0.2,
            "churn_horizon_days": 60,
            "predicted_next_purchase_date": (today + timedelta(days=10)).isoformat(),
            "predicted_clv_365": 400.0,
            "category_affinity": [
                {"category": c, "score": round(0.9 / (i + 1), 3)} for i, c in enumerate(affinity)
            ],
            "replenishment": [
                {
                    "category": c,
                    "interval_days": 30.0,
                    "last_purchased": (today - timedelta(days=30 - due)).isoformat(),
                    "expected_next_date": (today + timedelta(days=due)).isoformat(),
                }
                for c, due in (replenishment or {}).items()
            ],
        },
    }
    return Profile.model_validate(data)
