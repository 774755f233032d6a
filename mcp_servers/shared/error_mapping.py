"""Turn failures a caller can act on into tool errors with a clear message.

MCPServer already turns argument validation failures into error results and hides the details of
unexpected exceptions. This adds the middle ground: our domain errors keep their message, and a
database outage says so (and the server keeps serving: the next call opens a new connection).
`readable` words a validation failure for a model to fix: the field, then what is wrong with it,
without pydantic's error types, echoed input values or documentation links.
"""

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import structlog
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError

from tools.errors import LoyaltyError

P = ParamSpec("P")
R = TypeVar("R")
log = structlog.get_logger()
MAX_PROBLEMS = 10


def readable(exc: ValidationError) -> str:
    problems = [f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()]
    more = f" (and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
    return "; ".join(problems[:MAX_PROBLEMS]) + more


def tool_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except LoyaltyError as exc:
            raise ToolError(str(exc)) from exc
        except ValidationError as exc:
            raise ToolError(f"invalid input: {readable(exc)}") from exc
        except (OperationalError, DBAPIError, OSError) as exc:
            error = str(exc).splitlines()[0]
            # SQLite's lock held past busy_timeout (a bulk write such as seeding): the same retry,
            # but the client learns the database is up.
            state = "busy" if "database is locked" in error else "unavailable"
            log.warning(f"tool.database_{state}", tool=fn.__name__, error=error)
            raise ToolError(f"database {state}; retry shortly (nothing was written)") from exc

    return wrapper
