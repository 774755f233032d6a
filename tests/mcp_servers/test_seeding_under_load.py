"""Seeding and the four servers on one SQLite file at once, through real MCP clients.

`sqlite3.InterfaceError: bad parameter or other API misuse` broke seeding runs on a loaded machine:
a cursor freed on one thread reset a statement another thread was running (`tools/storage/
sqlite_driver.py` says how). Here the product's seeding drops, re-creates and rewrites the world
while the servers, opened as `loyalty mcp` opens them (threaded driver), answer concurrent calls
from in-memory clients and from one `python -m mcp_servers.customer_data` subprocess. Every call
must answer or refuse cleanly ("retry shortly", "not found"), and seeding must write the whole
world. `benchmarks/seeding_under_load.py` runs the same at 50,000 members.
"""

from dataclasses import replace
from pathlib import Path

from benchmarks.seeding_under_load import END, SEED, SMALL_WORLD, LoadPlan, run_load
from tests.mcp_servers.seeded_world import MEMBERS, SeededWorld, row_counts
from tools.storage.db import database


async def test_every_call_answers_or_refuses_cleanly_while_the_world_is_reseeded(
    world: SeededWorld, tmp_path: Path
) -> None:
    assert (MEMBERS, world.now.date()) == (SMALL_WORLD, END)  # the benchmark's small world is this one
    plan = LoadPlan(
        db_path=world.db_path,
        models_dir=world.models_dir,
        truth_dir=tmp_path / "truth",
        members=MEMBERS,
        seed=SEED,
        end=END,
        now=world.now,
        workers=6,
    )
    report = await run_load(plan)

    assert not report.broken, report.broken[:10]
    assert report.during_seeding["ok"] > 0, report.during_seeding  # the servers really answered meanwhile
    assert set(report.outcomes) <= {"ok", "busy", "not found", "no member", "not joined"}, report.outcomes
    assert report.after and all(report.after.values()), report.after  # and still answer afterwards
    seeded = report.seeded
    assert seeded is not None and seeded.info.customers == MEMBERS
    db = database(replace(world, db_path=plan.db_path).url)
    try:
        counts = await row_counts(db)
    finally:
        await db.dispose()
    assert {name: counts[name] for name in seeded.rows} == seeded.rows
    assert counts["customers"] == MEMBERS
