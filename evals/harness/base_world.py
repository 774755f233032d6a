"""The base world every case's member joins: seeded once per run (or reused), with models fitted once.

Each case then works on its own copy of the database file, so cases cannot leak into each other,
and loads the models fitted here instead of refitting them (predictions as of the moment use
models fitted as of that day, exactly as in production).
"""

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog
from sqlalchemy import func, select

from evals.harness.suite import BaseWorld
from loyalty.settings import PACKAGE_ROOT, Settings
from loyalty.wiring import open_product
from tools.errors import InvalidInput
from tools.profiles import default_models_dir
from tools.progress import Silent
from tools.storage import Customer, database, parse_url
from tools.world import WorldInfo, WorldRequest, load_population, read_world_info, seed_world

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PreparedWorld:
    db_path: Path  # never written to after preparation: cases copy it
    models_dir: Path
    info: WorldInfo
    reused: bool

    def copy_to(self, path: Path) -> str:
        """A private copy of the world for one case; returns its database URL."""
        shutil.copyfile(self.db_path, path)
        return sqlite_url(path)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.resolve()}"


def population_path(name: str) -> Path:
    return PACKAGE_ROOT / "tools" / "world" / f"{name}_population.toml"


def sqlite_file(db_url: str) -> Path:
    url = parse_url(db_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        raise InvalidInput(f"the eval base world must be a SQLite file (cases copy it), not {db_url}")
    return Path(url.database).resolve()


async def prepare_world(spec: BaseWorld, db_path: Path, now: datetime, settings: Settings) -> PreparedWorld:
    """Seed `spec` into `db_path` (or reuse the world already there when its stamp matches), then
    fit the profile models as of `now` beside it."""
    url = sqlite_url(db_path)
    reused = db_path.exists() and await _holds(url, spec)
    if not reused:
        population = load_population(population_path(spec.population))
        request = WorldRequest(population, spec.members, spec.seed, spec.months, spec.end_date)
        await seed_world(
            url,
            db_path.parent / f"{db_path.stem}.truth",
            request,
            population_name=spec.population,
            reset=True,
            progress=Silent(),
        )
    models_dir = default_models_dir(url)
    world_settings = settings.model_copy(update={"db_url": url, "models_dir": models_dir})
    async with open_product(world_settings, clock=lambda: now) as product:
        await product.profiles.models(now.replace(tzinfo=None))
        info = await read_world_info(product.db)
    assert info is not None  # seeded or checked above
    log.info("eval.world_ready", path=str(db_path), reused=reused, members=info.customers, seed=info.seed)
    return PreparedWorld(db_path=db_path, models_dir=models_dir, info=info, reused=reused)


async def _holds(url: str, spec: BaseWorld) -> bool:
    """True when the database holds exactly this world and nothing added to it; False when empty.
    Anything else is refused rather than overwritten: it may be somebody's data."""
    db = database(url)
    try:
        info = await read_world_info(db)
        async with db.session() as session:
            members = int(await session.scalar(select(func.count()).select_from(Customer)) or 0)
    except Exception:  # not a database of ours at all
        info, members = None, -1
    finally:
        await db.dispose()
    if info is None and members == 0:
        return False
    wanted = (spec.seed, spec.population, spec.end_date, spec.members)
    if (
        info is None
        or (info.seed, info.population, info.last_day, info.customers) != wanted
        or members != spec.members
    ):
        raise InvalidInput(
            f"{url} does not hold the suite's base world (seed {spec.seed}, {spec.members} members of "
            f"'{spec.population}' ending {spec.end_date}); pass another --db or none"
        )
    return True
