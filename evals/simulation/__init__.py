"""The simulator: policies scored on a synthetic population's hidden response behaviour."""

from evals.simulation.engine import SimulationConfig, run_simulation

__all__ = ["SimulationConfig", "run_simulation"]
