"""A case's member, once placed in the world, looks to the product the way the case describes it."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from agents.team import local_model
from evals.harness.base_world import PreparedWorld
from evals.harness.fixtures import PlacedCase, place_case
from evals.harness.runner import ScenarioContext, run_case
from evals.harness.suite import Case, Suite, load_suite, suite_path
from loyalty.settings import Settings
from loyalty.wiring import open_product
from tests.evals.harness.conftest import NOW, WORLD
from tools.profiles.profile import Profile
from tools.storage.db import database
from tools.storage.models import Budget, ChannelConsent, CompetitorSignal, Product

SEED = load_suite(suite_path("seed"))


def seed_case(case_id: str) -> Case:
    return next(c for c in SEED.cases if c.id == case_id)


async def placed_profile(
    world: PreparedWorld, tmp_path: Path, case: Case
) -> tuple[Profile, PlacedCase, dict[str, Any]]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    url = world.copy_to(tmp_path / "case.db")
    db = database(url)
    try:
        placed = await place_case(db, case, NOW, WORLD.seed)
    finally:
        await db.dispose()
    settings = Settings(db_url=url, models_dir=world.models_dir)
    async with open_product(settings, clock=lambda: NOW) as product:
        profile = await product.profiles.profile(placed.customer_id, NOW)
        async with product.db.session() as session:
            extras = {
                "consents": {
                    c.channel: (c.granted, c.opted_out_at is not None)
                    for c in (
                        await session.scalars(
                            select(ChannelConsent).where(ChannelConsent.customer_id == placed.customer_id)
                        )
                    ).all()
                },
                "signals": (
                    await session.scalars(
                        select(CompetitorSignal).where(
                            CompetitorSignal.competitor.in_(["Peak Outdoors", "FitMart"])
                        )
                    )
                ).all(),
                "products": (await session.scalars(select(Product).where(Product.sku.like("EVAL-%")))).all(),
            }
    return profile, placed, extras


async def test_sarah_looks_like_sarah(shared_world: PreparedWorld, tmp_path: Path) -> None:
    profile, placed, extras = await placed_profile(shared_world, tmp_path, seed_case("seed/sarah-activewear"))
    assert profile.frequency.orders_365 == 20 and profile.frequency.orders_total == 26
    assert 27.5 <= profile.recency.days_since_last_order <= 29
    assert profile.monetary.aov == 19.5
    assert profile.predictions.category_affinity[0].category == "Activewear"
    assert profile.preferred_channel == "email" and profile.send_time.hour == 19
    email = next(e for e in profile.engagement if e.channel == "email")
    assert email.sends == 52 and abs(email.open_rate - 0.45) < 0.02
    assert "email_first" in profile.segments and "full_price_buyer" in profile.segments
    assert not profile.freshness.stale
    assert extras["consents"]["email"] == (True, False) and extras["consents"]["sms"] == (False, False)
    assert {p.sku for p in extras["products"]} == {"EVAL-LEGGING", "EVAL-RUNJACKET"}
    assert [s.discount_pct for s in extras["signals"]] == [15.0]
    assert placed.trigger == {
        "customer_id": placed.customer_id,
        "use_case": "reactivation",
        "trigger": "rhythm_lapse",
        "context": {"anchor_category": "Activewear", "competitor_discount_pct": 15.0},
    }
    assert placed.local_zone == "Australia/Melbourne" and placed.quiet_hours == (21, 8)


async def test_the_puffer_cart_and_michaels_stale_sync(shared_world: PreparedWorld, tmp_path: Path) -> None:
    _, placed, _ = await placed_profile(shared_world, tmp_path / "puffer", seed_case("seed/puffer-jacket"))
    assert placed.trigger["context"] == {
        "anchor_category": "Winter jackets",
        "cart_skus": ["EVAL-PUFFER"],
        "cart_value": 200.0,
        "competitor_discount_pct": 20.0,
        "sequence_step": 2,
    }
    assert placed.basket_value == 200.0
    profile, _, _ = await placed_profile(shared_world, tmp_path / "michael", seed_case("seed/michael-stale"))
    assert profile.freshness.stale
    assert 199 <= profile.recency.days_since_last_order <= 201


async def test_opt_outs_and_budget_tweaks(shared_world: PreparedWorld, tmp_path: Path) -> None:
    case = Case.model_validate(
        {
            "id": "t/opt-out",
            "title": "t",
            "why": "t",
            "world": {"budgets": [{"use_case": "upsell", "spent": 10_000_000}]},
            "member": {
                "first_name": "Mei",
                "consents": {"email": True, "sms": True},
                "opted_out": ["sms"],
                "orders": [{"days_ago": 3, "lines": [{"category": "Bags", "price": 80.0}]}],
            },
            "moment": {"use_case": "upsell"},
            "expect": {},
        }
    )
    profile, placed, extras = await placed_profile(shared_world, tmp_path, case)
    assert extras["consents"]["sms"] == (False, True) and extras["consents"]["email"] == (True, False)
    assert extras["consents"]["in_store"] == (True, False) and extras["consents"]["in_app"] == (False, False)
    assert profile.monetary.aov == 80.0 and placed.basket_value == 80.0
    db = database(f"sqlite+aiosqlite:///{tmp_path / 'case.db'}")
    try:
        async with db.session() as session:
            budget = await session.scalar(
                select(Budget).where(
                    Budget.use_case == "upsell",
                    Budget.period_start <= NOW.replace(tzinfo=None),
                    Budget.period_end > NOW.replace(tzinfo=None),
                )
            )
    finally:
        await db.dispose()
    assert budget is not None and budget.spent == budget.amount  # spent is capped at the amount


async def test_a_case_runs_through_the_whole_team_and_leaves_its_transcript(
    shared_world: PreparedWorld, tmp_path: Path
) -> None:
    suite = Suite.model_validate(
        SEED.model_dump(mode="json", by_alias=True) | {"world": WORLD.model_dump(mode="json")}
    )
    context = ScenarioContext(
        suite=suite,
        world=shared_world,
        model=local_model(),
        settings=Settings(),
        workdir=tmp_path,
        out_dir=tmp_path / "run",
    )
    (tmp_path / "run" / "transcripts").mkdir(parents=True)
    result = await run_case(context, seed_case("seed/michael-stale"))
    assert result.error is None and result.passed, result.checks
    assert result.decision["outcome"] == "nothing" and "stale" in result.decision["detail"]
    transcript = json.loads((tmp_path / "run" / result.transcript).read_text())
    assert (
        transcript["trigger"]["use_case"] == "reactivation" and transcript["decision"]["outcome"] == "nothing"
    )
    assert transcript["run"]["delegations"][0]["agent"] == "reactivation"
    assert any(step["agent"] == "reactivation" for step in transcript["decision_log"])
    assert not (tmp_path / "seed__michael-stale.db").exists()  # the case's copy is cleaned up
