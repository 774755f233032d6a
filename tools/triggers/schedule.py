"""The scheduler's entry point: evaluate the rules that are due as of `now` and queue what fired.

Each rule runs at most every `every_minutes` (its last run is stored, so several scheduler
processes share the pace). A rule is evaluated on a read-only connection and its triggers queued
in a separate short write transaction, so a long evaluation never holds SQLite's write lock
against ingestion and delivery.
"""

from datetime import datetime, timedelta

import structlog
from pydantic import BaseModel
from sqlalchemy import select

from tools.decisions.holdout import DEFAULT_CONTROL_SHARE
from tools.storage import Database, TriggerRuleRun, begin_write, upsert_insert
from tools.time import to_storage
from tools.triggers import evaluate
from tools.triggers.enqueue import enqueue
from tools.triggers.evaluate import Firing, ReplenishmentSource
from tools.triggers.rules import (
    AlwaysOn,
    BrowseIntent,
    CartAbandoned,
    CompetitorPromotion,
    PostPurchase,
    ReplenishmentDue,
    RhythmLapse,
    TriggerRule,
    TriggerRules,
    load_trigger_rules,
)

log = structlog.get_logger(__name__)


class RuleRun(BaseModel):
    rule: str
    kind: str
    candidates: int
    enqueued: int
    control: int


class TriggerReport(BaseModel):
    ran_at: datetime
    runs: list[RuleRun]
    not_run: dict[str, str]

    @property
    def enqueued(self) -> int:
        return sum(run.enqueued for run in self.runs)


async def run_due_triggers(
    db: Database,
    now: datetime,
    *,
    rules: TriggerRules | None = None,
    replenishment: ReplenishmentSource | None = None,
    control_share: float = DEFAULT_CONTROL_SHARE,
    force: bool = False,
) -> TriggerReport:
    """Evaluate the enabled rules that are due (all of them with `force`) — the shipped defaults
    unless `rules` is given — and queue new triggers. Replenishment rules run only when a source
    of expected purchase dates is given."""
    moment = to_storage(now)
    runs: list[RuleRun] = []
    not_run: dict[str, str] = {}
    async with db.session() as session:
        last_runs = dict(
            (await session.execute(select(TriggerRuleRun.rule, TriggerRuleRun.last_run_at))).all()
        )
    for rule in (rules or load_trigger_rules()).enabled:
        last = last_runs.get(rule.name)
        # A clock that went backwards (a replay started over) makes every rule due again.
        if not force and last is not None and last <= moment < last + timedelta(minutes=rule.every_minutes):
            not_run[rule.name] = f"ran at {last:%Y-%m-%d %H:%M}; runs every {rule.every_minutes} min"
            continue
        if isinstance(rule, ReplenishmentDue) and replenishment is None:
            not_run[rule.name] = "no source of expected purchase dates was given"
            continue
        candidates = await _evaluate(db, rule, moment, replenishment)
        async with db.engine.begin() as conn:
            await begin_write(conn)
            queued = await enqueue(conn, rule, candidates, now=moment, control_share=control_share)
            stmt = upsert_insert(conn.dialect.name, TriggerRuleRun).values(rule=rule.name, last_run_at=moment)
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["rule"], set_={"last_run_at": stmt.excluded.last_run_at}
                )
            )
        runs.append(
            RuleRun(
                rule=rule.name,
                kind=rule.kind.value,
                candidates=len(candidates),
                enqueued=queued.new,
                control=queued.control,
            )
        )
        if queued.new:
            log.info("triggers.enqueued", rule=rule.name, enqueued=queued.new, control=queued.control)
    return TriggerReport(ran_at=moment, runs=runs, not_run=not_run)


async def _evaluate(
    db: Database,
    rule: TriggerRule,
    now: datetime,
    replenishment: ReplenishmentSource | None,
) -> list[Firing]:
    if isinstance(rule, ReplenishmentDue):
        assert replenishment is not None
        return evaluate.replenishment_due(await replenishment(now), rule, now)
    async with db.engine.connect() as conn:
        match rule:
            case CartAbandoned():
                return await evaluate.cart_abandoned(conn, rule, now)
            case PostPurchase():
                return await evaluate.post_purchase(conn, rule, now)
            case RhythmLapse():
                return await evaluate.rhythm_lapse(conn, rule, now)
            case CompetitorPromotion():
                return await evaluate.competitor_promotion(conn, rule, now)
            case BrowseIntent():
                return await evaluate.browse_intent(conn, rule, now)
            case AlwaysOn():
                return await evaluate.always_on(conn, rule, now)
    raise AssertionError(f"no evaluator for {rule.kind}")
