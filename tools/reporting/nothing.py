"""Decisions that came to "nothing" in a period, by use case and cause (see `tools.decisions.nothing_causes`):
read from the orchestrator's final answers in the decision log, so triggers, chat and campaigns
all count, whichever process decided them."""

import json
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.decisions import cause_of
from tools.reporting.period import Period
from tools.storage import DecisionLogEntry

ORCHESTRATOR = "orchestrator"


async def nothing_by_cause(conn: AsyncConnection, period: Period) -> dict[str, dict[str, int]]:
    """{use case: {cause: decisions}}, causes most frequent first."""
    log = DecisionLogEntry
    rows = await conn.execute(
        select(log.payload).where(
            log.agent == ORCHESTRATOR,
            log.kind == "run_end",
            log.created_at >= period.since,
            log.created_at < period.until,
        )
    )
    counts: dict[str, Counter[str]] = {}
    for (payload,) in rows:
        try:
            answer = json.loads((payload or {}).get("output") or "{}")
        except (TypeError, json.JSONDecodeError):  # a run cut short has no final answer
            continue
        if isinstance(answer, dict) and answer.get("decision") == "nothing":
            use_case = str(answer.get("use_case") or "unknown")
            counts.setdefault(use_case, Counter())[cause_of(answer).value] += 1
    return {u: dict(c.most_common()) for u, c in sorted(counts.items())}
