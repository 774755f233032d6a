"""The simulator: policies scored on a synthetic population's hidden response behaviour."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from evals.simulation.engine import SimulationConfig, clear_previous_run, run_simulation
    from evals.simulation.kpi_page import LABELS, write_report
    from evals.simulation.metrics import METRICS, PolicyMetrics

__all__ = [
    "LABELS",
    "METRICS",
    "PolicyMetrics",
    "SimulationConfig",
    "clear_previous_run",
    "run_simulation",
    "write_report",
]

__getattr__ = lazy_exports(__name__)
