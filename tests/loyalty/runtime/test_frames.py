"""A process keeps its profile frames fresh, and a failed pass never stops it."""

import anyio

from loyalty.runtime.frames import keep_frame_fresh
from tools.errors import InvalidInput


class Frames:
    """Stands in for the profile service: the first build fails, the next ones succeed, and each
    pass after a build catches up."""

    def __init__(self, catch_ups_wanted: int) -> None:
        self.attempts = 0
        self.caught_up = 0
        self.enough = anyio.Event()
        self._wanted = catch_ups_wanted

    async def frame(self) -> None:
        self.attempts += 1
        if self.attempts == 1:
            raise InvalidInput("not enough history to fit models yet")

    async def catch_up(self) -> int:
        self.caught_up += 1
        if self.caught_up == self._wanted:
            self.enough.set()
        return 1


async def test_a_failed_pass_is_tried_again_and_every_pass_catches_up() -> None:
    frames = Frames(catch_ups_wanted=2)
    async with anyio.create_task_group() as background:
        background.start_soon(lambda: keep_frame_fresh(frames, every=0))  # type: ignore[arg-type]
        with anyio.fail_after(5):
            await frames.enough.wait()
        background.cancel_scope.cancel()
    assert frames.attempts == 3 and frames.caught_up == 2
