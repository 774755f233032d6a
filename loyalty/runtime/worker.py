"""Deciding queued triggers: claim members, run the team on each trigger, mark the outcome.

Workers are asyncio tasks with bounded concurrency; the trigger queue leases each member to one
worker at a time, so two decisions about one member never race, and a crash leaves a lease that
expires and is claimed again (decisions are idempotent at the door: a send needs a fresh,
single-use approval, and a member's caps are re-checked under their lock).

A decision is idempotent by trigger too (`tools.triggers.requests`): its run's trace id is the
trigger's, and a trigger whose decision already queued a message is never decided again, whatever
went wrong after the send (an answer that does not parse, a refusal, a crash before the trigger
was marked done). What a trigger becomes for the orchestrator is built there too; this module
keeps only the loop.
"""

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from agents.loop import RunResult
from agents.messages import ModelResponse, ToolResult, UserMessage
from agents.orchestrator import SEND_TOOL
from agents.reading import json_object_in
from agents.team import Team
from tools.decisions import cause_of
from tools.storage import Database
from tools.triggers import ClaimedTrigger, already_sent, claim, complete, fail, trigger_request, trigger_trace

log = structlog.get_logger(__name__)
LEASE = timedelta(minutes=5)


@dataclass
class WorkReport:
    decided: int = 0
    failed: int = 0
    screened: int = 0  # always-on members decided "nothing" by the set-based screen, without a run
    set_based: int = 0  # always-on members decided set-based (`loyalty.runtime.always_on`), without a run
    outcomes: Counter[str] = field(default_factory=Counter)
    nothing_causes: Counter[str] = field(default_factory=Counter)  # "nothing" decisions by cause
    latencies: list[float] = field(default_factory=list)  # seconds per decision
    degraded: int = 0  # decisions some fallback model answered part of (Claude unavailable)
    tokens: int = 0  # every model's tokens, the guard's included
    cost_usd: float = 0.0


def outcome_of(result: RunResult) -> str:
    """What a decision came to. A send that went through is `sent` whatever the run said after it
    (or failed to say); otherwise the answer's `decision`, read tolerantly, or how the run ended."""
    if _sent(result):
        return "sent"
    if not result.completed:
        return result.termination.value
    decision = (json_object_in(result.output) or {}).get("decision")
    return decision if isinstance(decision, str) and decision else "unreadable"


def _sent(result: RunResult) -> bool:
    calls = {
        call.id
        for message in result.transcript.messages
        if isinstance(message, ModelResponse)
        for call in message.tool_calls
        if call.name == SEND_TOOL
    }
    return any(
        isinstance(part, ToolResult) and part.call_id in calls and not part.is_error
        for message in result.transcript.messages
        if isinstance(message, UserMessage)
        for part in message.parts
    )


async def decide_claimed(
    db: Database,
    team: Team,
    worker_id: str,
    triggers: list[ClaimedTrigger],
    clock: Callable[[], datetime],
    report: WorkReport,
) -> None:
    for trigger in triggers:
        started = asyncio.get_running_loop().time()
        trace_id = trigger_trace(trigger.id)
        try:
            if await already_sent(db, trace_id):  # an earlier attempt sent, then failed to finish
                log.info("worker.already_sent", trigger_id=trigger.id)
                await complete(db, worker_id, [trigger.id], now=clock(), status="done")
                continue
            request = await trigger_request(db, trigger)
            result = await team.handle(json.dumps(request), trace_id=trace_id)
            outcome = outcome_of(result)
        except Exception as exc:  # one bad decision must not stop the worker
            log.warning("worker.decision_failed", trigger_id=trigger.id, error=repr(exc)[:300])
            await fail(db, worker_id, trigger.id, repr(exc), now=clock())
            report.failed += 1
            continue
        report.latencies.append(asyncio.get_running_loop().time() - started)
        report.decided += 1
        report.outcomes[outcome] += 1
        report.degraded += result.degraded
        report.tokens += result.usage.total_tokens
        report.cost_usd += result.usage.cost_usd
        if outcome == "nothing":
            report.nothing_causes[cause_of(json_object_in(result.output) or {}).value] += 1
        await complete(
            db, worker_id, [trigger.id], now=clock(), status="done" if outcome == "sent" else "skipped"
        )


async def drain(
    db: Database,
    team: Team,
    *,
    clock: Callable[[], datetime],
    workers: int = 4,
    batch: int = 8,
    name: str = "worker",
) -> WorkReport:
    """Decide every due trigger with `workers` concurrent workers (leases held as `name`-0, -1, ...:
    processes draining one queue side by side need different names); returns when the queue is empty."""
    report = WorkReport()

    async def work(index: int) -> None:
        worker_id = f"{name}-{index}"
        while claimed := await claim(db, worker_id, limit=batch, now=clock(), lease=LEASE):
            await decide_claimed(db, team, worker_id, claimed, clock, report)

    await asyncio.gather(*(work(i) for i in range(workers)))
    return report
