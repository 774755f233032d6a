"""The service's contract with its callers: ids, errors, models on disk, searches and counts."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.tools.profiles.conftest import AS_OF, service_for
from tests.tools.profiles.small_world import START, WorldIds
from tools.errors import InvalidInput, NotFound
from tools.profiles.artefact import ModelStore
from tools.profiles.search import MemberFilter
from tools.profiles.service import ProfileService
from tools.storage.db import Database


async def test_member_by_internal_or_external_id(service: ProfileService, world: WorldIds) -> None:
    by_id = await service.profile(world.customers[2], AS_OF)
    by_external = await service.profile("EXT0003", AS_OF)
    assert by_id == by_external
    assert by_id.external_id == "EXT0003"


async def test_unknown_member_is_not_found(service: ProfileService) -> None:
    with pytest.raises(NotFound, match="no member with id or external id 'NOPE'"):
        await service.profile("NOPE", AS_OF)
    with pytest.raises(NotFound, match="no member with id 999"):
        await service.profile(999, AS_OF)


async def test_as_of_before_any_data_is_refused(service: ProfileService) -> None:
    with pytest.raises(InvalidInput, match="before any data"):
        await service.frame(START - timedelta(days=400))


async def test_member_who_had_not_joined(service: ProfileService, world: WorldIds) -> None:
    with pytest.raises(NotFound, match="had not joined"):
        await service.profile(world.customers[-1], AS_OF - timedelta(days=300))


async def test_models_are_saved_with_as_of_and_metrics_and_reused(
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
    service = service_for(db, tmp_path / "models")
    await service.profile(world.customers[0], AS_OF)
    store = ModelStore(tmp_path / "models")
    assert store.available() == [AS_OF]
    saved = store.for_as_of(AS_OF + timedelta(days=3))
    assert saved is not None and saved.as_of == AS_OF
    assert {"churn_auc", "churn_brier", "replenishment_mae_days", "affinity_auc"} <= set(saved.metrics)
    assert store.for_as_of(AS_OF - timedelta(days=1)) is None  # fitted later than asked: unusable
    # a second service over the same directory loads instead of refitting
    again = service_for(db, tmp_path / "models")
    await again.profile(world.customers[0], AS_OF + timedelta(days=1))
    assert store.available() == [AS_OF]


async def test_corrupt_model_file_is_a_clear_error(db: Database, world: WorldIds, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    store.directory.mkdir()
    store.path_for(AS_OF).write_bytes(b"not a pickle")
    with pytest.raises(Exception, match="cannot read fitted models"):
        store.for_as_of(AS_OF)


async def test_find_members_filters_and_pages(service: ProfileService, world: WorldIds) -> None:
    everyone = await service.find_members(MemberFilter(page_size=200), AS_OF)
    assert everyone.total == len(world.customers)
    risky = await service.find_members(
        MemberFilter(min_churn_risk=0.5, sort="churn_risk", descending=True), AS_OF
    )
    assert all(m.churn_risk >= 0.5 for m in risky.members)
    assert [m.churn_risk for m in risky.members] == sorted(
        (m.churn_risk for m in risky.members), reverse=True
    )
    gold = await service.find_members(MemberFilter(tiers=["gold"], page_size=5, page=1), AS_OF)
    assert gold.total == len([c for c in world.customers if c % 5 == 0]) and len(gold.members) == 5
    assert all(m.tier == "gold" for m in gold.members)
    milk = await service.find_members(MemberFilter(category="Milk"), AS_OF)
    assert milk.total > 0 and all(m.customer_id for m in milk.members)
    with pytest.raises(InvalidInput, match="unknown segment"):
        await service.find_members(MemberFilter(segments=["no_such_segment"]), AS_OF)
    with pytest.raises(InvalidInput, match="unknown category"):
        await service.find_members(MemberFilter(category="rockets"), AS_OF)


async def test_segment_counts_and_summary(service: ProfileService, world: WorldIds) -> None:
    counts = {c.id: c for c in await service.segment_counts(AS_OF)}
    assert {
        "high_frequency_high_value",
        "dormant_recoverable",
        "discount_seeker",
        "email_first",
        "retention",
    } <= set(counts)
    frame = await service.frame(AS_OF)
    assert counts["retention"].members == int(frame.segments[:, frame.segment_ids.index("retention")].sum())
    summary = await service.segment_summary("retention", AS_OF)
    assert summary.members == counts["retention"].members
    assert sum(summary.lifecycle_stages.values()) == summary.members
    with pytest.raises(NotFound):
        await service.segment_summary("nope", AS_OF)


async def test_profile_long_after_the_data_is_stale_but_predicted(
    service: ProfileService, world: WorldIds
) -> None:
    much_later = AS_OF + timedelta(days=200)
    profile = await service.profile(world.customers[0], much_later)
    assert profile.freshness.stale
    assert profile.predictions.model_as_of <= datetime(2025, 1, 2)  # fitted where the data ends
    assert profile.predictions.churn_risk > 0.5
