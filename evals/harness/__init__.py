"""The eval harness: suites as data, a runner that drives the whole team, evaluators, reports.

    suite (JSON) → cases (member + moment + expected properties) → run the team on each, with a
    fixed clock, in its own copy of a seeded world → evaluators → summary.json, cases.jsonl,
    transcripts and an HTML report

`run_suite` runs one suite (`seed`, `scenarios`, `guard`, or a suite file) and writes its report;
`compare_runs` diffs two run directories; `load_thresholds` reads the scores CI holds the product to.
"""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from evals.harness.compare import Comparison, compare_runs
    from evals.harness.evaluators import Seen, evaluate
    from evals.harness.run import RunOptions, run_suite
    from evals.harness.run_dir import read_run, write_run
    from evals.harness.run_results import CaseResult, Check, RunSummary
    from evals.harness.simulation import SimulationOptions, run_simulation_suite
    from evals.harness.suite import Case, Expectations, Suite, load_suite
    from evals.harness.thresholds import Thresholds, load_thresholds

__all__ = [
    "Case",
    "CaseResult",
    "Check",
    "Comparison",
    "Expectations",
    "RunOptions",
    "RunSummary",
    "Seen",
    "SimulationOptions",
    "Suite",
    "Thresholds",
    "compare_runs",
    "evaluate",
    "load_suite",
    "load_thresholds",
    "read_run",
    "run_simulation_suite",
    "run_suite",
    "write_run",
]

__getattr__ = lazy_exports(__name__)
