"""Seeding and the MCP servers on one SQLite file at once: does every tool call still get a proper answer?

    python -P benchmarks/seeding_under_load.py [--members 50000] [--workers 8] [--no-stdio]

The four servers are opened on the database the way `loyalty mcp` opens them (`open_server_deps`:
the threaded SQLite driver, no fitting inside a call) and answer tool calls through real MCP
clients — in memory, plus one `python -m mcp_servers.customer_data` subprocess over stdio — from
several concurrent workers (member profiles, offer templates, the policy, proposal checks, contact
status) while the product's seeding (`seed_world`, with `reset`) drops the tables, re-creates them
and writes a new world into the same file. Seeding runs on a thread with an event loop of its own,
as a separate `loyalty seed` process has one; its CPU-bound generation then competes with the
servers for the interpreter, as it competes for the cores on a shared machine.

A call may answer or refuse cleanly: "database unavailable; retry shortly" (locked, or the tables
momentarily gone while the schema is re-created), "member N not found" (the new world not written
yet). Anything else — `sqlite3.InterfaceError`, a traceback, an unexpected-error message, a dead
server — is a failure. After seeding, one more round of every call must answer.

Before seeding, the database holds a small world (300 members) with fitted profile models; the
servers answer profiles from those models throughout (they never fit inside a call).
`tests/mcp_servers/test_seeding_under_load.py` runs the same at test size.
"""

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextContent
from rich.console import Console
from rich.table import Table

from loyalty.mcp_entry import open_server_deps
from loyalty.settings import PACKAGE_ROOT, Settings
from mcp_servers.registry import SERVERS
from tools.profiles.service import open_profiles
from tools.profiles.training import TrainingPlan
from tools.progress import Silent
from tools.storage.db import database
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import SeedResult, seed_world

# What a call may say instead of answering: each a clean, actionable refusal.
CLEAN_REFUSALS = {
    "busy": "retry shortly",  # "database busy" (locked) or "unavailable" (tables momentarily gone)
    "not found": "not found",  # a record the world being written does not hold yet
    "no member": "no member with id",  # a member the world being written does not hold yet
    "not joined": "had not joined",
}
# Words that must never reach a client.
BROKEN = ("InterfaceError", "API misuse", "Traceback", 'File "')
# What the SDK says, and all it says, when a tool raised something unexpected (details hidden).
UNEXPECTED = re.compile(r"Error executing tool [\w-]+")


@dataclass(frozen=True)
class LoadPlan:
    db_path: Path
    models_dir: Path
    truth_dir: Path
    members: int  # the world seeded under load
    seed: int
    end: date
    now: datetime  # the servers' clock
    workers: int = 8
    stdio: bool = True  # one subprocess server among the clients

    @property
    def url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path}"


@dataclass
class LoadReport:
    seeded: SeedResult | None = None
    seed_seconds: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)  # "ok" or a clean refusal's kind
    during_seeding: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, calls answered while seeding
    broken: list[str] = field(default_factory=list)  # tool: what came back
    after: dict[str, bool] = field(default_factory=dict)  # tool (via client): answered after seeding

    @property
    def calls(self) -> int:
        return sum(self.outcomes.values())


Call = tuple[str, Client, str, Callable[[], dict[str, Any]]]  # label, client, tool, fresh arguments


def classify(result: CallToolResult) -> str:
    """ "ok", a clean refusal's kind, or "broken: <what came back>"."""
    text = " ".join(c.text for c in result.content if isinstance(c, TextContent))
    if any(word in text for word in BROKEN) or UNEXPECTED.fullmatch(text.strip()):
        return f"broken: {text[:300]}"
    if not result.is_error:
        return (
            "ok" if result.structured_content is not None else f"broken: no structured result: {text[:200]}"
        )
    for kind, words in CLEAN_REFUSALS.items():
        if words in text:
            return kind
    return f"broken: {text[:300]}"


