"""Event latency benchmark: event in → trigger fired → a worker decides through the agent team →
outbox row queued, at 1, 4 and 16 concurrent workers (local model, in-memory MCP).

    python -P benchmarks/event_latency.py                                # seeds 20,000 members (not timed)
    python -P benchmarks/event_latency.py --db sqlite+aiosqlite:///w.db  # a seeded world, copied first
    python -P benchmarks/event_latency.py --events 300 --workers 1 4 16 --wave 16

For each worker count a fresh stream of cart adds, for members not used before, arrives in waves.
Each wave is ingested (`ingest_events`), then the cart-abandonment rule is evaluated
(`run_due_triggers`), and the triggers it queued are decided by N workers: asyncio tasks that claim
members from the trigger queue and decide each through the team, as `loyalty.runtime.worker`
does. The next wave arrives once fewer than a wave's worth of triggers are waiting, so the
pipeline runs at the rate it can sustain, not at an arrival rate that would only grow a queue.

The cart adds are dated 61 minutes back: the rule's deliberate 60-minute wait ("abandoned") is
business policy, not processing, so it is left out. An event's latency runs from the start of its
wave's ingestion to the end of the decision its trigger led to; when that decision was a send, the
outbox row was committed before the decision returned. Members in the holdout group get no
trigger and no decision (counted as `control`). Printed per worker count: latency p50 / p99 for
every decision and for sends, events per second sustained (events decided / wall time from the
first ingestion to the last decision), and SQL statements per event.
"""

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from agents.team import Team, local_model
from loyalty.logs import configure_logging
from loyalty.runtime.worker import LEASE, WorkReport, decide_claimed
from loyalty.settings import PACKAGE_ROOT, load_settings
from loyalty.wiring import Product, open_agents, open_product
from tools.events.ingest import ingest_events
from tools.progress import Silent
from tools.storage.models import Customer
from tools.storage.models import Product as CatalogueProduct
from tools.storage.runtime import QueuedTrigger
from tools.storage.statements import counting
from tools.triggers.queue import claim
from tools.triggers.rules import TriggerRules, load_trigger_rules
from tools.triggers.schedule import run_due_triggers
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world

RULE = "cart_abandoned"
IDLE_POLL = 0.005  # seconds a worker waits when the queue is empty: small next to a decision


@dataclass
class Stream:
    """One run's bookkeeping: when each member's event arrived, and how its decision ended."""

    arrived: dict[int, float] = field(default_factory=dict)  # member -> wave ingestion start
    decided: dict[int, tuple[float, str]] = field(default_factory=dict)  # member -> (end, outcome)
    enqueued: int = 0  # triggers a worker will decide
    control: int = 0  # holdout members: triggered, never decided
    waves: int = 0
    statements: int = 0
    producing: bool = True

    def waiting(self) -> int:
        return self.enqueued - len(self.decided)


@dataclass(frozen=True)
class Result:
    workers: int
    events: int
    stream: Stream
    started: float
    finished: float


async def produce(
    product: Product,
    rules: TriggerRules,
    members: list[int],
    skus: list[str],
    now: datetime,
    wave: int,
    stream: Stream,
    rng: np.random.Generator,
) -> None:
    at = (now - timedelta(minutes=61)).isoformat()
    for start in range(0, len(members), wave):
        while stream.waiting() >= wave:  # back-pressure: the workers set the pace
            await asyncio.sleep(IDLE_POLL)
        chunk = members[start : start + wave]
        events = [
            {
                "type": "cart_add",
                "customer_id": m,
                "sku": skus[int(rng.integers(len(skus)))],
                "occurred_at": at,
                "idempotency_key": f"latency-{m}",
            }
            for m in chunk
        ]
        began = time.perf_counter()
        for member in chunk:
            stream.arrived[member] = began
        report = await ingest_events(product.db, events, now=now)
        if report.accepted != len(chunk):
            raise RuntimeError(f"ingestion refused part of a wave: {report.reject_counts}")
        fired = await run_due_triggers(product.db, now, rules=rules, force=True)
        # Control members are queued as already skipped: no worker will decide them.
        stream.control += sum(r.control for r in fired.runs)
        stream.enqueued += sum(r.enqueued - r.control for r in fired.runs)
        stream.waves += 1
    stream.producing = False


async def work(product: Product, team: Team, index: int, now: datetime, stream: Stream) -> None:
    worker_id = f"latency-worker-{index}"
    while stream.producing or stream.waiting() > 0:
        claimed = await claim(product.db, worker_id, limit=1, now=now, lease=LEASE)
        if not claimed:
            await asyncio.sleep(IDLE_POLL)
            continue
        report = WorkReport()
        await decide_claimed(product.db, team, worker_id, claimed, lambda: now, report)
        ended = time.perf_counter()
        outcome = next(iter(report.outcomes), "failed")
        for trigger in claimed:
            stream.decided[trigger.customer_id] = (ended, outcome)


