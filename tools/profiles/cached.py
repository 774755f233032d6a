"""Profiles for the decision path, computed once per member per moment.

One decision reads a member's profile several times (the specialist, the scorer, every rule check,
the guard). Computing it once and sharing it for a short window keeps a decision fast; the
profile's own `as_of` says how old it is, so nothing is ever stale without saying so. When a batch
of decisions is due at one moment (a scheduler tick, a campaign), `prime` computes their members'
profiles (or everyone's) in one set-based pass, and the service serves single lookups from it (see
`ProfileService.profile`: while it is fresh and the member has nothing newer).

A profile asked for long after the data ends (a server on the real clock over an old world)
needs the newest order's time to pick its models; that too is read at most once per `ttl`.

A decision asks for the profile and the scores in one turn, in parallel: both miss the cache at
once, so a request arriving while the member's profile is being computed for a moment it would
accept from the cache shares that computation.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tools.profiles.profile import Profile
from tools.profiles.service import ProfileService


@dataclass
class CachedProfiles(ProfileService):
    ttl: timedelta = timedelta(seconds=30)
    _recent: dict[int, tuple[datetime, Profile]] = field(default_factory=dict, repr=False)
    _newest: tuple[datetime, datetime | None] | None = field(
        default=None, repr=False
    )  # (read at, newest order)
    _computing: dict[int, tuple[datetime, asyncio.Future[Profile]]] = field(default_factory=dict, repr=False)

    async def profile(self, member: int | str, as_of: datetime | None = None) -> Profile:
        moment = self._moment(as_of)
        customer_id = member if isinstance(member, int) else await self.resolve(member)
        cached = self._recent.get(customer_id)
        if cached is not None and cached[0] <= moment <= cached[0] + self.ttl:
            return cached[1]
        found = await self._computed_once(customer_id, as_of, moment)
        # Kept from the moment asked, not the profile's `as_of`: a row served from a frame minutes
        # old is this moment's profile too (nothing of the member's is dated since).
        self._recent[customer_id] = (moment, found)
        return found

    async def _computed_once(self, customer_id: int, as_of: datetime | None, moment: datetime) -> Profile:
        started, computing = self._computing.get(customer_id, (moment, None))
        if computing is None or not started <= moment <= started + self.ttl:
            computing = asyncio.ensure_future(super().profile(customer_id, as_of))
            self._computing[customer_id] = (moment, computing)
            computing.add_done_callback(lambda done: self._forget_computation(customer_id, done))
        # One caller giving up (a cancelled decision) must not cancel the others' computation.
        return await asyncio.shield(computing)

    def _forget_computation(self, customer_id: int, done: asyncio.Future[Profile]) -> None:
        if self._computing.get(customer_id, (None, None))[1] is done:
            del self._computing[customer_id]

    async def prime(self, as_of: datetime, members: Sequence[int] | None = None) -> None:
        self._recent.clear()
        await super().prime(as_of, members)

    async def newest_data(self) -> datetime | None:
        now = self._moment(None)
        read = self._newest
        if read is not None and read[0] <= now <= read[0] + self.ttl:
            return read[1]
        newest = await super().newest_data()
        self._newest = (now, newest)
        return newest

    def forget(self, customer_id: int) -> None:
        """Drop a member's cached profile (new data arrived for them)."""
        self._recent.pop(customer_id, None)
        self._computing.pop(customer_id, None)
        self._newest = None
