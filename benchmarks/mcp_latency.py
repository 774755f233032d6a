"""MCP servers benchmark: latency of the calls the agents make most, on a seeded world.

    python benchmarks/mcp_latency.py --customers 50000                     # seed a fresh SQLite world
    python benchmarks/mcp_latency.py --db /tmp/bench/world.db               # reuse a world seeded before
    python benchmarks/mcp_latency.py --db /tmp/bench/world.db --profile     # and show where the time goes

Seeds a world (or reuses the one at --db), fits the profile models once (saved beside the database,
reused next time), then times, each over distinct members so no answer is served from a cache:

- `get_member_profile` through an in-memory MCP client (target p50 <= 5 ms);
- the same call over stdio to a `python -m mcp_servers.customer_data` subprocess, the round trip
  a Claude Desktop user sees (target p50 <= 10 ms);
- `score_candidate_actions` through an in-memory client (target p50 <= 20 ms).

In-memory clients are the agents', in the decision worker's process: its SQLite statements run on
the event loop's thread, as `loyalty worker` runs them (`--threaded`: on their connection's
thread, as a server process does). The stdio rows are a server process's.

The headline rows are cold (p50 / p95 / p99): every call a member not seen before, so the profile is
computed from the database. Each is also timed warm: the member's profile already computed for this
moment (the per-moment profile cache a decision shares between its steps). In-memory rows also show
CPU time and SQL statements per call; `--profile` adds the cold profile's steps with their SQL
statements, and cProfile. The stdio subprocess runs on the real clock (it has no clock setting), the
in-process servers on a fixed clock inside the world's last day.

Then the same cold calls as a served server answers them (setting `profile_frame_refresh`, on by
default), which computes a profile from the records only for a member active in the last few
seconds:

- once a whole-base frame is fresh: a member with nothing dated since the frame's moment is served
  their row of it after one statement (`ProfileService.profile`). A served customer-data server
  builds that frame on start and rebuilds it as it ages; in-memory, `list_segments` builds it, and
  the clock moves five minutes past it first, so that statement runs as it would in a live server;
- `score_candidate_actions` on members with nothing dated since that frame;
- members active since that frame (a view each, a minute before the clock): one catch-up pass
  (`ProfileService.catch_up`, every 10 s in a served server) computes their profiles set-based,
  and each is then served from that small frame after one statement.

The first stdio rows run with the setting off: every profile computed from the member's records.

On a shared machine wall time can be several times CPU time, whatever the process's nice value:
with autogroup scheduling every terminal session gets an equal share. For figures close to an
idle machine's, raise the session's share for the run (Linux, as root):

    bash -c 'echo -15 > /proc/self/autogroup && exec python benchmarks/mcp_latency.py --db ...'
"""

import sys
from pathlib import Path

# This file is named like the package it measures: run as a script, its directory would shadow it.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mcp import Client, StdioServerParameters
from rich.console import Console
from rich.table import Table
from sqlalchemy import delete, event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from loyalty.logs import configure_logging
from loyalty.settings import PACKAGE_ROOT, Settings
from loyalty.wiring import Product, open_product
from mcp_servers.registry import SERVERS
from tools.events.ingest import ingest_events
from tools.profiles.frame import build_frame
from tools.profiles.service import open_profiles
from tools.progress import Silent
from tools.storage.db import database
from tools.storage.models import BehaviouralEvent, Customer, Order
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world

TARGETS_MS = {"profile": 5.0, "stdio": 10.0, "score": 20.0}
VIEW_KEY = "mcp-latency-benchmark-view-"  # the views `caught_up` adds, and deletes


