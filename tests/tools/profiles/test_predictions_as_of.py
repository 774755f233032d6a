"""Predictions as of a date use nothing after it, and one member's profile equals their row in
the batch."""

from datetime import timedelta
from pathlib import Path

import numpy as np

from tests.tools.profiles.conftest import AS_OF, service_for
from tests.tools.profiles.small_world import WorldIds, add_later_activity
from tools.profiles.export import export_rows
from tools.profiles.service import ProfileService
from tools.storage.db import Database


async def test_later_data_changes_nothing_as_of_the_date(
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
    before = await service_for(db, tmp_path / "before").frame(AS_OF)
    await add_later_activity(db, world, after=AS_OF)
    # Fit again from scratch on the grown database: the models, too, must not see the new rows.
    after = await service_for(db, tmp_path / "after").frame(AS_OF)

    assert len(after) == len(before)  # the member who joined later does not exist yet
    assert list(export_rows(before)) == list(export_rows(after))
    assert [before.profile(i) for i in range(len(before))] == [after.profile(i) for i in range(len(after))]


async def test_later_data_does_change_a_later_as_of(db: Database, world: WorldIds, tmp_path: Path) -> None:
    service = service_for(db, tmp_path / "models")
    before = await service.profile(world.customers[0], AS_OF)
    await add_later_activity(db, world, after=AS_OF)
    later = await service.profile(world.customers[0], AS_OF + timedelta(days=12))
    assert later.frequency.orders_total == before.frequency.orders_total + 1


async def test_one_member_equals_their_row_in_the_batch(
    service: ProfileService, world: WorldIds, db: Database, tmp_path: Path
) -> None:
    frame = await service.frame(AS_OF)
    computed_alone = service_for(db, tmp_path / "models")  # no frame of its own: every profile computed
    for customer_id in world.customers:
        single = await computed_alone.profile(customer_id, AS_OF)
        position = frame.position(customer_id)
        assert position is not None
        assert single == frame.profile(position), customer_id


async def test_predictions_are_sane(service: ProfileService, world: WorldIds) -> None:
    frame = await service.frame(AS_OF)
    risk = frame.predictions.churn_risk
    assert ((risk >= 0) & (risk <= 1)).all()
    stopped = [
        c for c in world.customers[:-4] if c % 6 == 0
    ]  # the small world's members who stopped shopping
    regulars = [c for c in world.customers[:-4] if c % 6 and c % 4 == 0]  # weekly shoppers
    mean = {
        name: float(np.mean([risk[frame.position(c)] for c in group]))
        for name, group in (("stopped", stopped), ("regular", regulars))
    }
    assert mean["stopped"] > mean["regular"]
    assert (frame.predictions.next_purchase_day >= frame.history.as_of).all()
    assert (frame.predictions.clv_365 >= 0).all()
    profile = frame.profile(frame.position(world.customers[3]))
    scores = [c.score for c in profile.predictions.category_affinity]
    assert scores == sorted(scores, reverse=True)
    assert profile.predictions.model_as_of <= AS_OF
