"""Decision benchmark: one trigger → orchestrator → specialist → guard → channels, in process.

    python -P benchmarks/decision.py --customers 50000 --decisions 200 --world /tmp/bench-50k.db

Seeds a world (or reuses `--db`), fits the profile models once, then decides `--decisions`
triggers (reactivation and upsell, alternating) with the local model and in-memory MCP, as the
real-time path does: no batch priming, one profile computation per member per decision. Prints
latency percentiles for every decision and for those that ended in an approved send, and the
model calls and tool calls per decision.

With `--world FILE` the seeded SQLite world is kept in FILE (seeded on the first run, its fitted
models beside it) and every run decides on a fresh copy of it, so runs start from the same state
(earlier runs' sends would otherwise hit contact caps and budgets).
"""

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from agents.team import local_model
from loyalty.logs import configure_logging
from loyalty.settings import PACKAGE_ROOT, load_settings
from loyalty.wiring import open_agents, open_product
from tools.importers.progress import Silent
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world


async def main(customers: int, decisions: int, db_url: str | None, world: Path | None) -> None:
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    end = population.world.end_date
    models_dir = None
    if db_url is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-decision-"))
        template = world or folder / "bench.db"
        if not template.exists():
            request = WorldRequest(population, customers, 7, 12, end)
            await seed_world(f"sqlite+aiosqlite:///{template}", template.with_suffix(".truth"), request,
                             population_name="default", reset=True, progress=Silent())
        if world is not None:
            shutil.copyfile(template, folder / "bench.db")
            models_dir = template.with_suffix(".models")
        db_url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    now = datetime(end.year, end.month, end.day, 9, tzinfo=UTC)
    async with open_product(load_settings(db_url=db_url, models_dir=models_dir), clock=lambda: now) as product:
        started = time.perf_counter()
        await product.profiles.models(now.replace(tzinfo=None))
        fit_seconds = time.perf_counter() - started
        async with open_agents(product, local_model()) as team:
            rng = np.random.default_rng(3)
            members = rng.choice(np.arange(1, customers + 1), size=decisions, replace=False)
            rows = []
            for i, member in enumerate(members.tolist()):
                use_case = "reactivation" if i % 2 == 0 else "upsell"
                product.profiles.forget(member)
                t = time.perf_counter()
                result = await team.handle(json.dumps({"customer_id": member, "use_case": use_case}))
                rows.append((time.perf_counter() - t, json.loads(result.output).get("decision"),
                             result.usage.requests, result.usage.tool_calls))
    table = Table(title=f"{decisions} decisions on {customers:,} members (local model, in-memory MCP)")
    for column in ("decisions", "n", "p50 ms", "p90 ms", "p99 ms", "model calls", "tool calls"):
        table.add_column(column, justify="right")
    for label, subset in (("all", rows), ("sent", [r for r in rows if r[1] == "sent"])):
        if not subset:
            continue
        latency = np.array([r[0] for r in subset]) * 1000
        table.add_row(label, str(len(subset)), *(f"{np.percentile(latency, q):.0f}" for q in (50, 90, 99)),
                      f"{np.mean([r[2] for r in subset]):.1f}", f"{np.mean([r[3] for r in subset]):.1f}")
    console = Console()
    console.print(table)
    console.print(f"model fit: {fit_seconds:.1f} s; outcomes: "
                  + ", ".join(f"{k} {sum(1 for r in rows if r[1] == k)}" for k in sorted({r[1] for r in rows})))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--db", default=None, help="an already seeded database, decided on in place")
    parser.add_argument("--world", type=Path, default=None,
                        help="a SQLite file kept between runs: seeded if missing, each run works on a copy")
    args = parser.parse_args()
    configure_logging("warning", "json")
    asyncio.run(main(args.customers, args.decisions, args.db, args.world))
