"""The decision log in the database: every step of every agent run, under its trace id.

Steps are buffered in memory and written in one transaction when the outermost run of their trace
ends. A decision's runs nest under one trace id (the orchestrator's run holds the specialist's and
the guard's), so logging costs one round trip per decision instead of one per step or per run. A
crash loses only unfinished decisions' steps; what they did that matters outside the log — guard
verdicts and sends — the rules and channels servers record themselves, under the same trace id.
"""

import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tools.errors import NotFound
from tools.storage import Database, DecisionLogEntry, bulk_insert
from tools.time import utcnow

RUN_START, RUN_END = "run_start", "run_end"


class SqlDecisionLog:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: list[LogRow] = []
        self._open_runs: Counter[str] = Counter()  # per trace: runs started and not yet ended

    async def record(
        self, trace_id: str, agent: str, step: int, kind: str, payload: Mapping[str, Any]
    ) -> None:
        self._pending.append((trace_id, step, agent, str(kind), dict(payload), utcnow()))
        if str(kind) == RUN_START:
            self._open_runs[trace_id] += 1
        elif str(kind) == RUN_END:
            self._open_runs[trace_id] -= 1
            if self._open_runs[trace_id] <= 0:
                del self._open_runs[trace_id]
                await self.flush()

    async def flush(self) -> None:
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        await write_entries(self._db, rows)


LogRow = tuple[str, int, str, str, Mapping[str, Any], datetime]  # trace, step, agent, kind, payload, at


async def write_entries(db: Database, rows: list[LogRow]) -> None:
    """Decision-log rows in one transaction: a decision's buffered steps, or a set-based pass's
    decisions (`loyalty.runtime.always_on`)."""
    if not rows:
        return
    table = DecisionLogEntry.__table__
    async with db.engine.begin() as conn:
        await bulk_insert(
            conn,
            table,  # type: ignore[arg-type]
            {
                "trace_id": [r[0] for r in rows],
                "step": [r[1] for r in rows],
                "agent": [r[2] for r in rows],
                "kind": [r[3] for r in rows],
                "payload": [_json(r[4]) for r in rows],
                "created_at": [r[5] for r in rows],
            },
        )


def _json(payload: Mapping[str, Any]) -> str:
    # bulk_insert sends driver-level values: JSON columns need their text form.
    return json.dumps(payload, default=str, separators=(",", ":"))


async def trace(db: Database, trace_id: str) -> list[dict[str, Any]]:
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(DecisionLogEntry)
                .where(DecisionLogEntry.trace_id == trace_id)
                .order_by(DecisionLogEntry.id)
            )
        ).all()
    if not rows:
        raise NotFound(f"no decision with trace id {trace_id!r}")
    return [
        {
            "agent": r.agent,
            "step": r.step,
            "kind": r.kind,
            "payload": r.payload,
            "at": r.created_at.isoformat(),
        }
        for r in rows
    ]
