"""`profiles export`: one JSON object per member, for analysts and downstream systems.

The format is documented in docs/profiles-export.md; it carries no contact details (names,
e-mail, phone). Records are built column-wise from the frame (each column converted to Python
values once), with the same rounding as `ProfileFrame.record`, so an exported value equals the
profile's. Written to a temporary file and renamed: a reader never sees half an export.
"""

import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import numpy as np

from tools.errors import InvalidInput
from tools.profiles.frame import WEEKDAYS, ProfileFrame
from tools.profiles.history import CHANNELS
from tools.profiles.seasons import SEASONS
from tools.storage import staged

ROUNDED = (
    "tenure_days",
    "recency_days",
    "spend_30",
    "spend_90",
    "spend_365",
    "spend_total",
    "aov",
    "margin_365",
    "margin_rate",
    "discount_share",
    "offer_response_rate",
)
COUNTS = ("orders_30", "orders_90", "orders_365", "orders_total")


def export_rows(frame: ProfileFrame) -> Iterator[dict[str, Any]]:
    n = len(frame)
    members, predictions, fields = frame.history.members, frame.predictions, frame.fields
    as_of = frame.as_of.replace(tzinfo=UTC).isoformat()
    model_as_of = frame.model_as_of.isoformat()
    columns: dict[str, list[Any]] = {name: _values(fields[name], 4) for name in ROUNDED}
    columns |= {name: fields[name].astype(np.int64).tolist() for name in COUNTS}
    churn = np.round(predictions.churn_risk, 4).tolist()
    clv = np.round(predictions.clv_365, 2).tolist()
    next_date = _dates(predictions.next_purchase_day)
    points = _values(members.points_balance, None)
    engagement = frame.features.engagement
    preferred = [CHANNELS[c] if c >= 0 else None for c in engagement.preferred_channel.tolist()]
    hours = [h if h >= 0 else None for h in engagement.send_hour.tolist()]
    weekdays = [WEEKDAYS[d] if d >= 0 else None for d in engagement.send_weekday.tolist()]
    peak = _peak_season(frame.features.seasonality)
    age = _values(frame.freshness.age_hours, 4)
    stale = frame.freshness.stale.tolist()
    segments = _segments(frame)
    affinity = _affinity(frame)
    replenishment = _replenishment(frame)
    for i in range(n):
        yield {
            "customer_id": str(members.external_id[i]),
            "member_id": int(members.customer_id[i]),
            "as_of": as_of,
            "model_as_of": model_as_of,
            "churn_risk": churn[i],
            "predicted_next_purchase_date": next_date[i],
            "predicted_clv_365": clv[i],
            "category_affinity": affinity[i],
            "replenishment": replenishment[i],
            "segments": segments[i],
            "lifecycle_stage": str(frame.lifecycle_stage[i]),
            "tier": members.tier[i],
            "points_balance": points[i],
            "tenure_days": columns["tenure_days"][i],
            "recency_days": columns["recency_days"][i],
            **{name: columns[name][i] for name in COUNTS},
            **{name: columns[name][i] for name in ROUNDED[2:]},
            "preferred_channel": preferred[i],
            "send_hour": hours[i],
            "send_weekday": weekdays[i],
            "peak_season": peak[i],
            "data_age_hours": age[i],
            "stale": stale[i],
        }


def check_export_path(out: Path) -> None:
    """Refuse, before any work, a path the export could not end up at."""
    if out.is_dir():
        raise InvalidInput(f"--out {out} is a directory: name a file, e.g. {out / 'profiles.jsonl'}")
    if out.parent.exists() and not out.parent.is_dir():
        raise InvalidInput(f"--out {out}: {out.parent} is not a directory")


def export_profiles(frame: ProfileFrame, out: Path) -> int:
    """Write every member's record to `out` (JSON Lines, owner-only: it holds personal data);
    returns the number written. Nothing is left at `out` or beside it unless all of it was."""
    check_export_path(out)
    count = 0
    try:
        with staged(out) as partial, partial.open("w", encoding="utf-8") as handle:
            for row in export_rows(frame):
                handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
                count += 1
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror}") from exc
    return count


def _values(values: np.ndarray, digits: int | None) -> list[Any]:
    """Python numbers (ints when `digits` is None), None where missing."""
    finite = np.isfinite(values)
    shown = np.round(values, digits) if digits is not None else values
    cleaned = np.where(finite, shown, 0.0).tolist()
    whole = digits is None
    return [(int(v) if whole else v) if ok else None for v, ok in zip(cleaned, finite.tolist(), strict=True)]


def _dates(days: np.ndarray) -> list[str]:
    return np.floor(days).astype(np.int64).astype("datetime64[D]").astype(str).tolist()


def _peak_season(rates: np.ndarray) -> list[str | None]:
    best = np.fmax.reduce(rates, axis=1) if rates.shape[1] else np.full(len(rates), np.nan)
    index = np.argmax(np.where(np.isfinite(rates), rates, -np.inf), axis=1)
    return [SEASONS[j] if ok else None for j, ok in zip(index.tolist(), (best > 0).tolist(), strict=True)]


def _segments(frame: ProfileFrame) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in range(len(frame))]
    rows, columns = np.nonzero(frame.segments)
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        out[row].append(frame.segment_ids[column])
    return out


def _affinity(frame: ProfileFrame) -> list[list[dict[str, Any]]]:
    ranked = frame.predictions.affinity
    names = frame.history.categories[ranked.category].astype(str).tolist()
    scores = np.round(ranked.score, 4).tolist()
    offsets = ranked.offsets.tolist()
    return [
        [{"category": names[j], "score": scores[j]} for j in range(offsets[i], offsets[i + 1])]
        for i in range(len(frame))
    ]


def _replenishment(frame: ProfileFrame) -> list[list[dict[str, Any]]]:
    due = frame.predictions.replenishment
    names = frame.history.categories[due.category].astype(str).tolist()
    dates = _dates(due.next_day)
    intervals = np.round(due.interval_days, 1).tolist()
    regular = due.regular.tolist()
    offsets = due.offsets.tolist()
    return [
        [
            {
                "category": names[j],
                "expected_next_date": dates[j],
                "interval_days": intervals[j],
                "regular": regular[j],
            }
            for j in range(offsets[i], offsets[i + 1])
        ]
        for i in range(len(frame))
    ]
