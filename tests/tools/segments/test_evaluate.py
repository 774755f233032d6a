"""Segment membership follows the thresholds in the file: edit the file, membership changes."""

from pathlib import Path

import numpy as np

from tests.tools.profiles.conftest import AS_OF, service_for
from tests.tools.profiles.small_world import WorldIds, build_small_world
from tools.profiles.frame import SEGMENT_FIELDS
from tools.segments.definitions import DEFAULT_PATH, load_segments
from tools.segments.evaluate import lifecycle_stage, membership
from tools.storage.db import Database


def fields(**values: list[float]) -> dict[str, np.ndarray]:
    n = len(next(iter(values.values())))
    base = {name: np.full(n, np.nan) for name in SEGMENT_FIELDS}
    return base | {k: np.array(v, dtype=float) for k, v in values.items()}


def test_conditions_and_missing_values() -> None:
    book = load_segments(SEGMENT_FIELDS)
    inside = membership(book, fields(tenure_days=[10, 45, np.nan]), lambda f, q: np.nan, 3)
    new = inside[:, book.ids.index("new_member")]
    assert new.tolist() == [True, False, False]  # no value: not in the segment


def test_any_conditions() -> None:
    book = load_segments(SEGMENT_FIELDS)
    data = fields(recency_days=[10, 10, 10, 90], churn_risk=[0.5, 0.1, 0.1, 0.9], spend_trend=[0, -0.8, 0, 0])
    at_risk = membership(book, data, lambda f, q: np.nan, 4)[:, book.ids.index("at_risk")]
    assert at_risk.tolist() == [True, True, False, False]


def test_quantile_thresholds_resolve_through_the_reference() -> None:
    book = load_segments(SEGMENT_FIELDS)
    seen: list[tuple[str, float]] = []

    def quantile(field: str, q: float) -> float:
        seen.append((field, q))
        return 100.0

    data = fields(orders_365=[150, 50], spend_365=[150, 150])
    inside = membership(book, data, quantile, 2)[:, book.ids.index("high_frequency_high_value")]
    assert inside.tolist() == [True, False]
    assert ("orders_365", 0.75) in seen and ("spend_365", 0.75) in seen


def test_lifecycle_stage_takes_the_first_in_order() -> None:
    book = load_segments(SEGMENT_FIELDS)
    data = fields(
        tenure_days=[30, 200, 200],
        recency_days=[5, 5, 400],
        spend_trend=[0, 0, 0],
        orders_90=[1, 1, 0],
        churn_risk=[0.1, 0.1, 0.9],
        shopping_days=[1, 9, 9],
        spend_365=[1, 1, 1],
    )
    stage = lifecycle_stage(book, membership(book, data, lambda f, q: 0.0, 3))
    assert stage.tolist() == ["acquisition", "retention", "lapsed"]


async def test_editing_a_threshold_in_the_file_changes_profiles(db: Database, tmp_path: Path) -> None:
    world: WorldIds = await build_small_world(db)
    shipped = service_for(db, tmp_path / "models")
    frame = await shipped.frame(AS_OF)
    tenure = frame.fields["tenure_days"]
    edited = tmp_path / "segments.toml"
    edited.write_text(
        DEFAULT_PATH.read_text().replace(
            'all = [{ field = "tenure_days", op = "<=", value = 30 }]',
            'all = [{ field = "tenure_days", op = "<=", value = 400 }]',
        )
    )
    custom = service_for(db, tmp_path / "models", edited)
    new_before = frame.segments[:, frame.segment_ids.index("new_member")]
    new_after = (await custom.frame(AS_OF)).segments[:, frame.segment_ids.index("new_member")]
    assert new_before.tolist() == (tenure <= 30).tolist()
    assert new_after.tolist() == (tenure <= 400).tolist()
    assert new_after.sum() > new_before.sum()
    member = next(c for c in world.customers if 30 < tenure[frame.position(c)] <= 400)
    assert "new_member" in (await custom.profile(member, AS_OF)).segments
    assert "new_member" not in (await shipped.profile(member, AS_OF)).segments
