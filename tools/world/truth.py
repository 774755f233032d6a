"""The hidden traits store: the simulator's ground truth, kept outside the main database.

Where it lives: one compressed NumPy archive per seeded database, in the `truth_dir` setting
(`.loyalty-truth/` by default), named `world-<hash of the database URL>-seed<seed>.npz`. The
seeded database records the seed in `schema_info.world_seed` and the file name in
`schema_info.world_note` (see `tools.world.stamp`), so the simulator can find it, but the traits
themselves are never in a table: no MCP tool, profile or agent can read them, and profiles must
infer them from behaviour. Only the seeder writes this directory and only evals read it.

The archive holds, per member (row i is customer id `customer_id[i]`): price sensitivity, taste
per category (columns are `category_id`), responsiveness per channel (`channels`), preferred
hour and weekday, purchase rate, churn hazard, return rate, replenishment cycle per consumable
category (NaN for non-replenishers), shopping channel mix, the monthly active/lapsed state, and
whether the member carries a prompt-injection attempt; plus the seed, the window, and the full
population file (as JSON) whose `[response]` section is the simulator's response model.
"""

import hashlib
import json
import os
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np
from sqlalchemy.engine import make_url

from tools.errors import InvalidInput, NotFound
from tools.world.population import Population


class TruthLocation(Protocol):
    """Anything carrying the two settings that locate a truth file (the app's Settings does)."""

    @property
    def truth_dir(self) -> Path: ...

    @property
    def db_url(self) -> str: ...


@dataclass(frozen=True)
class HiddenTraits:
    seed: int
    population: Population
    first_day: date
    last_day: date
    customer_id: np.ndarray
    category_id: np.ndarray
    channels: tuple[str, ...]
    price_sensitivity: np.ndarray
    taste: np.ndarray
    channel_response: np.ndarray
    preferred_hour: np.ndarray
    preferred_weekday: np.ndarray
    purchase_rate: np.ndarray
    churn_hazard: np.ndarray
    return_rate: np.ndarray
    replenish_category_id: np.ndarray
    replenish_cycle_days: np.ndarray
    channel_mix: np.ndarray
    active_by_month: np.ndarray
    injected: np.ndarray


_META = ("seed", "population", "first_day", "last_day", "channels")


def database_key(db_url: str) -> str:
    """A stable hash naming a database: its URL without password, SQLite paths made absolute."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        url = url.set(database=str(Path(url.database).resolve()))
    text = url.render_as_string(hide_password=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def truth_file_name(db_url: str, seed: int) -> str:
    return f"world-{database_key(db_url)}-seed{seed}.npz"


def save_truth(path: Path, truth: HiddenTraits) -> None:
    arrays = {f.name: getattr(truth, f.name) for f in fields(truth) if f.name not in _META}
    meta = {
        "seed": truth.seed,
        "first_day": truth.first_day.isoformat(),
        "last_day": truth.last_day.isoformat(),
        "channels": list(truth.channels),
        "population": truth.population.model_dump(mode="json"),
    }
    with path.open("wb") as handle:
        np.savez_compressed(handle, meta=np.array(json.dumps(meta)), **arrays)


def load_truth(
    source: Path | TruthLocation, *, db_url: str | None = None, seed: int | None = None
) -> HiddenTraits:
    """Load hidden traits from a file path, or locate them from settings (truth_dir + db_url) and
    the seed; without a seed there must be exactly one world for that database."""
    path = source if isinstance(source, Path) else _locate(source.truth_dir, db_url or source.db_url, seed)
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"][()]))
            arrays = {name: archive[name] for name in archive.files if name != "meta"}
    except FileNotFoundError:
        raise NotFound(f"no hidden-traits file {path}: seed the database with `loyalty seed` first") from None
    except (OSError, ValueError, KeyError) as exc:
        raise InvalidInput(f"{path} is not a hidden-traits file: {exc}") from None
    return HiddenTraits(
        seed=int(meta["seed"]),
        population=Population.model_validate(meta["population"]),
        first_day=date.fromisoformat(meta["first_day"]),
        last_day=date.fromisoformat(meta["last_day"]),
        channels=tuple(meta["channels"]),
        **arrays,
    )


def _locate(truth_dir: Path, db_url: str, seed: int | None) -> Path:
    if seed is not None:
        return truth_dir / truth_file_name(db_url, seed)
    found = sorted(truth_dir.glob(f"world-{database_key(db_url)}-seed*.npz"))
    if not found:
        raise NotFound(
            f"no hidden-traits file for this database in {truth_dir}: seed it with `loyalty seed` first"
        )
    if len(found) > 1:
        raise InvalidInput(f"several worlds for this database in {truth_dir}: pass the seed")
    return found[0]


def publish(staged: Path, final: Path) -> None:
    """Move a fully written truth file into place in one step."""
    os.replace(staged, final)
