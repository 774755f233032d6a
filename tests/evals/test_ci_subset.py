"""The CI subset of the eval harness: the seed suite, a sample of the scenarios and of the guard's
suite, on the local model, held to the scores in `evals/thresholds.toml`.

A failure here means the product got worse at something the thresholds protect; the message names
each breach and the failing cases. Raise the floors when the product improves; do not lower them.
"""

from pathlib import Path

import pytest

from evals.harness.run import RunOptions, run_suite
from evals.harness.run_dir import read_run
from evals.harness.thresholds import load_thresholds
from loyalty.settings import Settings

THRESHOLDS = load_thresholds()


@pytest.fixture(autouse=True)
def _no_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


async def test_the_ci_subset_holds_the_thresholds(tmp_path: Path) -> None:
    world = tmp_path / "world" / "base.db"  # seeded by the first suite, reused by the second
    world.parent.mkdir()
    runs = (
        ("seed", None),
        ("scenarios", THRESHOLDS.ci.scenario_sample),
        ("guard", THRESHOLDS.ci.guard_sample),
    )
    breaches: list[str] = []
    for suite, sample in runs:
        out = tmp_path / suite
        summary = await run_suite(
            RunOptions(suite=suite, out_dir=out, world_db=world, sample=sample), Settings()
        )
        assert summary.cases.errored == 0, [c.error for c in read_run(out)[1] if c.error]
        if found := THRESHOLDS.breaches(summary):
            failing = [
                f"{c.id}: " + "; ".join(f"{k.evaluator}: {k.reason}" for k in c.checks if not k.passed)
                for c in read_run(out)[1]
                if not c.passed
            ]
            breaches += found + [f"  failing {line}" for line in failing]
    assert not breaches, "\n".join(breaches)
