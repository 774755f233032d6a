"""Seed benchmark: time `loyalty seed` end to end and report rows, rows per second and peak memory.

    python benchmarks/seed.py --customers 50000            # a fresh SQLite file in a temp directory
    python benchmarks/seed.py --customers 50000 --db postgresql+asyncpg://postgres@127.0.0.1:5432/bench

Peak memory is the process's maximum resident set size (getrusage), in MB. CPU seconds (user +
system, all threads) are printed too: wall time on a shared machine also measures its neighbours.
"""

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from loyalty.logs import configure_logging
from loyalty.settings import PACKAGE_ROOT
from tools.errors import LoyaltyError
from tools.progress import StageClock
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import SeedResult, seed_world


def _report(console: Console, result: SeedResult, seconds: float, stages: dict[str, float]) -> None:
    rows = result.rows
    total = sum(rows.values())
    table = Table(title=f"seed benchmark: {result.info.customers:,} members, seed {result.info.seed}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in sorted(rows.items(), key=lambda item: -item[1]):
        table.add_row(name, f"{count:,}")
    table.add_row("[bold]total[/]", f"[bold]{total:,}[/]")
    console.print(table)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    console.print(
        f"seconds           {seconds:8.1f}  (generate {stages.get('generating', 0):.1f}, "
        f"write {stages.get('writing', 0):.1f}; CPU {usage.ru_utime + usage.ru_stime:.1f}, "
        "which other load on the machine does not inflate)"
    )
    console.print(
        f"rows per second   {total / seconds:10,.0f}  (writing alone: "
        f"{total / max(stages.get('writing', seconds), 1e-9):,.0f})"
    )
    console.print(f"peak memory       {peak_mb:8.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--months", type=int)
    parser.add_argument(
        "--population", type=Path, default=PACKAGE_ROOT / "tools" / "world" / "default_population.toml"
    )
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary directory)")
    args = parser.parse_args()
    configure_logging("warning")
    console = Console()
    with tempfile.TemporaryDirectory(prefix="seed-bench-") as scratch:
        url = args.db or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        clock = StageClock()
        started = time.perf_counter()
        try:
            population = load_population(args.population)
            request = WorldRequest(
                population,
                args.customers,
                args.seed,
                args.months or population.world.months,
                population.world.end_date,
            )
            result = asyncio.run(
                seed_world(
                    url,
                    Path(scratch) / "truth",
                    request,
                    population_name=population.world.name,
                    reset=True,
                    progress=clock,
                )
            )
        except LoyaltyError as exc:
            Console(stderr=True).print(f"[bold red]error:[/] {exc}")
            return 2
        clock.finish()
        _report(console, result, time.perf_counter() - started, clock.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
