"""The off-policy estimates from the agents' decision log, held against the simulator's truth on a
small world: the agents' own policy estimated on-policy covers the expected incremental margin of
what they sent, and doing nothing is estimated at zero, which is what it earns.

The world is small but its log holds an order: on a log without one every reward is zero and the
bootstrap interval shrinks to a point that misses the truth (300 members × 2 days on an earlier world: a known limit of
the percentile bootstrap, stated in docs/simulation.md)."""

from pathlib import Path

import pytest

from evals.simulation.engine import SimulationConfig
from evals.simulation.offline_check import validate
from tests.evals.simulation.test_engine import POPULATION


async def test_estimates_from_the_decision_log_cover_the_simulators_truth(tmp_path: Path) -> None:
    config = SimulationConfig(population=POPULATION, members=250, days=2, directory=tmp_path)
    result = await validate(config)
    assert result.decisions > 0 and result.messages > 0  # the log holds decisions that sent something
    assert result.realised_agents != 0  # ... and some of them earned or lost margin
    checks = {(c.policy, c.reward, c.method): c for c in result.checks}
    for reward in ("logged", "incremental"):
        for method in ("IPS", "SNIPS", "DR"):
            agents, nothing = checks["agents", reward, method], checks["nothing", reward, method]
            assert agents.truth == result.truth_agents
            assert agents.covered, (reward, method, agents.estimate, agents.truth)
            assert nothing.truth == 0.0 and nothing.covered, (reward, method, nothing.estimate)
    # the simulator's realised margin, joined to the log by trace, is what the on-policy mean averages
    assert checks["agents", "incremental", "IPS"].estimate.mean == pytest.approx(result.realised_agents)
    # policies the harness cannot run are estimated but have no truth to be held against
    assert checks["no_discount", "logged", "DR"].truth is None
    assert checks["no_discount", "logged", "DR"].covered is None
