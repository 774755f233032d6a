"""Profile benchmark: every member's profile and predictions set-based, and one member on demand.

    python -m benchmarks.profiles                          # seeds 50,000 members into a temp dir
    python -m benchmarks.profiles --db sqlite+aiosqlite:///w.db --samples 500

Fits the models once (timed, outside the budgets: `loyalty models fit` does it on command), then:

- batch: all members' history read, features, predictions and segments (`ProfileService.frame`),
  from a service that has only loaded the fitted models; then the JSON Lines export;
- single: `ProfileService.profile` for `--samples` random members, after a few warm-up calls.

Wall time is what the budgets are about; CPU time is printed too, because on a shared machine the
two part company.
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from loyalty.logs import configure_logging
from loyalty.settings import PACKAGE_ROOT
from tools.errors import LoyaltyError
from tools.profiles.export import export_profiles
from tools.profiles.service import ProfileService, day_after, open_profiles
from tools.progress import Silent
from tools.storage.db import database, init_schema
from tools.storage.models import Customer
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world

BATCH_BUDGET = 30.0  # seconds for every member's profile and predictions (issue 3)
SINGLE_BUDGET = 0.020  # seconds, p50 of one member's profile on demand


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


async def run(
    url: str, models_dir: Path, samples: int, out: Path
) -> list[tuple[str, float, float | None, str]]:
    rows: list[tuple[str, float, float | None, str]] = []
    store = database(url)
    try:
        fitting = open_profiles(store, models_dir=models_dir)
        newest = await fitting.newest_data()
        if newest is None:
            raise LoyaltyError("the database has no orders")
        as_of = day_after(newest)
        clock = Clock()
        await fitting.models(as_of)
        rows.append(("fit models (once, outside the budgets)", *clock.read(), ""))

        service: ProfileService = open_profiles(store, models_dir=models_dir)
        await service.models(as_of)  # load the artefact, as a running server already has
        clock = Clock()
        frame = await service.frame(as_of)
        wall, cpu = clock.read()
        verdict = "within budget" if wall <= BATCH_BUDGET else f"OVER the {BATCH_BUDGET:.0f} s budget"
        rows.append((f"batch: {len(frame):,} profiles + predictions + segments", wall, cpu, verdict))
        clock = Clock()
        export_profiles(frame, out)
        rows.append((f"export {len(frame):,} profiles to JSON Lines", *clock.read(), ""))

        async with store.session() as session:
            ids = list(await session.scalars(select(Customer.id).where(Customer.joined_at < as_of)))
        chosen = random.Random(7).sample(ids, min(samples, len(ids)))
        for customer_id in chosen[:5]:
            await service.profile(customer_id, as_of)
        latencies = []
        for customer_id in chosen:
            start = time.perf_counter()
            await service.profile(customer_id, as_of)
            latencies.append(time.perf_counter() - start)
        p50 = statistics.median(latencies)
        p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))]
        verdict = (
            "within budget" if p50 <= SINGLE_BUDGET else f"OVER the {SINGLE_BUDGET * 1000:.0f} ms budget"
        )
        rows.append((f"single profile p50 ({len(latencies)} members)", p50, None, verdict))
        rows.append(("single profile p95", p95, None, ""))
        async with store.session() as session:
            members = await session.scalar(select(func.count()).select_from(Customer))
        rows.append((f"database: {members:,} members, as of {as_of:%Y-%m-%d}", 0.0, None, url))
    finally:
        await store.dispose()
    return rows


async def seeded(directory: Path, customers: int, seed: int) -> str:
    path = directory / "world.db"
    url = f"sqlite+aiosqlite:///{path}"
    db = database(url)
    await init_schema(db)
    await db.dispose()
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    request = WorldRequest(population, customers, seed, population.world.months, population.world.end_date)
    await seed_world(
        url, directory / "truth", request, population_name="default", reset=False, progress=Silent()
    )
    return url


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="an existing database (default: seed a world into a temp dir)")
    parser.add_argument("--models-dir", type=Path, help="fitted models (default: a temp dir, fitted fresh)")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--samples", type=int, default=200, help="members timed on the single-profile path")
    args = parser.parse_args()
    configure_logging("warning")
    console = Console()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        try:
            url = args.db or asyncio.run(seeded(directory, args.customers, args.seed))
            rows = asyncio.run(
                run(url, args.models_dir or directory / "models", args.samples, directory / "out.jsonl")
            )
        except LoyaltyError as exc:
            console.print(f"[red]error:[/] {exc}")
            return 2
    table = Table(title=f"profile benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", show_edge=False)
    for column in ("step", "wall", "cpu", "note"):
        table.add_column(column, justify="right" if column in ("wall", "cpu") else "left")
    for step, wall, cpu, note in rows:
        shown = "" if wall == 0.0 else (f"{wall * 1000:.1f} ms" if wall < 1 else f"{wall:.1f} s")
        table.add_row(step, shown, "" if cpu is None else f"{cpu:.1f} s", note)
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
