"""The guard's adversarial suite: cases as JSON data, their schema, and the worlds they need.

Run it with `evals.guard_runner.run_guard_suite`.
"""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from evals.guard_suite.cases import SUITE_DIR, GuardCase, load_guard_suite
    from evals.guard_suite.world import build_world, profile_source

__all__ = ["GuardCase", "SUITE_DIR", "build_world", "load_guard_suite", "profile_source"]

__getattr__ = lazy_exports(__name__)
