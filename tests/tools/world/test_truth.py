"""Hidden traits live in their own file, never in the database, and load back by path or settings."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from tests.tools.world.conftest import Seeded
from tools.errors import InvalidInput, NotFound
from tools.storage.db import Database
from tools.storage.models import Base
from tools.world.truth import HiddenTraits, load_truth, truth_file_name

TRAIT_WORDS = (
    "sensitiv",
    "taste",
    "responsive",
    "hazard",
    "churn",
    "preferred",
    "purchase_rate",
    "cycle",
    "truth",
    "trait",
)


@dataclass(frozen=True)
class Location:
    truth_dir: Path
    db_url: str


def test_no_table_or_column_holds_a_trait() -> None:
    names = [t.name for t in Base.metadata.tables.values()] + [
        c.name for t in Base.metadata.tables.values() for c in t.columns
    ]
    assert not [n for n in names if any(word in n for word in TRAIT_WORDS)]


async def test_the_database_only_names_the_truth_file(seeded_db: Database, seeded: Seeded) -> None:
    truth = load_truth(seeded.result.truth_path)
    sensitivity = {round(float(v), 4) for v in truth.price_sensitivity}
    async with seeded_db.engine.connect() as conn:
        note = (await conn.execute(text("SELECT world_note FROM schema_info"))).scalar()
        rates = (
            await conn.execute(
                text(
                    "SELECT discount_pct FROM offer_templates UNION SELECT strength FROM category_complements "
                    "UNION SELECT weekly_demand FROM inventory"
                )
            )
        ).scalars()
        leaked = sensitivity & {round(float(r), 4) for r in rates if r is not None}
    assert seeded.result.truth_path.name in note and "sensitiv" not in note
    assert len(leaked) < 3  # a chance collision at four decimals, not a column of traits
    assert seeded.result.truth_path.parent == seeded.truth_dir


def test_truth_loads_by_path_and_by_settings(seeded: Seeded) -> None:
    by_path = load_truth(seeded.result.truth_path)
    by_settings = load_truth(Location(seeded.truth_dir, seeded.url))
    by_seed = load_truth(Location(seeded.truth_dir, seeded.url), seed=11)
    for truth in (by_settings, by_seed):
        assert isinstance(truth, HiddenTraits) and np.array_equal(
            truth.channel_response, by_path.channel_response
        )
    assert by_path.seed == 11 and len(by_path.customer_id) == 400 and by_path.taste.shape == (400, 50)
    assert np.allclose(by_path.taste.sum(axis=1), 1, atol=1e-5)
    assert by_path.population.response == seeded.population.response
    assert by_path.channels == ("email", "sms", "push") and by_path.active_by_month.shape[0] == 400
    assert seeded.result.truth_path.name == truth_file_name(seeded.url, 11)


def test_missing_or_foreign_truth_is_a_clear_error(seeded: Seeded, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="seed it with `loyalty seed` first"):
        load_truth(Location(tmp_path, seeded.url))
    with pytest.raises(NotFound, match="no hidden-traits file"):
        load_truth(tmp_path / "absent.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(InvalidInput, match="is not a hidden-traits file"):
        load_truth(junk)
