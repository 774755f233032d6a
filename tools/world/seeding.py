"""Seeding a database with a synthetic world: checks first, then generate, write, and publish the truth.

Order matters for "nothing half-written": every check that can fail on bad input (URL, paths,
schema version, existing members) runs before any work; the world is generated in memory; the
hidden traits are staged next to their final name; the tables and the `schema_info` stamp are
written in one transaction; only after it commits does the truth file move into place. A failure
at any point leaves the database as it was (or, with `reset`, empty and initialised) and no truth
file behind.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError, OperationalError

from tools.errors import InvalidInput, StorageError
from tools.progress import Progress
from tools.storage import Customer, Database, check_schema, database, drop_schema, init_schema
from tools.world.generator import World, WorldRequest, generate_world
from tools.world.stamp import WorldInfo
from tools.world.truth import database_key, publish, save_truth, truth_file_name
from tools.world.writer import write_world

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SeedResult:
    info: WorldInfo
    rows: dict[str, int]
    truth_path: Path
    generate_seconds: float
    write_seconds: float


def _prepare_truth_dir(truth_dir: Path) -> None:
    try:
        truth_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create the hidden-traits directory {truth_dir}: {exc.strerror}") from None
    if not os.access(truth_dir, os.W_OK):
        raise InvalidInput(f"cannot write hidden traits to {truth_dir}: directory is not writable")


async def _ready(store: Database, reset: bool) -> None:
    """An initialised database of this build's schema version with no members (after a reset, if asked)."""
    try:
        async with store.engine.connect() as conn:
            initialised = await conn.run_sync(lambda c: inspect(c).has_table("schema_info"))
        if reset:
            await drop_schema(store)
            await init_schema(store)
        elif not initialised:
            await init_schema(store)
        await check_schema(store)
        async with store.session() as session:
            members = int(await session.scalar(select(func.count()).select_from(Customer)) or 0)
    except (OperationalError, DBAPIError, OSError) as exc:
        raise StorageError(
            f"cannot open database: {str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}"
        ) from None
    if members:
        raise InvalidInput(
            f"the database already has {members:,} members: pass --reset to replace everything in it"
        )


async def seed_world(
    db_url: str,
    truth_dir: Path,
    request: WorldRequest,
    *,
    population_name: str,
    reset: bool,
    progress: Progress,
) -> SeedResult:
    _prepare_truth_dir(truth_dir)
    store = database(db_url)
    staged: Path | None = None
    try:
        await _ready(store, reset)
        started = time.perf_counter()
        world: World = generate_world(request, progress)
        generated = time.perf_counter()
        final = truth_dir / truth_file_name(db_url, request.seed)
        staged = final.with_name(f".{final.name}.{os.getpid()}.partial")
        save_truth(staged, world.truth)
        info = WorldInfo(
            seed=request.seed,
            truth_file=final.name,
            population=population_name,
            first_day=world.clock.first,
            last_day=world.clock.last,
            customers=request.customers,
        )
        try:
            await write_world(store, world, info, progress)
        except OperationalError as exc:
            raise StorageError(f"seeding failed, nothing was written: {str(exc.orig).strip()}") from None
        publish(staged, final)
        staged = None
        _remove_other_worlds(truth_dir, db_url, keep=final)
        written = time.perf_counter()
    finally:
        if staged is not None:
            staged.unlink(missing_ok=True)
        await store.dispose()
    rows = world.row_counts()
    log.info(
        "world seeded",
        customers=request.customers,
        seed=request.seed,
        rows=sum(rows.values()),
        generate_seconds=round(generated - started, 2),
        write_seconds=round(written - generated, 2),
    )
    return SeedResult(info, rows, final, generated - started, written - generated)


def _remove_other_worlds(truth_dir: Path, db_url: str, keep: Path) -> None:
    """Truth files of worlds this database held before: their members are gone."""
    for old in truth_dir.glob(f"world-{database_key(db_url)}-seed*.npz"):
        if old != keep:
            old.unlink(missing_ok=True)
