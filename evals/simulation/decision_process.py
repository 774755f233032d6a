"""A second process deciding the simulated day's triggers beside the simulator's own.

This is how the product scales out: worker processes on one database, the trigger queue leasing
each member to one worker at a time and caps and budgets held by the database (see
`loyalty.runtime.worker`). The simulator's decisions are CPU-bound in one event loop, so a second
process puts a machine's second core to work on the same queue.
"""

import asyncio
import contextlib
import multiprocessing
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Literal

from loyalty.logs import configure_logging
from loyalty.runtime.worker import WorkReport, drain
from loyalty.settings import Settings
from loyalty.wiring import named_model, open_agents, open_product
from tools.triggers import due_members


class DecisionProcess:
    """A child process with the product and the agents open on a world's database; `decide` has
    it prime the profiles of the members with due triggers and drain the queue as of a moment."""

    def __init__(self, settings: Settings, workers: int, model: Literal["local", "claude"] = "local") -> None:
        # "spawn": a forked child would inherit the parent's event loop and open connections.
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(settings, workers, model, child), daemon=True)
        self._process.start()
        child.close()
        self._started = False

    async def started(self) -> None:
        """Returns once the child has the product and the agents open (a few seconds after spawning)."""
        if not self._started:
            await self._receive()
            self._started = True

    async def decide(self, moment: datetime) -> WorkReport:
        """Returns once the child found the queue empty (what it decided), or raises if it died."""
        await self.started()
        self._pipe.send(moment)
        report: WorkReport = await self._receive()
        return report

    async def _receive(self) -> object:
        try:
            return await asyncio.to_thread(self._pipe.recv)
        except (EOFError, OSError):  # the pipe closed under us: the child is gone
            raise RuntimeError(f"the decision process exited (code {self._process.exitcode})") from None

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self._pipe.send(None)
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.terminate()
        self._pipe.close()

    def __enter__(self) -> "DecisionProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(settings: Settings, workers: int, model: Literal["local", "claude"], pipe: Connection) -> None:
    configure_logging("warning")  # its logs would interleave with the parent's output
    asyncio.run(_decide_until_closed(settings, workers, model, pipe))


async def _decide_until_closed(
    settings: Settings, workers: int, model: Literal["local", "claude"], pipe: Connection
) -> None:
    now: list[datetime | None] = [None]

    def clock() -> datetime:
        assert now[0] is not None
        return now[0]

    async with (
        open_product(settings, clock=clock, sqlite_inline=workers == 1) as product,
        open_agents(product, named_model(model, settings)) as team,
    ):
        pipe.send(True)  # started
        while (moment := await asyncio.to_thread(pipe.recv)) is not None:
            now[0] = moment
            await product.profiles.prime(moment, await due_members(product.db, moment))
            pipe.send(await drain(product.db, team, clock=clock, workers=workers, name="second-process"))
