"""`profiles export`: one JSON object per member, for analysts and downstream systems.

The format is documented in docs/profiles-export.md; it carries no contact details (names,
e-mail, phone). Written to a temporary file and renamed, so a reader never sees half an export.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.profiles.frame import ProfileFrame

def export_record(frame: ProfileFrame, i: int) -> dict[str, Any]:
    full = frame.record(i)
    p, m, f = full["predictions"], full["monetary"], full["frequency"]
    return {
        "customer_id": full["external_id"],
        "member_id": full["customer_id"],
        "as_of": full["as_of"].isoformat(),
        "model_as_of": p["model_as_of"].isoformat(),
        "churn_risk": p["churn_risk"],
        "predicted_next_purchase_date": p["predicted_next_purchase_date"].isoformat(),
        "predicted_clv_365": p["predicted_clv_365"],
        "category_affinity": p["category_affinity"],
        "replenishment": [
            {"category": r["category"], "expected_next_date": r["expected_next_date"].isoformat(),
             "interval_days": r["interval_days"]}
            for r in p["replenishment"]
        ],
        "segments": full["segments"],
        "lifecycle_stage": full["lifecycle_stage"],
        "tier": full["loyalty"]["tier"],
        "points_balance": full["loyalty"]["points_balance"],
        "tenure_days": full["loyalty"]["tenure_days"],
        "recency_days": full["recency"]["days_since_last_order"],
        **{k: f[k] for k in ("orders_30", "orders_90", "orders_365", "orders_total")},
        **{k: m[k] for k in ("spend_30", "spend_90", "spend_365", "spend_total", "aov", "margin_365", "margin_rate")},
        "discount_share": full["price_sensitivity"]["discount_share"],
        "offer_response_rate": full["price_sensitivity"]["offer_response_rate"],
        "preferred_channel": full["preferred_channel"],
        "send_hour": full["send_time"]["hour"],
        "send_weekday": full["send_time"]["weekday"],
        "peak_season": full["seasonality"]["peak_season"],
        "data_age_hours": full["freshness"]["data_age_hours"],
        "stale": full["freshness"]["stale"],
    }


def export_profiles(frame: ProfileFrame, out: Path, advance: Callable[[int], None] | None = None) -> int:
    """Write every member's record to `out` (JSON Lines); returns the number written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for i in range(len(frame)):
            handle.write(json.dumps(export_record(frame, i), ensure_ascii=False, separators=(",", ":")) + "\n")
            if advance is not None and i % 1000 == 999:
                advance(1000)
    partial.replace(out)
    if advance is not None:
        advance(len(frame) % 1000)
    return len(frame)