async def first_draft(offers: Client, members: int) -> dict[str, Any]:
    """A ready-to-check proposal the offers server drafted (for the first member it drafts one for),
    for the rules server to check under load."""
    for member in range(1, members + 1):
        result = await offers.call_tool(
            "score_candidate_actions", {"customer_id": member, "use_case": "reactivation", "top": 5}
        )
        assert not result.is_error and result.structured_content is not None, classify(result)
        drafts = [c["draft"] for c in result.structured_content["candidates"] if c.get("draft")]
        if drafts:
            return dict(drafts[0])
    raise RuntimeError(f"no drafted proposal for any of {members} members")


def plan_calls(
    clients: dict[str, Client], draft: dict[str, Any], members: int, rng: random.Random
) -> list[Call]:
    """The in-memory servers' calls, and the subprocess server's where there is one."""

    def member() -> dict[str, Any]:
        return {"customer_id": rng.randint(1, members)}

    def score() -> dict[str, Any]:
        return member() | {"use_case": "reactivation", "top": 3}

    plan: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
        ("customer-data", "get_member_profile", member),
        ("customer-data", "data_freshness", member),
        ("offers-inventory", "list_offer_templates", dict),
        ("offers-inventory", "score_candidate_actions", score),
        ("rules", "get_policy", dict),
        ("rules", "check_proposal", lambda: {"proposal": draft}),
        ("channels", "contact_status", member),
        ("stdio customer-data", "get_member_profile", member),
    ]
    return [(label, clients[label], tool, arguments) for label, tool, arguments in plan if label in clients]


def stdio_server(plan: LoadPlan) -> StdioServerParameters:
    """customer-data as `loyalty mcp config` has a client launch it, with a minimal environment."""
    plan.truth_dir.mkdir(parents=True, exist_ok=True)
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "mcp_servers.customer_data"],
        env={
            "LOYALTY_DB_URL": plan.url,
            "LOYALTY_MODELS_DIR": str(plan.models_dir),
            "LOYALTY_LOG_LEVEL": "warning",
        },
        cwd=plan.truth_dir,  # no loyalty.toml to pick up
    )


async def run_load(plan: LoadPlan, *, answer_within: float = 120.0) -> LoadReport:
    """Serve, call and seed at once; what every call returned. `answer_within` only guards against a
    hung server (it is recorded as broken), it is no performance target."""
    report = LoadReport()
    settings = Settings(db_url=plan.url, models_dir=plan.models_dir)
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    request = WorldRequest(population, plan.members, plan.seed, 12, plan.end)
    seeding_done, finished = anyio.Event(), anyio.Event()
    rng = random.Random(plan.seed)

    def seed_on_its_own_loop() -> SeedResult:
        return asyncio.run(
            seed_world(
                plan.url, plan.truth_dir, request, population_name="default", reset=True, progress=Silent()
            )
        )

    async def call(label: str, client: Client, tool: str, arguments: dict[str, Any]) -> str:
        try:
            with anyio.fail_after(answer_within):
                outcome = classify(await client.call_tool(tool, arguments))
        except TimeoutError:
            outcome = f"broken: no answer within {answer_within:g} s"
        except Exception as exc:  # a dead server or a broken transport is a finding, not a crash
            outcome = f"broken: {type(exc).__name__}: {exc}"
        if outcome.startswith("broken"):
            report.broken.append(f"{label} {tool}: {outcome}")
        return outcome

    async def worker(calls: list[Call], started: anyio.Event) -> None:
        """Call until seeding is over, in a shuffled order; a call begun after it is not counted."""
        order = calls[:]
        while True:
            rng.shuffle(order)
            for label, client, tool, arguments in order:
                during = not seeding_done.is_set()
                begun = time.perf_counter()
                outcome = await call(label, client, tool, arguments())
                started.set()
                if not during:
                    return
                kind = outcome if not outcome.startswith("broken") else "broken"
                report.outcomes[kind] += 1
                report.during_seeding[kind] += 1
                if kind == "ok":
                    report.latencies.append(time.perf_counter() - begun)

    async def hold(params: StdioServerParameters, clients: dict[str, Client], ready: anyio.Event) -> None:
        """The subprocess server, started beside the rest (it spends seconds importing) and kept
        until the run is over."""
        async with Client(params) as client:
            clients["stdio customer-data"] = client
            ready.set()
            await finished.wait()

    clients: dict[str, Client] = {}
    async with anyio.create_task_group() as servers:
        stdio_ready = anyio.Event()
        if plan.stdio:
            servers.start_soon(hold, stdio_server(plan), clients, stdio_ready)
        else:
            stdio_ready.set()
        try:
            async with AsyncExitStack() as stack:
                for name, (_, builder) in SERVERS.items():
                    deps = await stack.enter_async_context(open_server_deps(name, settings, lambda: plan.now))
                    clients[name] = await stack.enter_async_context(Client(builder(deps, None)))
                known = min(plan.members, SMALL_WORLD)  # ids in the world before and after
                draft = await first_draft(clients["offers-inventory"], known)
                await stdio_ready.wait()
                calls = plan_calls(clients, draft, known, rng)
                async with anyio.create_task_group() as load:
                    starts = [anyio.Event() for _ in range(plan.workers)]
                    for started in starts:
                        load.start_soon(worker, calls, started)
                    for started in starts:  # every worker busy before seeding starts
                        await started.wait()
                    begun = time.perf_counter()
                    try:
                        report.seeded = await anyio.to_thread.run_sync(seed_on_its_own_loop)
                    finally:
                        report.seed_seconds = time.perf_counter() - begun
                        seeding_done.set()
                for label, client, tool, arguments in calls:  # the servers still answer, from the new world
                    report.after[f"{label} {tool}"] = await call(label, client, tool, arguments()) == "ok"
        finally:
            finished.set()
    return report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


