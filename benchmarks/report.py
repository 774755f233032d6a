"""Report benchmark: build `loyalty report`'s content on a seeded world, counting SQL statements.

    python -P benchmarks/report.py --customers 20000            # seeds a fresh SQLite file first
    python -P benchmarks/report.py --db sqlite+aiosqlite:///loyalty.db --until 2026-06-01

On a fresh seed, the shipped trigger rules are run once at the end of the history so the holdout
comparison has eligible members in both arms. The statement count is the point: it must not grow
with members (set-based queries, no query per member). Wall time on a shared machine also
measures its neighbours; CPU seconds are printed beside it.
"""

import argparse
import asyncio
import resource
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from loyalty.logs import configure_logging
from loyalty.settings import PACKAGE_ROOT
from tools.progress import Silent
from tools.reporting.alerts import load_rules
from tools.reporting.period import Period
from tools.reporting.period_report import build_report
from tools.storage.db import database
from tools.storage.statements import counting
from tools.triggers.schedule import run_due_triggers
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world


async def measure(url: str, period: Period, fresh: bool) -> None:
    store = database(url)
    try:
        if fresh:
            started = time.perf_counter()
            queued = await run_due_triggers(store, period.until - timedelta(days=1), force=True)
            print(
                f"triggers queued   {sum(r.enqueued for r in queued.runs):,} "
                f"({sum(r.control for r in queued.runs):,} held out) in {time.perf_counter() - started:.1f} s"
            )
        cpu = time.process_time()
        started = time.perf_counter()
        with counting(store) as statements:
            report = await build_report(store, period, load_rules())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await store.dispose()
    everything = report.kpis[-1]
    eligible = sum(u.eligible_treatment + u.holdout for u in report.lift)
    print(f"period            {period.label()}")
    print(f"orders, messages  {everything.orders:,}, {everything.contacts:,}")
    print(f"eligible members  {eligible:,} over {len(report.lift)} use cases")
    print(
        f"alerts            {len(report.alerts)}: {', '.join(f'{a.rule} {a.group}' for a in report.alerts)}"
    )
    print(f"SQL statements    {len(statements)}")
    print(f"seconds           {seconds:.2f} wall, {cpu:.2f} CPU (this process)")
    print(f"peak memory       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--db", help="report on this database instead of seeding one")
    parser.add_argument("--until", help="end of the 30-day period (default: the end of the seeded history)")
    args = parser.parse_args()
    configure_logging("error")
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    end = population.world.end_date + timedelta(days=1)
    until = datetime.fromisoformat(args.until) if args.until else datetime(end.year, end.month, end.day)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.db
        if url is None:
            url = f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
            request = WorldRequest(
                population, args.customers, 1, population.world.months, population.world.end_date
            )
            started = time.perf_counter()
            asyncio.run(
                seed_world(
                    url,
                    Path(scratch) / "truth",
                    request,
                    population_name="default",
                    reset=False,
                    progress=Silent(),
                )
            )
            print(f"seeded            {args.customers:,} members in {time.perf_counter() - started:.0f} s")
        asyncio.run(measure(url, Period.ending(until), fresh=args.db is None))


if __name__ == "__main__":
    main()
