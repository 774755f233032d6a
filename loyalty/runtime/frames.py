"""Keeping a process's profile frames fresh, so single profiles are mostly served from them.

A served customer-data or offers server runs this beside the protocol, and so does the decision
worker: a trigger fires an hour after a cart was left or a day after a purchase, by when the
member's records are in a frame, and the decision reads their profile from it.
"""

import anyio
import structlog

from tools.errors import LoyaltyError
from tools.profiles import ProfileService

log = structlog.get_logger(__name__)


async def keep_frame_fresh(profiles: ProfileService, *, every: float, first_after: float = 0.0) -> None:
    """After `first_after` seconds, then every `every` seconds, `ProfileService.refresh`: the
    whole-base frame is rebuilt before it stops being reusable, and between, the members with
    records dated since are caught up. A profile is then computed from the records only for a
    member active in the last few seconds.
    A failed pass is logged and tried again: a known condition (no data or no models yet, say while
    the database is reseeded) as one line, anything else with its traceback."""
    await anyio.sleep(first_after)
    while True:
        try:
            caught_up = await profiles.refresh()
            if caught_up:
                log.debug("profiles.caught_up", members=caught_up)
        except LoyaltyError as exc:
            log.warning("profiles.frame_refresh_failed", error=str(exc).splitlines()[0])
        except Exception:  # a database outage, a bug: the process keeps serving
            log.warning("profiles.frame_refresh_failed", exc_info=True)
        await anyio.sleep(every)
