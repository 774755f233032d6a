"""A process keeps its profile frames fresh, and a failed pass never stops it."""

import anyio
import structlog.testing

from loyalty.runtime.frames import keep_frame_fresh
from tools.errors import InvalidInput


class Frames:
    """Stands in for the profile service: the first pass fails, the next ones succeed."""

    def __init__(self, passes_wanted: int) -> None:
        self.attempts = 0
        self.enough = anyio.Event()
        self._wanted = passes_wanted

    async def refresh(self) -> int:
        self.attempts += 1
        if self.attempts == 1:
            raise InvalidInput("not enough history to fit models yet")
        if self.attempts - 1 == self._wanted:
            self.enough.set()
        return 1


async def test_a_failed_pass_is_tried_again_and_passes_go_on() -> None:
    frames = Frames(passes_wanted=2)
    with structlog.testing.capture_logs() as logs:
        async with anyio.create_task_group() as background:
            background.start_soon(lambda: keep_frame_fresh(frames, every=0))  # type: ignore[arg-type]
            with anyio.fail_after(5):
                await frames.enough.wait()
            background.cancel_scope.cancel()
    assert frames.attempts == 3
    # a known condition is one line every pass (every 10 s in a server), not a traceback
    failed = [entry for entry in logs if entry["event"] == "profiles.frame_refresh_failed"]
    assert failed == [
        {
            "event": "profiles.frame_refresh_failed",
            "log_level": "warning",
            "error": "not enough history to fit models yet",
        }
    ]