class SqlMeter:
    """Counts the SQL statements an engine runs and the time spent in them (the wait for the
    connection's thread included)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements, self.seconds = 0, 0.0
        self._started: list[float] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, *_: Any) -> None:
        self.statements += 1
        self.seconds += time.perf_counter() - self._started.pop()


@dataclass
class Timing:
    name: str
    wall_ms: list[float]
    cpu_ms: list[float] | None = None
    target_ms: float | None = None
    sql_statements: float | None = None  # per call
    sql_ms: float | None = None  # per call, mean

    def p(self, q: float, values: list[float] | None = None) -> float:
        data = sorted(values if values is not None else self.wall_ms)
        return data[min(len(data) - 1, round(q * (len(data) - 1)))]


async def timed(
    name: str,
    calls: list[Callable[[], Awaitable[Any]]],
    target: float | None = None,
    meter: SqlMeter | None = None,
    warmup: int = 5,
) -> Timing:
    for call in calls[:warmup]:
        await call()
    wall, cpu = [], []
    statements, sql_seconds = (meter.statements, meter.seconds) if meter else (0, 0.0)
    for call in calls[warmup:]:
        c0, t0 = time.process_time(), time.perf_counter()
        result = await call()
        t1, c1 = time.perf_counter(), time.process_time()
        if getattr(result, "is_error", False):
            raise RuntimeError(f"{name}: {result.content[0].text}")
        wall.append((t1 - t0) * 1000)
        cpu.append((c1 - c0) * 1000)
    timing = Timing(name, wall, cpu, target)
    if meter is not None:
        timing.sql_statements = (meter.statements - statements) / len(wall)
        timing.sql_ms = (meter.seconds - sql_seconds) * 1000 / len(wall)
    return timing


async def prepare(db_path: Path, customers: int, seed: int, console: Console) -> tuple[str, datetime]:
    """Seed the world unless one is there; fit the profile models unless they are; the fixed clock."""
    url = f"sqlite+aiosqlite:///{db_path}"
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    if not db_path.exists():
        console.print(f"seeding {customers:,} members into {db_path} ...")
        started = time.perf_counter()
        request = WorldRequest(
            population, customers, seed, population.world.months, population.world.end_date
        )
        await seed_world(
            url,
            db_path.parent / "truth",
            request,
            population_name=population.world.name,
            reset=True,
            progress=Silent(),
        )
        console.print(f"  seeded in {time.perf_counter() - started:.0f} s")
    db = database(url)
    try:
        async with db.session() as s:
            members = int(await s.scalar(select(func.count()).select_from(Customer)) or 0)
            newest = await s.scalar(select(func.max(Order.placed_at)))
        if newest is None:
            raise SystemExit(f"{db_path} has no orders: not a seeded world")
        now = newest.replace(
            hour=9, minute=0, second=0, microsecond=0, tzinfo=UTC
        )  # inside the world's last day
        profiles = open_profiles(db, models_dir=models_dir(db_path))
        if not profiles.store.available():
            console.print(f"fitting profile models on {members:,} members ...")
            started = time.perf_counter()
            await profiles.models(now.replace(tzinfo=None))
            console.print(f"  fitted in {time.perf_counter() - started:.0f} s")
    finally:
        await db.dispose()
    console.print(f"world: {members:,} members, clock {now:%Y-%m-%d %H:%M} UTC")
    return url, now


def models_dir(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}-models"


async def measure(
    url: str, db_path: Path, now: datetime, calls: int, profile: bool, threaded: bool, console: Console
) -> list[Timing]:
    settings = Settings(db_url=url, models_dir=models_dir(db_path))
    rng = random.Random(7)
    clock = [now]
    async with open_product(settings, clock=lambda: clock[0], sqlite_inline=not threaded) as product:
        async with product.db.session() as s:
            ids = list(
                (
                    await s.scalars(select(Customer.id).where(Customer.joined_at <= now.replace(tzinfo=None)))
                ).all()
            )
        # every measurement below takes fresh members: 7 x (calls + 5), and 2 x 100 more with --profile
        members = iter(rng.sample(ids, min(len(ids), 7 * (calls + 5) + 2 * min(calls, 100))))
        meter = SqlMeter(product.db.engine)
        _, build_customer_data = SERVERS["customer-data"]
        _, build_offers = SERVERS["offers-inventory"]
        timings = []
        async with (
            Client(build_customer_data(product.deps, None)) as data,
            Client(build_offers(product.deps, None)) as offers,
        ):

            def profile_call(member: int) -> Callable[[], Awaitable[Any]]:
                return lambda: data.call_tool("get_member_profile", {"customer_id": member})

            def score_call(member: int) -> Callable[[], Awaitable[Any]]:
                return lambda: offers.call_tool(
                    "score_candidate_actions", {"customer_id": member, "use_case": "reactivation"}
                )

            profiled = [next(members) for _ in range(calls + 5)]
            timings.append(
                await timed(
                    "get_member_profile, in-memory",
                    [profile_call(m) for m in profiled],
                    TARGETS_MS["profile"],
                    meter,
                )
            )
            timings.append(
                await timed("  warm: profile cached", [profile_call(m) for m in profiled], meter=meter)
            )
            scored = [next(members) for _ in range(calls + 5)]
            timings.append(
                await timed(
                    "score_candidate_actions, in-memory",
                    [score_call(m) for m in scored],
                    TARGETS_MS["score"],
                    meter,
                )
            )
            timings.append(
                await timed("  warm: profile cached", [score_call(m) for m in scored], meter=meter)
            )
            timings += await from_base_frame(
                data, clock, [profile_call(next(members)) for _ in range(calls + 5)], meter
            )
            timings.append(
                await timed(
                    "score_candidate_actions, in-memory, base frame 5 min old",
                    [score_call(next(members)) for _ in range(calls + 5)],
                    TARGETS_MS["score"],
                    meter,
                )
            )
            active = [next(members) for _ in range(calls + 5)]
            timings += await caught_up(product, clock, active, [profile_call(m) for m in active], meter)
            if profile:
                await breakdown(
                    product, data, now, [next(members) for _ in range(min(calls, 100))], meter, console
                )
                console.rule("CPU by function: get_member_profile, cold (cProfile, own time)")
                await profiled_run([profile_call(next(members)) for _ in range(min(calls, 100))], console)
                console.rule("CPU by function: score_candidate_actions, warm (cProfile, own time)")
                await profiled_run([score_call(m) for m in scored[:100]], console)
        stdio_members = [next(members) for _ in range(2 * (calls + 5))]
    timings += await measure_stdio(url, db_path, stdio_members)
    return timings


async def from_base_frame(
    client: Client, clock: list[datetime], calls: list[Callable[[], Awaitable[Any]]], meter: SqlMeter | None
) -> list[Timing]:
    """Cold profiles once a whole-base frame is fresh: `list_segments` builds one (as a search or a
    campaign would), and five minutes later each profile is the member's row of it after one
    statement finds nothing of theirs dated since (see `ProfileService.profile`)."""
    started = time.perf_counter()
    await client.call_tool("list_segments", {})
    built = Timing(
        "  building the base frame (list_segments), one call", [(time.perf_counter() - started) * 1000]
    )
    clock[0] += timedelta(minutes=5)
    served = await timed(
        "get_member_profile, in-memory, base frame 5 min old", calls, TARGETS_MS["profile"], meter
    )
    return [built, served]


async def caught_up(
    product: Product,
    clock: list[datetime],
    active: list[int],
    calls: list[Callable[[], Awaitable[Any]]],
    meter: SqlMeter,
) -> list[Timing]:
    """Cold profiles of members active since the base frame: each views a product a minute before
    the clock; one `ProfileService.catch_up` computes their profiles set-based, as a served server
    does every `profile_catch_up_seconds`; ten seconds later each is served their row of that small
    frame after one statement. The views are deleted afterwards, so the world is left as it was."""
    moment = clock[0]
    views = [
        {
            "type": "view",
            "customer_id": m,
            "product_id": 1,
            "channel": "web",
            "occurred_at": (moment - timedelta(minutes=1)).isoformat(),
            "idempotency_key": f"{VIEW_KEY}{m}",
        }
        for m in active
    ]
    try:
        await ingest_events(product.db, views, now=moment)
        started = time.perf_counter()
        count = await product.profiles.catch_up()
        caught = Timing(
            f"  catching up {count} members active since the frame, one pass",
            [(time.perf_counter() - started) * 1000],
        )
        clock[0] += timedelta(seconds=10)
        served = await timed(
            "get_member_profile, in-memory, active since the frame, caught up",
            calls,
            TARGETS_MS["profile"],
            meter,
        )
    finally:
        async with product.db.engine.begin() as conn:
            await conn.execute(
                delete(BehaviouralEvent).where(BehaviouralEvent.idempotency_key.startswith(VIEW_KEY))
            )
    return [caught, served]


async def breakdown(
    product: Product, client: Client, now: datetime, members: list[int], meter: SqlMeter, console: Console
) -> None:
    """Where a cold `get_member_profile` spends its time: the steps `ProfileService.profile` takes,
    called directly (SQL statements counted per step), then what the MCP layer adds on top
    (measured on the same members once their profiles are cached, so the tool itself costs next
    to nothing)."""
    service = product.profiles
    moment = now.replace(tzinfo=None)
    names = [
        "models lookup",
        "load history",
        "features + predictions + segments",
        "profile record + validation",
        "mask + JSON",
    ]
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    statements = dict.fromkeys(names, 0)

    def mark() -> tuple[float, float, int]:
        return time.perf_counter(), time.process_time(), meter.statements

    for member in members:
        marks = [mark()]
        models = await service.models(moment)
        marks.append(mark())
        history = await service.history(moment, member)
        marks.append(mark())
        frame = build_frame(history, models, service.segments, service.stale_after)
        marks.append(mark())
        found = frame.profile(0)
        marks.append(mark())
        found.masked().model_dump_json()
        marks.append(mark())
        for i, name in enumerate(names):
            wall[name].append((marks[i + 1][0] - marks[i][0]) * 1000)
            cpu[name].append((marks[i + 1][1] - marks[i][1]) * 1000)
            statements[name] += marks[i + 1][2] - marks[i][2]
    names = [
        f"{name} ({statements[name] / len(members):g} SQL)" if statements[name] else name for name in names
    ]
    wall, cpu = dict(zip(names, wall.values(), strict=True)), dict(zip(names, cpu.values(), strict=True))
    mcp_rows = ["MCP in-memory call on top (tool cost ~0)", "  of which client output-schema validation"]
    for name in mcp_rows:
        wall[name], cpu[name] = [], []
    for member in members:
        await service.profile(member, now)  # cached for this moment from here on
        t0 = mark()
        result = await client.call_tool("get_member_profile", {"customer_id": member})
        t1 = mark()
        await client.session.validate_tool_result("get_member_profile", result)
        t2 = mark()
        for name, (a, b) in zip(mcp_rows, ((t0, t1), (t1, t2)), strict=True):
            wall[name].append((b[0] - a[0]) * 1000)
            cpu[name].append((b[1] - a[1]) * 1000)
    table = Table(title=f"get_member_profile, cold, step by step ({len(members)} members; p50)")
    for column in ("step", "wall ms", "CPU ms"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for name in wall:
        table.add_row(name, f"{statistics.median(wall[name]):.2f}", f"{statistics.median(cpu[name]):.2f}")
    console.print(table)


def stdio_server(url: str, db_path: Path, *, frame_refresh: bool) -> StdioServerParameters:
    env = {
        "LOYALTY_DB_URL": url,
        "LOYALTY_MODELS_DIR": str(models_dir(db_path)),
        "LOYALTY_LOG_LEVEL": "warning",
        "LOYALTY_PROFILE_FRAME_REFRESH": str(frame_refresh).lower(),
    }
    return StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_servers.customer_data"], env=env, cwd=str(db_path.parent)
    )


async def measure_stdio(url: str, db_path: Path, members: list[int]) -> list[Timing]:
    """The customer-data server in a subprocess, as Claude Desktop runs it (its clock is the real one):
    first with its base frame switched off, every profile computed; then as shipped, once the frame
    it builds on start is ready (`list_segments` waits for it)."""
    half = len(members) // 2

    def profiles(client: Client, some: list[int]) -> list[Callable[[], Awaitable[Any]]]:
        return [lambda m=m: client.call_tool("get_member_profile", {"customer_id": m}) for m in some]

    async with Client(stdio_server(url, db_path, frame_refresh=False)) as client:
        cold = await timed(
            "get_member_profile, stdio round trip", profiles(client, members[:half]), TARGETS_MS["stdio"]
        )
        warm = await timed("  warm: profile cached", profiles(client, members[:half]))
        # The round trip with almost no work behind it: one member's events of the last day.
        bare = await timed(
            "  near-empty tool: recent_events 1 day",
            [
                lambda m=m: client.call_tool("recent_events", {"customer_id": m, "days": 1})
                for m in members[:50]
            ],
        )
    async with Client(stdio_server(url, db_path, frame_refresh=True)) as client:
        await client.call_tool("list_segments", {})
        framed = await timed(
            "get_member_profile, stdio, base frame fresh",
            profiles(client, members[half:]),
            TARGETS_MS["stdio"],
        )
    for t in (cold, warm, bare, framed):
        t.cpu_ms = None  # the work happens in the child: wall time only
    return [cold, warm, bare, framed]


async def profiled_run(calls: list[Callable[[], Awaitable[Any]]], console: Console) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for call in calls:
        await call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    console.print(f"{len(calls)} calls", out.getvalue(), markup=False, highlight=False)


def report(console: Console, timings: list[Timing], calls: int) -> None:
    table = Table(title=f"MCP servers benchmark ({calls} calls each, distinct members)")
    table.add_column("call", no_wrap=True)
    for column in ("p50 ms", "p95 ms", "p99 ms", "CPU p50 ms", "SQL/call", "SQL ms/call", "target p50", ""):
        table.add_column(column, justify="right")
    for t in timings:
        p50 = t.p(0.5)
        verdict = "" if t.target_ms is None else ("[green]met[/]" if p50 <= t.target_ms else "[red]missed[/]")
        table.add_row(
            t.name,
            f"{p50:.1f}",
            f"{t.p(0.95):.1f}",
            f"{t.p(0.99):.1f}",
            "" if t.cpu_ms is None else f"{t.p(0.5, t.cpu_ms):.1f}",
            "" if t.sql_statements is None else f"{t.sql_statements:.1f}",
            "" if t.sql_ms is None else f"{t.sql_ms:.1f}",
            "" if t.target_ms is None else f"<= {t.target_ms:g}",
            verdict,
        )
    console.print(table)
    load = os.getloadavg()
    console.print(
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs "
        "(other work on the machine inflates wall time more than CPU time)"
    )
    console.print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--customers", type=int, default=50_000, help="members to seed (ignored when --db exists)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--db",
        type=Path,
        help="SQLite file: reused if it exists, seeded there if not "
        "(default: a new file in a temporary directory)",
    )
    parser.add_argument("--calls", type=int, default=200, help="timed calls per measurement")
    parser.add_argument(
        "--threaded",
        action="store_true",
        help="in-process SQLite statements on their connection's thread, as a server runs them "
        "(default: on the event loop's thread, as the worker process the agents run in)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="show where the time goes: the profile path step by step, and cProfile",
    )
    args = parser.parse_args()
    configure_logging("warning")
    console = Console(width=max(Console().width, 150))
    with tempfile.TemporaryDirectory(prefix="mcp-bench-") as scratch:
        db_path = (args.db or Path(scratch) / "world.db").resolve()
        url, now = asyncio.run(prepare(db_path, args.customers, args.seed, console))
        timings = asyncio.run(measure(url, db_path, now, args.calls, args.profile, args.threaded, console))
    report(console, timings, args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
