"""The decision service: what `loyalty worker` runs.

A pass evaluates the trigger rules that are due (`run_due_triggers`; replenishment's expected dates
come from the profiles), decides the always-on pass's members set-based (`decide_always_on`: scored,
checked, audited and queued together, as a campaign is), screens what it left to the agents
(`screen_always_on`: a member no action could be worth sending to is decided "nothing" without an
agent run) and decides every other due trigger (`drain`). Run for good, the service passes
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
import numpy as np
import structlog

from agents.team import Team
from loyalty.runtime.always_on import AlwaysOnReport, decide_always_on
from loyalty.runtime.frames import keep_frame_fresh
from loyalty.runtime.worker import WorkReport, drain
from loyalty.wiring import Product
from policies.vocabulary import UseCase
from tools.nba import fit_response, learned_lift, screen
from tools.storage import TriggerKind
from tools.triggers import (
    RuleRun,
    TriggerRules,
    due_members,
    due_of_kind,
    expected_from_profiles,
    load_trigger_rules,
    run_due_triggers,
    skip_pending,
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
    screen: bool = True  # skip always-on members no action could be worth sending to, set-based
    # Decide the always-on pass set-based (`loyalty.runtime.always_on`); off, one agent run each.
    set_based: bool = True


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
    await warm_scoring(product)
    always_on = await decide_always_on(product, team, now) if config.set_based else AlwaysOnReport()
    screened = await screen_always_on(product, now) if config.screen else 0
    if prime:
        await product.profiles.prime(now, await due_members(product.db, now))
    work = await drain(product.db, team, clock=clock, workers=config.workers, name=config.name)
    work.screened += screened
    work.set_based += always_on.decided
    work.decided += always_on.decided
    work.outcomes.update(always_on.outcomes)
    work.nothing_causes.update(always_on.nothing_causes)
    return PassReport(now, triggers.enqueued, work, tuple(triggers.runs), triggers.not_run)


# The use cases whose always-on decision reads nothing beyond the profile and the contact record
# (no cart, no rival's promotion): the screen's batch is theirs.
SCREENED_USE_CASES = (UseCase.UPSELL, UseCase.REACTIVATION)


async def warm_scoring(product: Product) -> None:
    """Refit, when due, the response and learned factors the offers server scores with, here
    between decisions: on a long contact history the statement takes longer than an agent run may
    (`agents.limits`), so inside a decision it would cut the decision short."""
    if product.deps.response is not None:
        await product.deps.response.get()
    if product.deps.lift is not None:
        await product.deps.lift.get()


async def screen_always_on(product: Product, now: datetime) -> int:
    """Mark skipped the due always-on triggers of members for whom no action could be worth
    sending (`tools.nba.prescreen`), scored with the response and learned factors the offers
    server scores with; returns how many. The rest are decided by agent runs as usual."""
    due = await due_of_kind(product.db, TriggerKind.ALWAYS_ON.value, now)
    if not due:
        return 0
    frame = await product.profiles.frame(now)
    # The very estimates the offers server scores with (shared through the deps), or the same fit.
    deps = product.deps
    rates = await deps.response.get() if deps.response is not None else await fit_response(product.db, now)
    learned = await deps.lift.get() if deps.lift is not None else await learned_lift(product.db)
    skipped = 0
    for use_case in SCREENED_USE_CASES:
        triggers = [(i, c) for i, c, u in due if u == use_case.value]
        if not triggers:
            continue
        found = await screen(
            product.db,
            frame,
            np.array([c for _, c in triggers], dtype=np.int64),
            use_case,
            product.policy,
            now=now,
            rates=rates,
            learned=learned,
            exploration_share=product.deps.exploration_share,
        )
        ids = [i for (i, _), decide in zip(triggers, found.decide.tolist(), strict=True) if not decide]
        skipped += await skip_pending(product.db, ids, now=now)
        log.info(
            "worker.always_on_screened",
            use_case=use_case.value,
            considered=len(triggers),
            skipped=len(ids),
            unframed=found.unframed,
            exploring=found.exploring,
            worth_a_look=found.worth_a_look,
        )
    return skipped


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