SMALL_WORLD = 300  # members of the world the servers start on (and the ids the workers ask about)
SEED = 7
END = date(2026, 10, 31)


async def small_world(directory: Path) -> LoadPlan:
    """A database holding a small world, with profile models fitted on it (one training snapshot)."""
    plan = LoadPlan(
        db_path=directory / "world.db",
        models_dir=directory / "models",
        truth_dir=directory / "truth",
        members=SMALL_WORLD,
        seed=SEED,
        end=END,
        now=datetime(END.year, END.month, END.day, 9, 0, tzinfo=UTC),
    )
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    await seed_world(
        plan.url,
        plan.truth_dir,
        WorldRequest(population, SMALL_WORLD, SEED, 12, END),
        population_name="default",
        reset=True,
        progress=Silent(),
    )
    db = database(plan.url)
    try:
        profiles = replace(open_profiles(db, models_dir=plan.models_dir), plan=TrainingPlan(snapshots=1))
        await profiles.models(plan.now.replace(tzinfo=None))  # fits and saves them
    finally:
        await db.dispose()
    return plan


async def _bench(members: int, workers: int, stdio: bool) -> LoadReport:
    with tempfile.TemporaryDirectory(prefix="bench-seed-load-") as tmp:
        plan = await small_world(Path(tmp))
        return await run_load(replace(plan, members=members, workers=workers, stdio=stdio))


def main(members: int, workers: int, stdio: bool) -> int:
    report = anyio.run(_bench, members, workers, stdio)
    console = Console(width=120)
    seeded = report.seeded
    assert seeded is not None
    console.print(
        f"seeded {members:,} members ({sum(seeded.rows.values()):,} rows) in {report.seed_seconds:.1f} s "
        f"(generate {seeded.generate_seconds:.1f} s, write {seeded.write_seconds:.1f} s) while {workers} "
        f"workers called the servers{' (one over stdio)' if stdio else ''}"
    )
    table = Table(title="Tool calls while seeding")
    for column in ("outcome", "calls"):
        table.add_column(column)
    for kind, n in report.during_seeding.most_common():
        table.add_row(kind, f"{n:,}")
    console.print(table)
    ms = [s * 1000 for s in report.latencies]
    console.print(
        f"answered while seeding: p50 {percentile(ms, 0.5):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
        f"max {max(ms, default=float('nan')):.0f} ms; calls in all {report.calls:,}"
    )
    failed_after = [call for call, answered in report.after.items() if not answered]
    console.print(
        f"after seeding: {len(report.after) - len(failed_after)}/{len(report.after)} calls answered"
    )
    for line in report.broken[:20]:
        console.print(f"[red]broken[/red] {line}")
    return 1 if report.broken or failed_after else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--no-stdio", dest="stdio", action="store_false")
    args = parser.parse_args()
    raise SystemExit(main(args.members, args.workers, args.stdio))
