"""The decision service: a pass queues what fires and decides it once; the service keeps passing
after a failed pass; `loyalty worker --once` does one pass from the command line."""

import re
from dataclasses import dataclass
from datetime import date, datetime

import anyio
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from agents.team import local_model
from loyalty.cli.app import app
from loyalty.runtime.service import PassReport, ServiceConfig, decide_due, serve_decisions
from loyalty.wiring import open_agents
from policies.vocabulary import UseCase
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.models import Contact
from tools.storage.runtime import QueuedTrigger
from tools.triggers import ExpectedPurchase, ReplenishmentDue, load_trigger_rules, replenishment_due
from tools.triggers.replenishment import expected_from_profiles


async def queued_contacts(world: SeededWorld) -> int:
    async with world.open() as product, product.db.session() as s:
        return int(
            await s.scalar(select(func.count()).select_from(Contact).where(Contact.status == "queued")) or 0
        )


@dataclass(frozen=True)
class DefaultPass:
    """A pass with the default rules over a copy of the seeded world, then the same pass again."""

    world: SeededWorld
    first: PassReport
    again: PassReport
    expected: list[ExpectedPurchase]  # the replenishment dates the profiles predicted
    predicted_categories: int  # replenishment predictions in the frame
    first_member_dates: list[date]  # the frame's expected dates of its first member
    first_member: int


@pytest.fixture(scope="module")
def default_pass(shared_world: SeededWorld, tmp_path_factory: pytest.TempPathFactory) -> DefaultPass:
    """One pass for every test that reads it (read-only): a pass decides the whole seeded world."""
    world = shared_world.copy_to(tmp_path_factory.mktemp("default-pass"))

    async def passes() -> DefaultPass:
        config = ServiceConfig(name="test")
        now = world.now.replace(tzinfo=None)
        async with world.open() as product, open_agents(product, local_model()) as team:
            expected = await expected_from_profiles(product.profiles)(now)
            frame = await product.profiles.frame(now)
            first = await decide_due(product, team, lambda: world.now, config, prime=True)
            again = await decide_due(product, team, lambda: world.now, config, prime=True)
        member = int(frame.history.members.customer_id[0])
        return DefaultPass(
            world=world,
            first=first,
            again=again,
            expected=expected,
            predicted_categories=len(frame.predictions.replenishment.category),
            first_member_dates=sorted(r["expected_next_date"] for r in frame.replenishment_of(0)),
            first_member=member,
        )

    return anyio.run(passes)


async def test_a_pass_queues_what_fires_and_decides_it_once(default_pass: DefaultPass) -> None:
    first, again = default_pass.first, default_pass.again
    assert first.enqueued > 0 and first.work.failed == 0
    assert first.work.decided == sum(first.work.outcomes.values()) > 0
    assert await queued_contacts(default_pass.world) == first.work.outcomes["sent"] > 0
    assert (again.enqueued, again.work.decided) == (0, 0)  # nothing fires twice, nothing is decided twice


async def test_the_service_passes_again_after_a_failed_pass(world: SeededWorld) -> None:
    calls = 0

    def clock() -> datetime:  # the first pass fails (as a database outage would), the rest do not
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("disk I/O error")
        return world.now

    reports: list[PassReport] = []
    decided = anyio.Event()

    def on_pass(report: PassReport) -> None:
        reports.append(report)
        if report.work.decided:
            decided.set()

    config = ServiceConfig(poll_seconds=0.01, name="test", catch_up_seconds=0.01)
    async with (
        world.open() as product,
        open_agents(product, local_model()) as team,
        anyio.create_task_group() as service,
    ):
        service.start_soon(serve_decisions, product, team, clock, config, on_pass)
        with anyio.fail_after(120):
            await decided.wait()
        service.cancel_scope.cancel()
    assert reports[0].work.decided > 0 and reports[0].work.failed == 0  # the pass after the failed one


def test_worker_once_from_the_command_line(world: SeededWorld) -> None:
    env = {
        "ANTHROPIC_API_KEY": None,
        "LOYALTY_MODELS_DIR": str(world.models_dir),
        "LOYALTY_LOG_LEVEL": "warning",
    }
    args = ["worker", "--once", "--db", world.url, "--at", world.now.isoformat()]
    first = CliRunner().invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    assert "triggers queued" in first.output and "sent" in first.output
    second = CliRunner().invoke(app, args, env=env)
    assert second.exit_code == 0, second.output
    assert re.findall(r"(triggers queued|decided)\s*│\s*([\d,]+)", second.output) == [
        ("triggers queued", "0"),
        ("decided", "0"),
    ]


def test_a_pass_runs_every_enabled_default_trigger_rule(default_pass: DefaultPass) -> None:
    """Replenishment included: its expected dates come from the profiles, so no rule is left out."""
    rules = load_trigger_rules()
    now = default_pass.world.now.replace(tzinfo=None)
    report, expected = default_pass.first, default_pass.expected
    assert report.not_run == {}
    assert {run.rule for run in report.rules} == {rule.name for rule in rules.enabled}
    # The source is the profiles' own replenishment predictions, category names turned into ids.
    assert expected and len(expected) == default_pass.predicted_categories
    first = default_pass.first_member
    assert (
        sorted(e.expected_on for e in expected if e.customer_id == first) == default_pass.first_member_dates
    )
    rule = next(r for r in rules.enabled if isinstance(r, ReplenishmentDue))
    ran = next(run for run in report.rules if run.rule == rule.name)
    assert ran.candidates == len(replenishment_due(expected, rule, now))


async def test_a_disabled_use_case_has_no_trigger_rule_run(world: SeededWorld) -> None:
    config = ServiceConfig(name="test", disabled_use_cases=frozenset({UseCase.UPSELL}))
    async with world.open() as product, open_agents(product, local_model()) as team:
        report = await decide_due(product, team, lambda: world.now, config, prime=True)
        async with product.db.session() as s:
            upsell = await s.scalar(
                select(func.count())
                .select_from(QueuedTrigger)
                .where(QueuedTrigger.use_case == UseCase.UPSELL.value)
            )
    ran = {run.rule for run in report.rules}
    assert ran == {r.name for r in load_trigger_rules().enabled if r.use_case is not UseCase.UPSELL}
    assert upsell == 0
