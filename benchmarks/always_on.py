"""Always-on pass benchmark: queue a whole cohort with the `always_on` rule and decide it, in process.

    python -P benchmarks/always_on.py --world /tmp/speed/world.db --day 2026-12-07
    python -P benchmarks/always_on.py --world /tmp/speed/world.db --day 2026-12-07 --agents --limit 300

Every run works on a fresh copy of `--world` (a seeded SQLite file, its fitted models beside it
in `<name>.models`), so runs start from the same state. The profile frame is built first, as
`loyalty worker` keeps one fresh (not timed), and the clock moves five minutes on. Then, timed:

1. enqueue: the shipped `always_on` rule, evaluated once (`run_due_triggers`). `--cycle-days 1`
   (the default here) makes its cohort every reachable member no other rule has in hand: the whole
   base in one pass. The shipped rule (`cycle_days = 7`) takes a seventh of it each day;
2. set-based (unless `--agents`): `loyalty.runtime.always_on.decide_always_on`, which decides the
   cohort together — scored, checked, audited by the guard per variant, queued through the outbox,
   logged — and leaves to agent runs only the members it cannot vouch for;
3. screen (unless `--no-screen`): `loyalty.runtime.service.screen_always_on`, which marks
   skipped the members left that no action could be worth sending to, before any agent run;
4. decide: every trigger left, one at a time on the local model, as `loyalty worker` drains the
   queue (`loyalty.runtime.worker.drain` with one worker), or the first `--limit` members.

Prints members considered, screened out, decided (by outcome), sent, wall and CPU seconds per
stage, and CPU per member. The CPU column counts the process's CPU time (all threads): on a shared
machine it shows the work the pass costs when wall-clock time is inflated by other processes.
`--record FILE` writes every member's trigger status and queued contacts as JSON lines, to compare
a set-based run with one of agent runs (`--agents --no-screen`) member by member.
"""

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from agents.team import local_model
from loyalty.logs import configure_logging
from loyalty.runtime.always_on import AlwaysOnReport, decide_always_on
from loyalty.runtime.service import screen_always_on
from loyalty.runtime.worker import LEASE, WorkReport, decide_claimed
from loyalty.settings import load_settings
from loyalty.wiring import open_agents, open_product
from tools.decisions.log import SqlDecisionLog
from tools.storage.db import database
from tools.storage.models import Contact
from tools.storage.runtime import QueuedTrigger
from tools.triggers.queue import claim
from tools.triggers.rules import AlwaysOn, TriggerRules, load_trigger_rules
from tools.triggers.schedule import run_due_triggers
from tools.world.stamp import read_world_info


@dataclass
class Stage:
    name: str
    wall: float = 0.0
    cpu: float = 0.0


class Clocked:
    def __init__(self, stage: Stage) -> None:
        self.stage = stage

    def __enter__(self) -> Stage:
        self.t, self.c = time.perf_counter(), time.process_time()
        return self.stage

    def __exit__(self, *_: object) -> None:
        self.stage.wall += time.perf_counter() - self.t
        self.stage.cpu += time.process_time() - self.c


async def _last_day(url: str) -> date:
    db = database(url)
    try:
        info = await read_world_info(db)
    finally:
        await db.dispose()
    if info is None:
        raise SystemExit("the world has no seeding stamp: pass --day")
    return info.last_day


