"""A served server keeps its whole-base profile frame fresh, and a failed build never stops it."""

import anyio
import pytest

from loyalty.mcp_entry import keep_frame_fresh, serve
from loyalty.settings import Settings
from tools.errors import InvalidInput


class Frames:
    """Stands in for the profile service: the first build fails, the next ones succeed."""

    def __init__(self, builds_wanted: int) -> None:
        self.attempts = 0
        self.built = 0
        self.enough = anyio.Event()
        self._wanted = builds_wanted

    async def frame(self) -> None:
        self.attempts += 1
        if self.attempts == 1:
            raise InvalidInput("not enough history to fit models yet")
        self.built += 1
        if self.built == self._wanted:
            self.enough.set()


async def test_the_frame_is_rebuilt_after_a_failed_build_and_again_later() -> None:
    frames = Frames(builds_wanted=2)
    async with anyio.create_task_group() as background:
        background.start_soon(lambda: keep_frame_fresh(frames, pause=0))  # type: ignore[arg-type]
        with anyio.fail_after(5):
            await frames.enough.wait()
        background.cancel_scope.cancel()
    assert frames.attempts == 3 and frames.built == 2


async def test_an_unknown_server_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown server 'billing'"):
        await serve("billing", Settings())
