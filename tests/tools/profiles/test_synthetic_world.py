"""Profiles over a small synthetic retailer (`loyalty seed`), end to end: models fit, the batch
and the real-time path agree, and the segments are populated."""

from datetime import timedelta
from pathlib import Path

import numpy as np

from loyalty.settings import PACKAGE_ROOT
from tests.tools.profiles.conftest import service_for
from tools.profiles.service import day_after
from tools.progress import Silent
from tools.storage.db import database, init_schema
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world


async def test_synthetic_world(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'world.db'}"
    store = database(url)
    await init_schema(store)
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    request = WorldRequest(population, 300, 11, population.world.months, population.world.end_date)
    await seed_world(
        url, tmp_path / "truth", request, population_name="default", reset=False, progress=Silent()
    )
    try:
        service = service_for(store, tmp_path / "models")
        as_of = day_after(await service.newest_data())
        frame = await service.frame(as_of)
        assert len(frame) == 300
        models = await service.models(as_of)
        assert models.metrics["churn_auc"] > 0.6  # held-out members of the training windows
        ids = frame.history.members.customer_id
        for customer_id in ids[:: len(ids) // 25]:
            single = await service.profile(int(customer_id), as_of)
            assert single == frame.profile(frame.position(int(customer_id)))
        populated = frame.segments.sum(axis=0)
        assert (populated > 0).sum() >= 15, dict(zip(frame.segment_ids, populated.tolist(), strict=True))
        assert set(frame.lifecycle_stage.tolist()) >= {"retention", "reactivation"}
        engaged = frame.features.engagement
        assert (engaged.sends.sum(axis=1) > 0).mean() > 0.5 and engaged.consent.any()
        assert np.isin(engaged.preferred_channel, [0, 1, 2, 3, 4]).mean() > 0.5
        later = await service.profile(int(ids[0]), as_of + timedelta(days=45))
        assert later.freshness.stale
    finally:
        await store.dispose()
