"""Events benchmark: ingestion throughput, and trigger evaluation time over a member base.

    python benchmarks/events.py                                  # 100,000 events, 50,000 members, SQLite
    python benchmarks/events.py --events 200000 --members 50000
    python benchmarks/events.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/bench   # drops every table!

The world is minimal and synthetic (members, a catalogue, a year of orders with a rhythm per
member, live competitor promotions), written with `bulk_insert`. The events mix views, cart adds,
checkouts, purchases and searches over the last three days, with 1% invalid and 1% repeated.
Ingestion is timed twice: from Python dicts, and from JSON Lines text (parsing included).
Triggers are timed per rule, twice: the first run queues what fired, the second (what a
scheduler tick costs in steady state) finds it all queued already.
"""

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import structlog
from rich.console import Console
from rich.table import Table

from tools.events.ingest import IngestReport, ingest_events, ingest_jsonl
from tools.storage.bulk import bulk_insert
from tools.storage.db import Database, database, drop_schema, init_schema
from tools.storage.models import Category, CompetitorSignal, Customer, Order, OrderLine, Product
from tools.triggers.evaluate import ExpectedPurchase, ReplenishmentSource
from tools.triggers.rules import TriggerRules, load_trigger_rules
from tools.triggers.schedule import run_due_triggers

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NAIVE_NOW = NOW.replace(tzinfo=None)
CATEGORIES = 40
PRODUCTS = 800
EVENT_MIX = {
    "view": 0.6,
    "cart_add": 0.15,
    "checkout_start": 0.05,
    "purchase": 0.1,
    "search": 0.05,
    "app_open": 0.05,
}


async def build_world(db: Database, members: int, rng: np.random.Generator) -> int:
    """Members, catalogue, a year of orders and three live promotions; returns the order count."""
    ids = np.arange(1, members + 1)
    async with db.engine.begin() as conn:
        await bulk_insert(
            conn,
            Category.__table__,
            {
                "id": np.arange(1, CATEGORIES + 1),
                "name": [f"category {i}" for i in range(1, CATEGORIES + 1)],
                "department": [f"dept {i % 8}" for i in range(1, CATEGORIES + 1)],
            },
        )
        await bulk_insert(
            conn,
            Product.__table__,
            {
                "id": np.arange(1, PRODUCTS + 1),
                "sku": [f"SKU{i}" for i in range(1, PRODUCTS + 1)],
                "name": [f"product {i}" for i in range(1, PRODUCTS + 1)],
                "category_id": (np.arange(PRODUCTS) % CATEGORIES) + 1,
                "price": np.full(PRODUCTS, 25.0),
                "unit_cost": np.full(PRODUCTS, 10.0),
                "season": ["all"] * PRODUCTS,
                "is_consumable": np.zeros(PRODUCTS, bool),
                "full_price_only": np.zeros(PRODUCTS, bool),
            },
        )
        await bulk_insert(
            conn,
            Customer.__table__,
            {
                "id": ids,
                "external_id": [f"M{i}" for i in ids],
                "first_name": ["Sam"] * members,
                "last_name": ["Lee"] * members,
                "locale": ["en-AU"] * members,
                "time_zone": ["UTC"] * members,
                "quiet_start_hour": np.full(members, 21),
                "quiet_end_hour": np.full(members, 8),
                "joined_at": np.full(members, np.datetime64(NAIVE_NOW - timedelta(days=800), "us")),
            },
        )
        # Each member buys on a rhythm of their own (7 to 60 days), and some have drifted away.
        gap = rng.integers(7, 61, members)
        count = rng.integers(2, 13, members)
        idle = (gap * rng.uniform(0.1, 3.0, members)).astype(int)
        owner = np.repeat(ids, count)
        k = np.concatenate([np.arange(c) for c in count])
        days_ago = np.repeat(idle, count) + k * np.repeat(gap, count)
        keep = days_ago < 365
        owner, days_ago = owner[keep], days_ago[keep]
        n = len(owner)
        placed = np.datetime64(NAIVE_NOW, "us") - days_ago.astype("timedelta64[D]").astype("timedelta64[us]")
        amount = np.round(rng.uniform(10, 150, n), 2)
        await bulk_insert(
            conn,
            Order.__table__,
            {
                "id": np.arange(1, n + 1),
                "external_id": [f"O{i}" for i in range(1, n + 1)],
                "customer_id": owner,
                "placed_at": placed,
                "channel": ["online"] * n,
                "subtotal": amount,
                "discount_total": np.zeros(n),
                "total": amount,
            },
        )
        await bulk_insert(
            conn,
            OrderLine.__table__,
            {
                "id": np.arange(1, n + 1),
                "order_id": np.arange(1, n + 1),
                "product_id": rng.integers(1, PRODUCTS + 1, n),
                "quantity": np.ones(n, int),
                "unit_price": amount,
                "unit_cost": np.round(amount * 0.4, 2),
                "discount": np.zeros(n),
            },
        )
        await bulk_insert(
            conn,
            CompetitorSignal.__table__,
            {
                "id": np.arange(1, 4),
                "competitor": ["Rival"] * 3,
                "category_id": np.array([1, 2, 3]),
                "discount_pct": np.array([20.0, 15.0, 30.0]),
                "starts_at": np.full(3, np.datetime64(NAIVE_NOW - timedelta(days=1), "us")),
                "ends_at": np.full(3, np.datetime64(NAIVE_NOW + timedelta(days=5), "us")),
            },
        )
    return n


