"""Readiness: what stands between a database and useful decisions, with the command that fixes it.

- `use_cases`: `loyalty check`, per use case (members, consent, fresh data, budget, trigger rules);
- `servers`: whether the MCP servers can start on a database and will have anything to say
  (`loyalty mcp config`, the servers' own start);
- `freshness`: the newest order or event, which both judge staleness by.

`use_cases` is imported on first use: it reads the fitted models' store, which brings scikit-learn,
and an MCP server process checks its database through this package without needing either.
"""

import importlib
from typing import TYPE_CHECKING, Any

from tools.readiness.servers import ServerReadiness, check_readiness, require_existing, sqlite_file

if TYPE_CHECKING:
    from tools.readiness.use_cases import Gap, Readiness, UseCaseReadiness, readiness

_USE_CASES = frozenset({"Gap", "Readiness", "UseCaseReadiness", "readiness"})

__all__ = [
    "Gap",
    "Readiness",
    "ServerReadiness",
    "UseCaseReadiness",
    "check_readiness",
    "readiness",
    "require_existing",
    "sqlite_file",
]


def __getattr__(name: str) -> Any:
    if name in _USE_CASES:
        return getattr(importlib.import_module("tools.readiness.use_cases"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
