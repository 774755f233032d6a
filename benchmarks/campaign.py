"""Campaign benchmark: plan, audit and queue a campaign over a 50,000-member world, local model.

    python -m benchmarks.campaign                                   # seeds 50,000 members into a temp dir
    python -m benchmarks.campaign --db sqlite+aiosqlite:///w.db --models-dir w.models --keep-db
    python -m benchmarks.campaign --segment dormant_recoverable --budget 5000

A seeded world is changed by the run (verdicts, sends, spent budget): `--db` is copied first unless
`--keep-db` says the database may be used up. Stages are timed apart:

- profile frame: every member's profile, set-based — shared with segments and search and reused
  for 15 minutes, so it is reported but not counted in the campaign;
- plan: audience, scoring, proposals, rule checks, judgement, allocation, fairness;
- audit: the guard agent's reviews (one per variant, one per flagged member) and the verdicts
  every member inherits;
- queue: every approved message through the outbox's door.
"""

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as dt_time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import event
from sqlalchemy.engine import make_url

from agents.team import local_model
from loyalty.logs import configure_logging
from loyalty.ops.adapters import GuardReviewer, template_copy
from loyalty.settings import PACKAGE_ROOT, load_settings
from loyalty.wiring import open_agents, open_product
from tools.campaigns.execute import CampaignResult, execute_campaign
from tools.campaigns.plan import CampaignDeps, CampaignPlan, plan_campaign
from tools.errors import LoyaltyError
from tools.progress import Silent, StageClock
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world

BUDGET_TIME = 120.0  # seconds allowed for plan + audit + queue (issue 7)
AUDIT_STAGES = ("guard reviews", "recording verdicts")


DEFAULT_POPULATION = PACKAGE_ROOT / "tools" / "world" / "default_population.toml"


async def seed(url: str, members: int, scratch: Path) -> None:
    population = load_population(DEFAULT_POPULATION)
    request = WorldRequest(population, members, 7, population.world.months, population.world.end_date)
    await seed_world(
        url, scratch / "truth", request, population_name=population.world.name, reset=True, progress=Silent()
    )


@dataclass(frozen=True)
class Run:
    world: int
    frame_seconds: float
    plan_seconds: float
    plan: CampaignPlan
    result: CampaignResult
    stages: dict[str, float]
    statements: Counter[str]


async def bench(url: str, models_dir: Path | None, args: argparse.Namespace, now: datetime) -> Run:
    settings = load_settings(db_url=url, models_dir=models_dir)
    async with open_product(settings, clock=lambda: now) as product:
        started = time.perf_counter()
        await product.profiles.prime(now)  # the guard's rule checks then read profiles from the frame
        frame_seconds = time.perf_counter() - started
        world = len(await product.profiles.frame(now))
        deps = CampaignDeps(product.db, product.policy, product.profiles, template_copy)
        started = time.perf_counter()
        plan = await plan_campaign(deps, args.use_case, args.segment, args.budget, args.limit, now=now)
        plan_seconds = time.perf_counter() - started
        async with open_agents(product, local_model()) as team:
            clock = StageClock()
            event.listen(product.db.engine.sync_engine, "before_cursor_execute", clock.statement)
            try:
                result = await execute_campaign(
                    plan,
                    product.db,
                    GuardReviewer(team.guard),
                    policy_version=product.policy.version,
                    now=now,
                    progress=clock,
                )
            finally:
                event.remove(product.db.engine.sync_engine, "before_cursor_execute", clock.statement)
            clock.finish()
    return Run(world, frame_seconds, plan_seconds, plan, result, clock.seconds, clock.statements)


def report(console: Console, run: Run) -> float:
    plan, result, stages, plan_seconds = run.plan, run.result, run.stages, run.plan_seconds
    audit = sum(stages.get(s, 0.0) for s in AUDIT_STAGES)
    queue = stages.get("queueing sends", 0.0)
    total = plan_seconds + audit + queue
    p = plan.preview
    table = Table(title=f"campaign benchmark: {p.use_case} for {p.segment}, {run.world:,}-member world")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    table.add_column("what", justify="left")
    table.add_row("profile frame (shared, cached)", f"{run.frame_seconds:.1f}", f"{run.world:,} profiles")
    table.add_row(
        "plan",
        f"{plan_seconds:.1f}",
        f"{p.segment_members:,} in segment → {p.audience:,} audience → "
        f"{p.eligible:,} worth contacting → {p.compliant:,} compliant → {p.members:,} chosen",
    )
    table.add_row(
        "audit",
        f"{audit:.1f}",
        f"{result.guard_reviews:,} guard reviews ({result.variants:,} variants + "
        f"{result.flagged:,} flagged), {result.members - result.guard_reviews:,} inherited verdicts",
    )
    table.add_row(
        "queue",
        f"{queue:.1f}",
        f"{result.queued:,} queued, {result.refused:,} refused, "
        f"{result.in_review:,} for a person, {result.rejected:,} rejected; "
        f"{run.statements['queueing sends']:,} SQL statements",
    )
    table.add_row(
        "[bold]plan + audit + queue[/]",
        f"[bold]{total:.1f}[/]",
        f"limit {BUDGET_TIME:.0f} s: {'met' if total <= BUDGET_TIME else 'MISSED'}",
    )
    console.print(table)
    console.print(
        f"budget committed {p.budget_committed:,.2f} of {p.budget_available:,.2f}; expected value "
        f"{p.expected_value:,.2f}; fair: {p.fair}"
    )
    return total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=50_000, help="world size when seeding")
    parser.add_argument("--db", help="an already seeded world (copied unless --keep-db)")
    parser.add_argument(
        "--models-dir", type=Path, help="fitted profile models for --db (fitted when missing)"
    )
    parser.add_argument("--keep-db", action="store_true", help="run on --db itself")
    parser.add_argument("--use-case", default="reactivation")
    parser.add_argument("--segment", default="all")
    parser.add_argument("--budget", type=float, default=1_000_000.0)
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--at", help="the moment the campaign runs (default: 09:00 UTC on the default world's last day)"
    )
    args = parser.parse_args()
    configure_logging("warning")
    console = Console()
    end = load_population(DEFAULT_POPULATION).world.end_date
    now = (datetime.fromisoformat(args.at) if args.at else datetime.combine(end, dt_time(9), UTC)).astimezone(
        UTC
    )
    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as scratch:
        work = Path(scratch)
        try:
            if args.db is None:
                url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
                console.print(f"seeding {args.members:,} members (not timed)…")
                asyncio.run(seed(url, args.members, work))
            elif args.keep_db:
                url = args.db
            else:
                source = Path(make_url(args.db).database or "")
                shutil.copy(source, work / "bench.db")
                url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
            run = asyncio.run(bench(url, args.models_dir, args, now))
        except LoyaltyError as exc:
            Console(stderr=True).print(f"[bold red]error:[/] {exc}")
            return 2
    return 0 if report(console, run) <= BUDGET_TIME else 1


if __name__ == "__main__":
    sys.exit(main())