async def run_once(
    product: Product,
    team: Team,
    rules: TriggerRules,
    workers: int,
    members: list[int],
    skus: list[str],
    now: datetime,
    wave: int,
    seed: int,
) -> Result:
    stream = Stream()
    started = time.perf_counter()
    with counting(product.db) as statements:
        await asyncio.gather(
            produce(product, rules, members, skus, now, wave, stream, np.random.default_rng(seed)),
            *(work(product, team, i, now, stream) for i in range(workers)),
        )
    stream.statements = len(statements)
    finished = max((end for end, _ in stream.decided.values()), default=time.perf_counter())
    return Result(workers, len(members), stream, started, finished)


async def bench(url: str, args: argparse.Namespace, now: datetime, console: Console) -> list[Result]:
    rules = TriggerRules(rules=tuple(r for r in load_trigger_rules().enabled if r.name == RULE))
    async with open_product(
        load_settings(db_url=url, models_dir=args.models_dir), clock=lambda: now
    ) as product:
        started = time.perf_counter()
        await product.profiles.models(now.replace(tzinfo=None))
        console.print(f"profile models ready in {time.perf_counter() - started:.1f} s (not timed below)")
        # Carts already abandoned in the seeded world fire on the first evaluation: set them aside.
        await run_due_triggers(product.db, now, rules=rules, force=True)
        async with product.db.session() as session, session.begin():
            await session.execute(
                update(QueuedTrigger).where(QueuedTrigger.status == "pending").values(status="skipped")
            )
            ids = list((await session.scalars(select(Customer.id).order_by(Customer.id))).all())
            skus = list(
                (await session.scalars(select(CatalogueProduct.sku).order_by(CatalogueProduct.id))).all()
            )
        chosen = np.random.default_rng(args.seed).choice(
            ids, size=args.events * len(args.workers), replace=False
        )
        results = []
        async with open_agents(product, local_model()) as team:
            for n, workers in enumerate(args.workers):
                members = [int(m) for m in chosen[n * args.events : (n + 1) * args.events]]
                results.append(
                    await run_once(
                        product, team, rules, workers, members, skus, now, args.wave, args.seed + n
                    )
                )
    return results


def report(console: Console, results: list[Result], world: str) -> None:
    table = Table(title=f"event → queued send latency ({world}; local model, in-memory MCP)")
    for column in (
        "workers",
        "events",
        "decided",
        "sent",
        "control",
        "p50 ms",
        "p99 ms",
        "sent p50 ms",
        "sent p99 ms",
        "events/s",
        "SQL / event",
    ):
        table.add_column(column, justify="right")
    for r in results:
        s = r.stream
        latency = np.array([(end - s.arrived[m]) * 1000 for m, (end, _) in s.decided.items()])
        sent = np.array(
            [(end - s.arrived[m]) * 1000 for m, (end, outcome) in s.decided.items() if outcome == "sent"]
        )

        def pct(values: np.ndarray, q: int) -> str:
            return f"{np.percentile(values, q):,.0f}" if len(values) else "-"

        wall = r.finished - r.started
        table.add_row(
            str(r.workers),
            f"{r.events:,}",
            f"{len(s.decided):,}",
            f"{len(sent):,}",
            f"{s.control:,}",
            pct(latency, 50),
            pct(latency, 99),
            pct(sent, 50),
            pct(sent, 99),
            f"{r.events / wall:,.1f}",
            f"{s.statements / r.events:,.0f}",
        )
    console.print(table)
    for r in results:
        outcomes = Counter(outcome for _, outcome in r.stream.decided.values())
        console.print(
            f"{r.workers} worker(s): {r.stream.waves} waves in {r.finished - r.started:.1f} s; outcomes "
            + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())),
            highlight=False,
        )


async def seed(url: str, members: int, scratch: Path) -> None:
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    request = WorldRequest(population, members, 7, population.world.months, population.world.end_date)
    await seed_world(
        url, scratch / "truth", request, population_name=population.world.name, reset=True, progress=Silent()
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=20_000, help="world size when seeding")
    parser.add_argument("--db", help="an already seeded world (copied first)")
    parser.add_argument(
        "--models-dir", type=Path, help="fitted profile models for --db (fitted when missing)"
    )
    parser.add_argument("--events", type=int, default=200, help="events per worker count")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--wave", type=int, default=16, help="events ingested together")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if args.events < 1 or args.wave < 1 or min(args.workers) < 1:
        parser.error("--events, --wave and --workers must be positive")
    configure_logging("warning")
    console = Console(width=140)
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    end = population.world.end_date
    now = datetime(end.year, end.month, end.day, 9, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="event-latency-") as scratch:
        work_dir = Path(scratch)
        url = f"sqlite+aiosqlite:///{work_dir / 'bench.db'}"
        if args.db is None:
            console.print(f"seeding {args.members:,} members (not timed)…")
            asyncio.run(seed(url, args.members, work_dir))
        else:
            shutil.copy(Path(make_url(args.db).database or ""), work_dir / "bench.db")
        results = asyncio.run(bench(url, args, now, console))
        world = f"{args.members:,}-member world" if args.db is None else Path(args.db).name
    report(console, results, world)
    return 0


if __name__ == "__main__":
    sys.exit(main())
