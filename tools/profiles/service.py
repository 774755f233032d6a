"""The profile service: what the CLI and the MCP servers call.

- `profile(member, as_of)`: one member on demand (the real-time path), by internal or external id;
- `frame(as_of)`: every member set-based, reused for a short while (campaigns, searches, counts);
- `find_members`, `segment_counts`, `segment_summary`: views over the frame;
- `models(as_of)` / `fit(as_of)`: the fitted models behind predictions, fitted when missing.

Predictions as of a date use models fitted as of that date or earlier, and history before it.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import func, select

from tools.errors import InvalidInput, NotFound
from tools.members import resolve_member
from tools.profiles.artefact import FittedModels, ModelStore, default_models_dir
from tools.profiles.cohorts import SegmentCount, SegmentSummary, segment_counts, segment_summary
from tools.profiles.frame import SEGMENT_FIELDS, ProfileFrame, build_frame
from tools.profiles.freshness import DEFAULT_STALE_AFTER
from tools.profiles.history import History
from tools.profiles.loader import (
    MAX_NAMED_MEMBERS,
    CategoryTable,
    load_history,
    load_member_history,
    load_members_history,
    recorded_between,
    recorded_members,
)
from tools.profiles.profile import Profile
from tools.profiles.recent_frames import RecentFrames
from tools.profiles.search import MemberFilter, MemberPage, find_members
from tools.profiles.training import TrainingPlan, fit_models, load_training_history
from tools.segments import SegmentBook, load_segments
from tools.storage import Database, Order, off_the_loop
from tools.time import to_storage, utcnow

log = structlog.get_logger(__name__)

FRAME_REUSE = timedelta(minutes=15)  # a batch frame serves requests this much later than its as-of
FRAME_RENEW = (
    FRAME_REUSE * 2 / 3
)  # `refresh` rebuilds it this old: the new one is ready before the old expires
MODEL_MAX_AGE = timedelta(days=30)  # older models are refitted (as of the start of the day) on use


@dataclass
class ProfileService:
    db: Database
    store: ModelStore
    segments: SegmentBook
    stale_after: timedelta = DEFAULT_STALE_AFTER
    plan: TrainingPlan = field(default_factory=TrainingPlan)
    clock: Callable[[], datetime] = utcnow
    fit_when_missing: bool = True  # False: refuse instead of fitting models on first use
    _models: dict[datetime, FittedModels] = field(default_factory=dict, repr=False)
    _frame: ProfileFrame | None = field(default=None, repr=False)
    # frames of few members, newer than the whole-base one: named by `prime`, or found by `catch_up`
    _recent_frames: RecentFrames = field(default_factory=lambda: RecentFrames(FRAME_REUSE), repr=False)
    _caught_up: datetime | None = field(
        default=None, repr=False
    )  # `catch_up` has found everyone active before this
    _catalogue: tuple[datetime, CategoryTable] | None = field(
        default=None, repr=False
    )  # (read at, categories)
    # Fitting and whole-base frames take seconds of CPU: they run in a worker thread so a server
    # keeps answering, and one at a time so concurrent callers wait for the result, not redo it.
    _fitting: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _framing: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def profile(self, member: int | str, as_of: datetime | None = None) -> Profile:
        """One member's profile; `member` is the internal id, or the external id as a string
        (`id:12` / `ext:12` say which when a string could be either)."""
        moment = self._moment(as_of)
        customer_id = member if isinstance(member, int) else await self.resolve(member)
        framed = await self._from_frame(customer_id, moment)
        if framed is not None:
            return framed
        history = await self.history(moment, customer_id)
        if not len(history.members):
            if isinstance(member, int):
                await self.resolve(member)  # raises NotFound for an unknown id
            raise NotFound(f"member {member} had not joined by {moment:%Y-%m-%d %H:%M}")
        models = await self.models(moment)
        return build_frame(history, models, self.segments, self.stale_after).profile(0)

    async def _from_frame(self, customer_id: int, moment: datetime) -> Profile | None:
        """The member's row of the newest frame holding them (the whole-base frame, or a recent one
        from `prime` or `catch_up`), when that frame is fresh for `moment` (built at most
        `FRAME_REUSE` before) and nothing of theirs is dated between its as-of and `moment`: then it
        is the profile a computation as of the frame's moment gives (its `as_of` says so), for one
        statement and no model work. Anything newer of theirs would be in a newer frame, so the
        newest frame holding the member is the only one worth the statement."""
        held = [self._recent_frames.row(customer_id)]
        if self._frame is not None and (row := self._frame.position(customer_id)) is not None:
            held.append((self._frame, row))
        found = max((h for h in held if h is not None), key=lambda h: h[0].as_of, default=None)
        if found is None:
            return None
        frame, row = found
        if not frame.as_of <= moment <= frame.as_of + FRAME_REUSE:
            return None
        if moment > frame.as_of and await recorded_between(self.db, customer_id, frame.as_of, moment):
            return None
        return frame.profile(row)

    async def prime(self, as_of: datetime, members: Sequence[int] | None = None) -> None:
        """Compute in one set-based pass the profiles of the `members` a batch of decisions due
        at `as_of` is about (every member's when not given, or when they are too many to name);
        single lookups are then served from it (see `_from_frame`)."""
        moment = self._moment(as_of)
        if members is None or len(members) > MAX_NAMED_MEMBERS:
            await self.frame(moment)
        elif members:  # nothing due (a quiet day): nothing to prime
            self._recent_frames.add(await self._computed_frame(moment, members))

    async def refresh(self) -> int:
        """One pass of keeping this process's frames fresh (`loyalty.runtime.frames`): rebuild the
        whole-base frame when there is none or it is `FRAME_RENEW` old, else `catch_up`. Returns
        how many members were caught up."""
        moment = self._moment(None)
        whole = self._frame
        if whole is None or not whole.as_of <= moment < whole.as_of + FRAME_RENEW:
            await self.frame(moment, rebuild=True)
            return 0
        return await self.catch_up(moment)

    async def catch_up(self, as_of: datetime | None = None) -> int:
        """Compute in one set-based pass the profiles of the members with records dated since
        the last catch-up (or the whole-base frame), so that a member active a moment ago is served
        from a frame too; a served process does this every few seconds (`refresh`). Needs a
        whole-base frame fresh for the moment (else does nothing); when more members than can be
        named were active, rebuilds that frame. Returns how many members it computed."""
        moment = self._moment(as_of)
        whole = self._frame
        if whole is None or not whole.as_of <= moment <= whole.as_of + FRAME_REUSE:
            return 0
        caught_up = self._caught_up
        since = caught_up if caught_up is not None and whole.as_of <= caught_up <= moment else whole.as_of
        members = await recorded_members(self.db, since, moment)
        if len(members) > MAX_NAMED_MEMBERS:
            await self.frame(moment, rebuild=True)
        else:
            await self.prime(moment, members)
        self._caught_up = moment
        return len(members)

    async def _computed_frame(self, moment: datetime, members: Sequence[int] | None = None) -> ProfileFrame:
        """Every member's profiles as of `moment`, or the named `members`', set-based (off the event loop)."""
        await self._check_data(moment)
        models = await self.models(moment)
        with off_the_loop():
            history = await (
                load_history(self.db, moment)
                if members is None
                else load_members_history(self.db, moment, members)
            )
        return await asyncio.to_thread(build_frame, history, models, self.segments, self.stale_after)

    async def history(self, as_of: datetime, customer_id: int) -> History:
        """One member's history before `as_of` (naive UTC): two statements, the categories
        reused from an earlier call unless the table changed, and for at most `FRAME_REUSE` (a
        rename that keeps every length escapes the change check: batch frames show names that
        old too)."""
        now = self._moment(None)
        cached = self._catalogue
        reuse = cached[1] if cached is not None and cached[0] <= now <= cached[0] + FRAME_REUSE else None
        history, catalogue = await load_member_history(self.db, as_of, customer_id, reuse)
        if catalogue is not reuse:
            self._catalogue = (now, catalogue)
        return history

    async def frame(self, as_of: datetime | None = None, *, rebuild: bool = False) -> ProfileFrame:
        """Every member's profile, column-wise. A frame computed at most `FRAME_REUSE` before the
        requested moment is reused unless `rebuild`; its `as_of` says which moment it describes."""
        moment = self._moment(as_of)
        async with self._framing:
            cached = self._frame
            if not rebuild and cached is not None and cached.as_of <= moment <= cached.as_of + FRAME_REUSE:
                return cached
            self._frame = await self._computed_frame(moment)
            return self._frame

    async def find_members(self, query: MemberFilter, as_of: datetime | None = None) -> MemberPage:
        return find_members(await self.frame(as_of), query)

    async def segment_counts(self, as_of: datetime | None = None) -> list[SegmentCount]:
        return segment_counts(await self.frame(as_of), self.segments)

    async def segment_summary(self, segment_id: str, as_of: datetime | None = None) -> SegmentSummary:
        return segment_summary(await self.frame(as_of), self.segments, segment_id)

    async def models(self, as_of: datetime) -> FittedModels:
        """The newest models fitted as of `as_of` or earlier. When there are none, or they are
        more than `MODEL_MAX_AGE` older than the data allows, models are fitted as of the start
        of the day, or of the day after the newest order if the data ends before that: a
        profile asked for long after the data stopped still gets models (and says it is stale)."""
        usable = [d for d in self.store.available() if d <= as_of]
        newest = usable[-1] if usable else None
        fit_at = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
        if newest is None or fit_at - newest > MODEL_MAX_AGE:  # only then is the data's end worth a query
            last_order = await self.newest_data()
            if last_order is not None:
                fit_at = min(fit_at, day_after(last_order))
        if newest is not None and (fit_at - newest <= MODEL_MAX_AGE or not self.fit_when_missing):
            if newest not in self._models:
                loaded = self.store.for_as_of(newest)
                if loaded is None:
                    raise NotFound(f"fitted models as of {newest:%Y-%m-%d} disappeared while loading")
                self._models[newest] = loaded
            return self._models[newest]
        if not self.fit_when_missing:
            raise NotFound(f"no models fitted as of {as_of:%Y-%m-%d} or earlier: run `loyalty models fit`")
        async with self._fitting:
            if fit_at in self._models:  # fitted by a caller we waited for
                return self._models[fit_at]
            return await self._fit(fit_at)

    async def fit(self, as_of: datetime) -> FittedModels:
        """Fit every model on the history before `as_of` and save them."""
        async with self._fitting:
            return await self._fit(as_of)

    async def _fit(self, as_of: datetime) -> FittedModels:
        await self._check_data(as_of)
        with off_the_loop():
            history = await load_training_history(self.db, as_of, self.plan)
        models = await asyncio.to_thread(fit_models, history, self.plan, self.clock())
        self.store.save(models)
        self._models[models.as_of] = models
        return models

    async def resolve(self, member: int | str) -> int:
        """The internal id of a member named by internal id or external id."""
        return await resolve_member(self.db, member)

    async def newest_data(self) -> datetime | None:
        async with self.db.session() as session:
            return await session.scalar(select(func.max(Order.placed_at)))

    async def _check_data(self, as_of: datetime) -> None:
        async with self.db.session() as session:
            first = await session.scalar(select(func.min(Order.placed_at)))
        if first is None:
            raise InvalidInput("no orders in the database: import or seed some first")
        if as_of <= first:
            raise InvalidInput(
                f"as-of {as_of:%Y-%m-%d} is before any data (the first order is {first:%Y-%m-%d})"
            )

    def _moment(self, as_of: datetime | None) -> datetime:
        return to_storage(as_of if as_of is not None else self.clock())


def open_profiles(
    db: Database,
    *,
    models_dir: Path | None = None,
    segments_path: Path | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> ProfileService:
    """The service with the shipped defaults: models beside the database, the default segments."""
    url = db.engine.url.render_as_string(hide_password=False)
    return ProfileService(
        db=db,
        store=ModelStore(models_dir or default_models_dir(url)),
        segments=load_segments(SEGMENT_FIELDS, segments_path),
        stale_after=stale_after,
    )


def day_after(moment: datetime) -> datetime:
    """Midnight after `moment`: the default as-of for exports, so the newest data is included."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
