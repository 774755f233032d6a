"""Running a scenario suite: each case in its own copy of the base world, the whole team, a fixed clock.

For every case: copy the prepared world, put the case's member and tweaks in, open the product
with the clock stopped at the case's moment, hand the trigger to the orchestrator exactly as the
runtime would, read what was decided from the run, judge it, and write the transcript. Nothing
about the expected answer reaches the product: the case's expectations are read only afterwards.
"""

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import structlog
from sqlalchemy import select

from agents.decision_log import InMemoryDecisionLog, LogEntry
from agents.models import Model
from evals.harness.base_world import PreparedWorld
from evals.harness.decision import Decision, read_decision
from evals.harness.evaluators import Seen, describe_offer, evaluate
from evals.harness.fixtures import PlacedCase, place_case
from evals.harness.run_results import CaseResult
from evals.harness.suite import Case, Suite
from loyalty.settings import Settings
from loyalty.wiring import open_agents, open_product
from tools.storage import Database, Product, database

log = structlog.get_logger(__name__)
TRANSCRIPTS = "transcripts"


@dataclass(frozen=True)
class ScenarioContext:
    """What every case of a run shares."""

    suite: Suite
    world: PreparedWorld
    model: Model
    settings: Settings
    workdir: Path  # scratch space for the per-case databases
    out_dir: Path  # the run directory (transcripts go under it)


async def run_cases(
    context: ScenarioContext, *, concurrency: int = 2, on_case: Callable[[CaseResult], None] | None = None
) -> tuple[CaseResult, ...]:
    """Run every case of the suite, `concurrency` at a time; results in suite order."""
    (context.out_dir / TRANSCRIPTS).mkdir(parents=True, exist_ok=True)
    results: dict[str, CaseResult] = {}
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(case: Case) -> None:
        async with limiter:
            result = await run_case(context, case)
        results[case.id] = result
        if on_case is not None:
            on_case(result)

    async with anyio.create_task_group() as group:
        for case in context.suite.cases:
            group.start_soon(one, case)
    return tuple(results[case.id] for case in context.suite.cases)


async def run_case(context: ScenarioContext, case: Case) -> CaseResult:
    started = time.perf_counter()
    slug = case_slug(case.id)
    path = context.workdir / f"{slug}.db"
    try:
        return await _run(context, case, path, slug, started)
    except Exception as error:  # one broken case must not stop the suite; it is reported as errored
        log.warning("eval.case_error", case=case.id, error=repr(error), exc_info=True)
        return CaseResult(
            id=case.id,
            title=case.title,
            group=case.use_case.value,
            error=f"{type(error).__name__}: {error}",
            seconds=round(time.perf_counter() - started, 3),
        )
    finally:
        path.unlink(missing_ok=True)


async def _run(context: ScenarioContext, case: Case, path: Path, slug: str, started: float) -> CaseResult:
    now = context.suite.now_for(case)
    url = await anyio.to_thread.run_sync(context.world.copy_to, path)
    db = database(url)
    try:
        placed = await place_case(db, case, now, context.suite.world.seed)
    finally:
        await db.dispose()
    settings = context.settings.model_copy(update={"db_url": url, "models_dir": context.world.models_dir})
    decision_log = InMemoryDecisionLog()
    async with open_product(settings, clock=lambda: now) as product:
        async with open_agents(product, context.model, log=decision_log) as team:
            result = await team.handle(json.dumps(placed.trigger))
        steps = decision_log.for_trace(result.trace_id)
        decision = read_decision(result, steps)
        prices = await _sku_prices(product.db, decision)
    seen = Seen(
        decision=decision,
        time_zone=placed.local_zone,
        quiet_hours=placed.quiet_hours,
        basket_value=placed.basket_value,
        sku_prices=prices,
    )
    checks = evaluate(case.expect, seen)
    transcript = Path(TRANSCRIPTS) / f"{slug}.json"
    (context.out_dir / transcript).write_text(
        json.dumps(
            {
                "case": case.id,
                "now": now.isoformat(),
                "member_id": placed.customer_id,
                "trigger": placed.trigger,
                "decision": decision.model_dump(mode="json"),
                "run": json.loads(result.transcript.to_json()),
                "decision_log": [_entry(step) for step in steps],
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return CaseResult(
        id=case.id,
        title=case.title,
        group=case.use_case.value,
        checks=checks,
        decision=account(decision, placed, seen),
        transcript=transcript.as_posix(),
        seconds=round(time.perf_counter() - started, 3),
    )


def case_slug(case_id: str) -> str:
    return case_id.replace("/", "__").replace(":", "_")


async def _sku_prices(db: Database, decision: Decision) -> dict[str, float]:
    skus = list(decision.proposal.offer.skus) if decision.proposal else []
    if not skus:
        return {}
    async with db.session() as session:
        rows = await session.execute(select(Product.sku, Product.price).where(Product.sku.in_(skus)))
        return {sku: float(price) for sku, price in rows}


def account(decision: Decision, placed: PlacedCase, seen: Seen) -> dict[str, Any]:
    """A few lines a reader of the report needs to see what was decided without the transcript."""
    summary: dict[str, Any] = {
        "outcome": decision.outcome,
        "detail": decision.detail,
        "member_id": placed.customer_id,
        "trigger": placed.trigger,
        "degraded": decision.degraded,
        "model_requests": decision.model_requests,
        "tokens": decision.tokens,
        "cost_usd": decision.cost_usd,
    }
    if decision.guard is not None:
        summary["guard"] = decision.guard.label
        summary["guard_reasons"] = list(decision.guard.reasons)
    proposal = decision.proposal
    if proposal is not None:
        summary |= {
            "channel": proposal.channel.value,
            "offer": describe_offer(proposal.offer),
            "send_at_local": f"{seen.local(proposal.send_at):%a %d %b %H:%M} {placed.local_zone}",
            "valid_until_local": f"{seen.local(proposal.valid_until):%a %d %b %H:%M}",
            "subject": proposal.message.subject,
            "text": proposal.message.text,
            "rationale": proposal.rationale,
        }
    if decision.violations:
        summary["violations"] = [f"{v.rule_id} ({v.severity})" for v in decision.violations]
    return summary


def _entry(entry: LogEntry) -> dict[str, Any]:
    return {
        "agent": entry.agent,
        "step": entry.step,
        "kind": entry.kind.value,
        "payload": dict(entry.payload),
    }


def first_moment(cases: Sequence[Case], suite: Suite) -> datetime:
    """The earliest moment of the run: the base world's models are fitted as of its day."""
    return min(suite.now_for(case) for case in cases)
