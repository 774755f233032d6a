"""The demo says which model decided, and plainly when the local model answered instead."""

from evals.simulation.metrics import PolicyMetrics
from loyalty.cli.demo import _models_line


def metrics(decisions: int, degraded: int, tokens: int = 0, cost: float = 0.0) -> dict[str, PolicyMetrics]:
    return {
        "agents": PolicyMetrics(
            policy="agents",
            metrics={},
            decisions=decisions,
            contacts=0,
            degraded=degraded,
            tokens=tokens,
            cost_usd=cost,
        )
    }


def test_an_outage_is_said_with_how_many_decisions_fell_back() -> None:
    line = _models_line(metrics(120, 117, tokens=9_000, cost=0.03), "claude")
    assert line.startswith("on the claude model, DEGRADED: 117 of 120 fell back to the local model")
    assert "9,000 model tokens, est. $0.03" in line


def test_a_clean_claude_run_and_a_local_run() -> None:
    assert (
        _models_line(metrics(10, 0, tokens=500, cost=0.01), "claude")
        == "on the claude model · 500 model tokens, est. $0.01"
    )
    assert _models_line(metrics(10, 0), "local") == "on the local model"
