"""The simulation suite on a tiny world holds the invariants in `evals/thresholds.toml`."""

from pathlib import Path

from evals.harness.simulation import SimulationOptions, run_simulation_suite
from evals.harness.thresholds import load_thresholds
from tests.evals.simulation.test_engine import POPULATION


async def test_the_simulation_suite_holds_its_thresholds(tmp_path: Path) -> None:
    thresholds = load_thresholds()
    assert "simulation" in thresholds.suites
    summary = await run_simulation_suite(
        SimulationOptions(population=POPULATION, members=80, days=2, seeds=1, processes=1), tmp_path / "sim"
    )
    assert thresholds.breaches(summary) == []
    assert summary.metrics["blast.contacts_per_member"]["mean"] > 0  # type: ignore[index]
