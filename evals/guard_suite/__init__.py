"""The guard's adversarial suite: cases as JSON data, their schema, and the worlds they need.

Run it with `evals.guard_runner.run_guard_suite`.
"""

from evals.guard_suite.cases import SUITE_DIR, GuardCase, load_guard_suite

__all__ = ["SUITE_DIR", "GuardCase", "load_guard_suite"]
