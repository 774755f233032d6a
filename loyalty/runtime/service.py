"""The decision service: what `loyalty worker` runs.

A pass evaluates the trigger rules that are due (`run_due_triggers`; replenishment's expected dates
come from the profiles) and decides every due trigger (`drain`). Run for good, the service passes
every `poll_seconds` and keeps the profile frames fresh beside (`keep_frame_fresh`), so a decision
reads its member's profile from a frame. Run once (from
cron, or a test), a pass first primes the profiles of the members with due triggers in one
set-based pass. A failed pass is logged and the next one tries again: its triggers stay queued, and
the lease of a decision cut short expires.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import anyio
import structlog

from agents.team import Team
from loyalty.runtime.frames import keep_frame_fresh
from loyalty.runtime.worker import WorkReport, drain
from loyalty.wiring import Product
from policies.vocabulary import UseCase
from tools.triggers import (
    RuleRun,
    TriggerRules,
    due_members,
    expected_from_profiles,
    load_trigger_rules,
    run_due_triggers,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ServiceConfig:
    poll_seconds: float = 5.0
    workers: int = 1  # concurrent decisions: 1 on the local model (CPU-bound), more on Claude
    name: str = "worker"  # lease holder prefix: processes draining one queue need different names
    keep_frames: bool = True
    catch_up_seconds: float = 10.0
    disabled_use_cases: frozenset[UseCase] = frozenset()  # their trigger rules are not evaluated


@dataclass(frozen=True)
class PassReport:
    at: datetime
    enqueued: int
    work: WorkReport
    rules: tuple[RuleRun, ...] = ()  # the trigger rules evaluated this pass
    not_run: dict[str, str] = field(default_factory=dict)  # rule -> why it was not evaluated

    @property
    def eventful(self) -> bool:
        """Anything queued, decided or failed: a quiet pass is neither logged nor printed."""
        return bool(self.enqueued or self.work.decided or self.work.failed)


async def decide_due(
    product: Product, team: Team, clock: Callable[[], datetime], config: ServiceConfig, *, prime: bool
) -> PassReport:
    """One pass: queue what the due trigger rules fire, then decide every due trigger."""
    now = clock()
    rules = load_trigger_rules()
    if config.disabled_use_cases:
        rules = TriggerRules(
            rules=tuple(r for r in rules.rules if r.use_case not in config.disabled_use_cases)
        )
    triggers = await run_due_triggers(
        product.db, now, rules=rules, replenishment=expected_from_profiles(product.profiles)
    )
    if prime:
        await product.profiles.prime(now, await due_members(product.db, now))
    work = await drain(product.db, team, clock=clock, workers=config.workers, name=config.name)
    return PassReport(now, triggers.enqueued, work, tuple(triggers.runs), triggers.not_run)


async def serve_decisions(
    product: Product,
    team: Team,
    clock: Callable[[], datetime],
    config: ServiceConfig,
    on_pass: Callable[[PassReport], None] = lambda _: None,
) -> None:
    """Pass after pass until cancelled, the profile frames kept fresh beside when configured."""
    async with anyio.create_task_group() as background:
        if config.keep_frames:
            background.start_soon(partial(keep_frame_fresh, product.profiles, every=config.catch_up_seconds))
        while True:
            try:
                report = await decide_due(product, team, clock, config, prime=not config.keep_frames)
            except Exception:  # a database outage, a broken rule file: the next pass tries again
                log.warning("worker.pass_failed", exc_info=True)
            else:
                if report.eventful:
                    log.info(
                        "worker.pass",
                        enqueued=report.enqueued,
                        decided=report.work.decided,
                        failed=report.work.failed,
                        outcomes=dict(report.work.outcomes),
                    )
                on_pass(report)
            await anyio.sleep(config.poll_seconds)
