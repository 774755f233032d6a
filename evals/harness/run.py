"""One eval run end to end: pick the suite, build what it needs, run it, score it, write the report.

Used by `loyalty eval run` and by the CI test alike. A run is reproducible from what
`summary.json` records: the suite file's digest, the base world (population, seed, size, end
date), the moment, the model, the policy version and the code's commit.
"""

import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import anyio
from pydantic import BaseModel, ConfigDict, Field

from agents.models import Model
from agents.team import local_model
from evals.harness.base_world import prepare_world
from evals.harness.guard import guard_cases, run_guard
from evals.harness.run_dir import write_run
from evals.harness.run_results import CaseResult, Metric, RunSummary, scenario_metrics, score_cases
from evals.harness.runner import ScenarioContext, first_moment, run_cases
from evals.harness.suite import Suite, load_suite, suite_digest, suite_path
from loyalty.settings import PACKAGE_ROOT, Settings
from loyalty.wiring import named_model, policy_from
from tools.errors import InvalidInput

GUARD_SUITE = "guard"


class RunOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    suite: str  # seed, scenarios, guard, or the path of a suite file
    out_dir: Path
    model: Literal["local", "claude"] = "local"
    world_db: Path | None = None  # keep (or reuse) the base world in this SQLite file
    members: int | None = Field(None, ge=50, le=20_000)  # base world size, instead of the suite's
    seed: int | None = Field(None, ge=0)  # base world seed, instead of the suite's
    sample: int | None = Field(None, ge=1)  # run this many cases, spread evenly over the suite
    cases: tuple[str, ...] = ()  # run only these cases
    concurrency: int = Field(2, ge=1, le=16)


Progress = Callable[[CaseResult], None]


async def run_suite(
    options: RunOptions,
    settings: Settings,
    *,
    on_start: Callable[[int], None] | None = None,
    on_case: Progress | None = None,
) -> RunSummary:
    """Run a suite and write its report into `options.out_dir`. Raises InvalidInput when the run
    cannot start (unknown suite, bad suite file, no API key for Claude, an unusable --db)."""
    started_at, started = datetime.now(UTC), time.perf_counter()
    model = _model(options.model, settings)
    # Suites judge the decision the agents think best; exploring is for live traffic and the simulator.
    settings = settings.model_copy(update={"exploration_share": 0.0})
    if options.suite == GUARD_SUITE:
        cases, metrics, config = await _guard(options, settings, model, on_start, on_case)
    else:
        cases, metrics, config = await _scenarios(options, settings, model, on_start, on_case)
    counts, evaluators = score_cases(cases)
    code = await anyio.to_thread.run_sync(code_version)
    summary = RunSummary(
        suite=config["suite"],
        model=model.name if model else "local",
        config=config
        | {
            "model": options.model,
            "concurrency": options.concurrency,
            "sample": options.sample,
            "cases_selected": list(options.cases),
            "code": code,
        },
        started_at=started_at,
        seconds=round(time.perf_counter() - started, 2),
        cases=counts,
        evaluators=evaluators,
        metrics=metrics,
    )
    write_run(options.out_dir, summary, cases)
    return summary


def code_version() -> dict[str, Any]:
    """The commit the run's code came from, and whether the working tree differed from it: the
    same suite, seed and config on different code is a different experiment."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def _model(choice: str, settings: Settings) -> Model | None:
    """None means each suite's own local model (the whole team, or the guard alone)."""
    return None if choice == "local" else named_model("claude", settings)


def load_selected(options: RunOptions) -> tuple[Suite, Path]:
    path = suite_path(options.suite)
    try:
        suite = load_suite(path)
        if options.cases:
            suite = suite.only(options.cases)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if options.sample is not None:
        suite = suite.sample(options.sample)
    world = suite.world.model_copy(
        update={k: v for k, v in (("members", options.members), ("seed", options.seed)) if v is not None}
    )
    return suite.model_copy(update={"world": world}), path


async def _scenarios(
    options: RunOptions,
    settings: Settings,
    model: Model | None,
    on_start: Callable[[int], None] | None,
    on_case: Progress | None,
) -> tuple[tuple[CaseResult, ...], dict[str, Metric], dict[str, Any]]:
    suite, path = load_selected(options)
    policy = policy_from(settings)
    with tempfile.TemporaryDirectory(prefix="loyalty-eval-") as scratch:
        workdir = Path(scratch)
        world_db = options.world_db.resolve() if options.world_db else workdir / "base.db"
        world = await prepare_world(suite.world, world_db, first_moment(suite.cases, suite), settings)
        if on_start is not None:
            on_start(len(suite.cases))
        context = ScenarioContext(
            suite=suite,
            world=world,
            model=model or local_model(),
            settings=settings,
            workdir=workdir,
            out_dir=options.out_dir,
        )
        cases = await run_cases(context, concurrency=options.concurrency, on_case=on_case)
    config = {
        "suite": suite.name,
        "suite_file": str(path),
        "suite_digest": suite_digest(path),
        "world": suite.world.model_dump(mode="json")
        | {"reused": world.reused, "db": str(world_db) if options.world_db else None},
        "now": suite.now.isoformat(),
        "policy_version": policy.version,
        "cases_run": len(cases),
    }
    return cases, scenario_metrics(cases, score_cases(cases)[1]), config


async def _guard(
    options: RunOptions,
    settings: Settings,
    model: Model | None,
    on_start: Callable[[int], None] | None,
    on_case: Progress | None,
) -> tuple[tuple[CaseResult, ...], dict[str, Metric], dict[str, Any]]:
    try:
        cases = guard_cases(sample=options.sample, ids=options.cases)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    policy = policy_from(settings)
    if on_start is not None:
        on_start(len(cases))
    results, metrics = await run_guard(
        cases, model, policy, options.out_dir, concurrency=options.concurrency, on_case=on_case
    )
    return (
        results,
        metrics,
        {"suite": GUARD_SUITE, "policy_version": policy.version, "cases_run": len(results)},
    )