async def main(
    world: Path,
    day: date | None,
    cycle_days: int,
    screen: bool,
    set_based: bool,
    limit: int | None,
    record: Path | None,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-always-on-"))
    try:
        shutil.copyfile(world, folder / "world.db")
        url = f"sqlite+aiosqlite:///{folder / 'world.db'}"
        when = day or await _last_day(url)
        await _run(url, world.with_suffix(".models"), when, cycle_days, screen, set_based, limit, record)
    finally:
        shutil.rmtree(folder)


async def _run(
    url: str,
    models_dir: Path,
    when: date,
    cycle_days: int,
    screen: bool,
    set_based: bool,
    limit: int | None,
    record: Path | None,
) -> None:
    start = datetime(when.year, when.month, when.day, 9, tzinfo=UTC)
    clock = [start]
    shipped = next(r for r in load_trigger_rules().rules if isinstance(r, AlwaysOn))
    rule = shipped.model_copy(update={"cycle_days": cycle_days})
    stages = {name: Stage(name) for name in ("enqueue", "set-based", "screen", "decide")}
    report = WorkReport()
    together = AlwaysOnReport()
    async with open_product(
        load_settings(db_url=url, models_dir=models_dir), clock=lambda: clock[0], sqlite_inline=True
    ) as product:
        await product.profiles.models(start.replace(tzinfo=None))
        started = time.perf_counter()
        await product.profiles.frame(start)  # as `loyalty worker` keeps one fresh beside
        frame_seconds = time.perf_counter() - started
        clock[0] = start + timedelta(minutes=5)
        now = clock[0]
        with Clocked(stages["enqueue"]):
            ran = await run_due_triggers(product.db, now, rules=TriggerRules(rules=(rule,)), force=True)
        considered = ran.enqueued
        control = sum(r.control for r in ran.runs)
        async with product.db.session() as session:
            watermark = int(
                await session.scalar(select(Contact.id).order_by(Contact.id.desc()).limit(1)) or 0
            )
        async with open_agents(product, local_model(), SqlDecisionLog(product.db)) as team:
            if set_based:
                with Clocked(stages["set-based"]):
                    together = await decide_always_on(product, team, now)
            if screen:
                with Clocked(stages["screen"]):
                    report.screened = await screen_always_on(product, now)
            with Clocked(stages["decide"]):
                while limit is None or report.decided + report.failed < limit:
                    claimed = await claim(product.db, "bench-0", limit=1, now=clock[0], lease=LEASE)
                    if not claimed:
                        break
                    await decide_claimed(product.db, team, "bench-0", claimed, lambda: clock[0], report)
        if record is not None:
            await _record(product, watermark, record)
    _print(considered, control, report, together, stages, frame_seconds, cycle_days, screen, limit)


async def _record(product: Any, watermark: int, path: Path) -> None:
    async with product.db.session() as session:
        triggers = (
            await session.execute(
                select(QueuedTrigger.customer_id, QueuedTrigger.status, QueuedTrigger.id).where(
                    QueuedTrigger.kind == "always_on", QueuedTrigger.status.in_(("done", "skipped"))
                )
            )
        ).all()
        contacts = (
            await session.execute(
                select(
                    Contact.customer_id,
                    Contact.channel,
                    Contact.offer_code,
                    Contact.scheduled_at,
                    Contact.body,
                ).where(Contact.id > watermark)
            )
        ).all()
    queued: dict[int, list[dict[str, Any]]] = {}
    for customer, channel, offer, at, body in contacts:
        queued.setdefault(customer, []).append(
            {"channel": channel, "offer_code": offer, "scheduled_at": at.isoformat(), "body": body}
        )
    with path.open("w") as out:
        for customer, status, _ in sorted(triggers):
            line = {"member": customer, "status": status, "contacts": queued.get(customer, [])}
            out.write(json.dumps(line, sort_keys=True) + "\n")


def _print(
    considered: int,
    control: int,
    report: WorkReport,
    together: AlwaysOnReport,
    stages: dict[str, Stage],
    frame_seconds: float,
    cycle_days: int,
    screen: bool,
    limit: int | None,
) -> None:
    console = Console(width=150)
    scope = "every reachable member" if cycle_days == 1 else f"a 1/{cycle_days} cohort"
    table = Table(
        title=f"always-on pass over {scope} ({'screened' if screen else 'no screen'}"
        + (f", first {limit} decided" if limit else "")
        + ", local model)"
    )
    for column in ("stage", "wall s", "CPU s", "members", "CPU ms / member"):
        table.add_column(column, justify="right")
    counts = {
        "enqueue": considered,
        "set-based": together.considered,
        "screen": considered - together.decided,
        "decide": report.decided + report.failed,
    }
    for stage in stages.values():
        n = counts[stage.name]
        table.add_row(
            stage.name,
            f"{stage.wall:.1f}",
            f"{stage.cpu:.1f}",
            f"{n:,}",
            f"{stage.cpu / n * 1000:.2f}" if n else "-",
        )
    wall = sum(s.wall for s in stages.values())
    cpu = sum(s.cpu for s in stages.values())
    table.add_row(
        "total", f"{wall:.1f}", f"{cpu:.1f}", f"{considered:,}", f"{cpu / max(considered, 1) * 1000:.2f}"
    )
    console.print(table)
    if together.considered:
        console.print(
            f"set-based: decided {together.decided:,} ("
            + ", ".join(f"{k} {v:,}" for k, v in sorted(together.outcomes.items()))
            + f"), left to agents {together.left_to_agents:,}, guard reviews {together.guard_reviews:,}; "
            + "nothing by cause: "
            + ", ".join(f"{k} {v:,}" for k, v in together.nothing_causes.most_common())
        )
    outcomes: Counter[str] = Counter(report.outcomes)
    console.print(
        f"considered {considered:,} (holdout control {control:,} not queued); screened out {report.screened:,}; "
        f"decided by agents {report.decided:,} (failed {report.failed}): "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items()))
        + f"; sent {outcomes['sent'] + together.outcomes['sent']:,} in all; whole-base frame {frame_seconds:.1f} s (not timed)"
    )
    if report.latencies:
        per = sorted(report.latencies)
        console.print(
            f"agent decisions: p50 {per[len(per) // 2] * 1000:.0f} ms, mean {sum(per) / len(per) * 1000:.0f} ms wall"
        )
    if report.nothing_causes:
        console.print(
            "nothing, by cause: " + ", ".join(f"{k} {v}" for k, v in report.nothing_causes.most_common())
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--world", type=Path, required=True, help="a seeded SQLite file; each run works on a copy"
    )
    parser.add_argument(
        "--day",
        type=date.fromisoformat,
        default=None,
        help="pass at 09:00 UTC that day (default: the world's last)",
    )
    parser.add_argument(
        "--cycle-days", type=int, default=1, help="the rule's cycle: 1 = the whole base at once"
    )
    parser.add_argument("--agents", action="store_true", help="no set-based pass: an agent run per member")
    parser.add_argument("--no-screen", action="store_true", help="no screen before the agent runs")
    parser.add_argument("--limit", type=int, default=None, help="decide only the first N members (a sample)")
    parser.add_argument("--record", type=Path, default=None, help="write each member's outcome as JSON lines")
    args = parser.parse_args()
    configure_logging("warning", "json")
    asyncio.run(
        main(
            args.world,
            args.day,
            args.cycle_days,
            not args.no_screen,
            not args.agents,
            args.limit,
            args.record,
        )
    )
