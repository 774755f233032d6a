"""The SQL decision log: a decision's nested runs are written together when the outermost ends."""

import pytest

from agents.decision_log import StepKind
from tools.decisions.log import SqlDecisionLog, trace
from tools.errors import NotFound
from tools.storage.db import Database


async def test_nested_runs_of_one_trace_are_written_when_the_outermost_run_ends(db: Database) -> None:
    log = SqlDecisionLog(db)
    steps = [
        ("orchestrator", StepKind.RUN_START),
        ("reactivation", StepKind.RUN_START),
        ("reactivation", StepKind.RUN_END),
        ("guard", StepKind.RUN_START),
        ("guard", StepKind.TOOL_CALL),
        ("guard", StepKind.RUN_END),
    ]
    for agent, kind in steps:
        await log.record("t1", agent, 1, kind, {"agent": agent})
    with pytest.raises(NotFound):  # inner runs ended, the decision has not: nothing written yet
        await trace(db, "t1")
    await log.record("t1", "orchestrator", 2, StepKind.RUN_END, {"output": "done"})
    written = await trace(db, "t1")
    assert [(s["agent"], s["kind"]) for s in written] == [
        *((agent, str(kind)) for agent, kind in steps),
        ("orchestrator", "run_end"),
    ]
    assert written[-1]["payload"] == {"output": "done"}


async def test_a_lone_run_is_written_when_it_ends_while_another_trace_stays_open(db: Database) -> None:
    log = SqlDecisionLog(db)
    await log.record("open", "orchestrator", 0, StepKind.RUN_START, {})
    await log.record("guard-only", "guard", 0, StepKind.RUN_START, {})
    await log.record("guard-only", "guard", 1, StepKind.RUN_END, {})
    assert [s["kind"] for s in await trace(db, "guard-only")] == ["run_start", "run_end"]
