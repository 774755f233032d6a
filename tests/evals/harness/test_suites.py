"""The shipped suites: valid, broad enough, and naming only what the synthetic catalogue has."""

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.harness.suite import Suite, load_suite, suite_path
from policies.vocabulary import UseCase
from tools.world.taxonomy import DEPARTMENTS

SEED = load_suite(suite_path("seed"))
SCENARIOS = load_suite(suite_path("scenarios"))
CATEGORIES = {c.name for d in DEPARTMENTS for c in d.categories}


def test_the_seed_suite_holds_the_seed_documents_four_cases() -> None:
    assert {c.id for c in SEED.cases} == {
        "seed/puffer-jacket",
        "seed/sarah-activewear",
        "seed/michael-stale",
        "seed/full-price-high-value",
    }
    michael = next(c for c in SEED.cases if c.id == "seed/michael-stale")
    assert michael.expect.decision == "nothing" and michael.member.data_synced_days_ago is not None


def test_scenarios_cover_every_use_case_and_doing_nothing() -> None:
    assert len(SCENARIOS.cases) >= 40
    by_use_case = Counter(c.use_case for c in SCENARIOS.cases)
    assert set(by_use_case) == set(UseCase) and min(by_use_case.values()) >= 8
    assert sum(c.expect.decision == "nothing" for c in SCENARIOS.cases) >= 10
    tags = {t for c in SCENARIOS.cases for t in c.tags}
    assert {
        "consent",
        "quiet-hours",
        "frequency-cap",
        "top-tier",
        "discount-seeker",
        "replenishment",
        "full-price",
        "injection",
        "stale-data",
        "fatigue",
        "budget",
    } <= tags
    assert not {c.id for c in SCENARIOS.cases} & {c.id for c in SEED.cases}


@pytest.mark.parametrize("suite", [SEED, SCENARIOS], ids=["seed", "scenarios"])
def test_every_category_a_case_names_is_in_the_catalogue(suite: Suite) -> None:
    named: set[str] = set()
    for case in suite.cases:
        named |= {p.category for p in case.world.products} | {s.category for s in case.world.competitors}
        named |= {c for o in case.member.orders for c in o.mix} | {
            line.category for o in case.member.orders for line in o.lines if line.category
        }
        named |= {e.item.category for e in case.member.events if e.item and e.item.category}
        if case.moment.anchor_category:
            named.add(case.moment.anchor_category)
    assert named <= CATEGORIES, named - CATEGORIES


def test_a_suite_refuses_moments_outside_the_worlds_last_day_and_repeated_ids() -> None:
    raw = json.loads(suite_path("seed").read_text())
    late = raw | {"now": "2026-06-27T12:00:00Z"}
    with pytest.raises(ValueError, match="last day"):
        Suite.model_validate(late)
    twice = raw | {"cases": raw["cases"] + raw["cases"][:1]}
    with pytest.raises(ValueError, match="repeat"):
        Suite.model_validate(twice)


def test_sample_and_only_pick_cases_deterministically() -> None:
    picked = SCENARIOS.sample(10)
    assert len(picked.cases) == 10 and picked == SCENARIOS.sample(10)
    assert {c.use_case for c in picked.cases} == set(UseCase)
    assert [c.id for c in SCENARIOS.only(("cart/weekly-cap-reached",)).cases] == ["cart/weekly-cap-reached"]
    with pytest.raises(ValueError, match="no such cases"):
        SCENARIOS.only(("nope",))


def test_an_unknown_suite_name_says_what_exists(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seed, scenarios, guard or simulation"):
        load_suite(suite_path(str(tmp_path / "missing.json")))