def make_events(count: int, members: int, rng: np.random.Generator, prefix: str) -> list[dict[str, Any]]:
    kinds = rng.choice(list(EVENT_MIX), count, p=list(EVENT_MIX.values()))
    who = rng.integers(1, members + 1, count)
    product = rng.integers(1, PRODUCTS + 1, count)
    seconds_ago = rng.integers(60, 3 * 86_400, count)
    events: list[dict[str, Any]] = []
    for i in range(count):
        kind = str(kinds[i])
        record: dict[str, Any] = {
            "idempotency_key": f"{prefix}-{i}",
            "type": kind,
            "customer_external_id": f"M{who[i]}",
            "occurred_at": (NOW - timedelta(seconds=int(seconds_ago[i]))).isoformat(),
        }
        if kind in ("view", "cart_add"):
            record["sku"] = f"SKU{product[i]}"
        elif kind == "purchase":
            record["value"] = 42.5
            record["product_id"] = int(product[i])
        elif kind == "search":
            record["query"] = "running shoes"
        events.append(record)
    for i in range(0, count, 100):  # 1% invalid: no time zone
        events[i]["occurred_at"] = events[i]["occurred_at"][:19]
    for i in range(50, count, 100):  # 1% sent twice
        events[i] = dict(events[i - 1])
    return events


def replenishment(members: int, rng: np.random.Generator) -> ReplenishmentSource:
    """Expected next purchases for a fifth of the members, within a fortnight either side of now."""
    chosen = rng.choice(np.arange(1, members + 1), members // 5, replace=False)
    offsets = rng.integers(-14, 15, len(chosen))
    category = rng.integers(1, CATEGORIES + 1, len(chosen))
    expected = [
        ExpectedPurchase(
            customer_id=int(m), category_id=int(c), expected_on=NOW.date() + timedelta(days=int(o))
        )
        for m, c, o in zip(chosen, category, offsets, strict=True)
    ]

    async def source(_now: datetime) -> list[ExpectedPurchase]:
        return expected

    return source


async def timed(work: Coroutine[Any, Any, Any]) -> tuple[Any, float, float]:
    """The result, wall seconds and process CPU seconds. On SQLite the CPU figure includes the
    database (it runs in the driver's thread), so it holds up on a machine busy with other work."""
    started, cpu = time.perf_counter(), time.process_time()
    result = await work
    return result, time.perf_counter() - started, time.process_time() - cpu


async def main(args: argparse.Namespace) -> None:
    console = Console(width=120)
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        db = database(url)
        try:
            await drop_schema(db)
            await init_schema(db)
            orders, seconds, _ = await timed(build_world(db, args.members, rng))
            console.print(
                f"world: {args.members:,} members, {orders:,} orders in {seconds:.1f} s ({db.dialect})"
            )

            ingest = Table(
                "ingestion", "events", "accepted", "dupes", "rejected", "wall s", "ev/s", "CPU s", "ev/CPU s"
            )
            records = make_events(args.events, args.members, rng, "py")
            report, seconds, cpu = await timed(ingest_events(db, records, now=NOW))
            ingest.add_row("python dicts", *_ingest_row(report, seconds, cpu))
            lines = [json.dumps(r) for r in make_events(args.events, args.members, rng, "jl")]
            report, seconds, cpu = await timed(ingest_jsonl(db, lines, now=NOW))
            ingest.add_row("JSON Lines", *_ingest_row(report, seconds, cpu))
            console.print(ingest)

            await _time_triggers(
                console, db, load_trigger_rules(), replenishment(args.members, rng), args.members
            )
        finally:
            await db.dispose()


def _ingest_row(report: IngestReport, seconds: float, cpu: float) -> list[str]:
    return [
        f"{report.received:,}",
        f"{report.accepted:,}",
        f"{report.duplicates:,}",
        f"{report.rejected:,}",
        f"{seconds:.2f}",
        f"{report.received / seconds:,.0f}",
        f"{cpu:.2f}",
        f"{report.received / cpu:,.0f}",
    ]


async def _time_triggers(
    console: Console,
    db: Database,
    rules: TriggerRules,
    source: ReplenishmentSource,
    members: int,
) -> None:
    table = Table(f"trigger rule ({members:,} members)", "fired", "first run s (CPU)", "re-run s (CPU)")
    totals = [0.0, 0.0, 0.0, 0.0]
    for rule in rules.enabled:
        one = TriggerRules(rules=(rule,))
        first, first_s, first_cpu = await timed(
            run_due_triggers(db, NOW, rules=one, replenishment=source, force=True)
        )
        _, again_s, again_cpu = await timed(
            run_due_triggers(db, NOW, rules=one, replenishment=source, force=True)
        )
        totals = [t + x for t, x in zip(totals, (first_s, first_cpu, again_s, again_cpu), strict=True)]
        table.add_row(
            rule.name,
            f"{first.enqueued:,}",
            f"{first_s:.2f} ({first_cpu:.2f})",
            f"{again_s:.2f} ({again_cpu:.2f})",
        )
    table.add_row(
        "all rules",
        "",
        f"{totals[0]:.2f} ({totals[1]:.2f})",
        f"{totals[2]:.2f} ({totals[3]:.2f})",
        style="bold",
    )
    console.print(table)
    # What the scheduler pays a minute later, when only the minute-paced rules are due.
    tick, seconds, cpu = await timed(
        run_due_triggers(db, NOW + timedelta(minutes=1), rules=rules, replenishment=source)
    )
    console.print(
        f"scheduler tick one minute later: {seconds:.2f} s, CPU {cpu:.2f} s "
        f"({', '.join(run.rule for run in tick.runs)} due)",
        highlight=False,
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db", help="database URL (every table is dropped first); default a temporary SQLite file"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(main(parse_args(sys.argv[1:])))
