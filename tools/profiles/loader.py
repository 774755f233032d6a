"""Reading a `History` from the database: one member (the real-time path) or all of them (batch),
through the same statements, so both paths see exactly the same records.

Every statement keeps only what was recorded strictly before `as_of`; members who joined later do
not exist yet. Times arrive as float days since the epoch and codes as small integers, computed by
the database, so a million rows become numpy arrays without a Python object per value. Messages
and behavioural events arrive summarised per member (`Activity`), as of `as_of` and any earlier
moments asked for (training cut-offs).

The loyalty account (tier, points) is current state with no history; it is shown on the profile
but never used by a prediction, so it cannot leak the future into one.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import chain
from typing import Any, Literal

import numpy as np
from sqlalchemy import (
    CompoundSelect,
    DateTime,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.profiles import groups
from tools.profiles.history import (
    CHANNELS,
    EVENT_WINDOWS,
    ORDER_CHANNELS,
    OUTCOME_TYPES,
    Activity,
    Consents,
    History,
    Lines,
    Members,
    Orders,
    Outcomes,
    Visits,
    day_of,
)
from tools.storage import (
    BehaviouralEvent,
    Category,
    ChannelConsent,
    Contact,
    Customer,
    Database,
    LoyaltyAccount,
    Order,
    OrderLine,
    Outcome,
    Product,
)

UNIX_EPOCH_JULIAN_DAY = 2440587.5
# Members named in one load: an IN list of bound ids (within SQLite's 32,766 parameters); beyond a
# few thousand, reading everyone costs little more.
MAX_NAMED_MEMBERS = 5_000
# Events that are not a visit of the member's own choosing: a purchase is an order already; a
# message's open, click or opt-out answers the retailer's send and keeps its schedule.
NOT_VISITS = ("purchase", "message_open", "message_click", "unsubscribe", "complaint")


@dataclass(frozen=True)
class CategoryTable:
    """The categories table as read once: reused by later single-member loads while its
    `version` (read with each member's records, in the same statement) is unchanged."""

    ids: np.ndarray  # int64, ascending
    names: np.ndarray  # object
    departments: np.ndarray
    version: tuple[float, ...]  # (count, largest id, total length of names and departments)


async def load_history(
    db: Database, as_of: datetime, member_id: int | None = None, also_at: Sequence[datetime] = ()
) -> History:
    """All members' history before `as_of`, or one member's when `member_id` is given, with
    activity summaries as of `as_of` and each of `also_at` (earlier moments)."""
    history, _ = await _load(db, as_of, member_id, also_at, None)
    return history


async def load_members_history(db: Database, as_of: datetime, members: Sequence[int]) -> History:
    """The history before `as_of` of the `members` named (at most `MAX_NAMED_MEMBERS`), set-based
    as for every member: what a batch of decisions due at one moment needs."""
    if len(members) > MAX_NAMED_MEMBERS:
        raise ValueError(f"at most {MAX_NAMED_MEMBERS:,} members by name, got {len(members):,}")
    history, _ = await _load(db, as_of, None, (), None, sorted(set(members)))
    return history


async def load_member_history(
    db: Database, as_of: datetime, member_id: int, catalogue: CategoryTable | None = None
) -> tuple[History, CategoryTable]:
    """One member's history before `as_of` in two statements (the member's row; every numeric
    record plus the categories' version), reusing `catalogue` unless the categories changed. Also
    returns the catalogue used, for the next call."""
    return await _load(db, as_of, member_id, (), catalogue)


async def recorded_between(db: Database, member_id: int, start: datetime, end: datetime) -> bool:
    """Whether anything of the member's that a profile reads (orders, sent messages, outcomes,
    consent changes, behavioural events) is dated in [start, end): one statement."""
    async with db.engine.connect() as conn:
        return bool(await conn.scalar(_recorded_between(), {"member": member_id, "start": start, "end": end}))


async def recorded_members(db: Database, start: datetime, end: datetime) -> list[int]:
    """The members with anything a profile reads dated in [start, end), ascending: one statement
    (each table's date column is indexed for it)."""
    async with db.engine.connect() as conn:
        return sorted((await conn.scalars(_recorded_members(), {"start": start, "end": end})).all())


def _dated_records(start: Any, end: Any) -> list[tuple[Any, Any]]:
    """What a profile reads, as (member column, condition dating the record in [start, end))."""
    return [
        (Order.customer_id, and_(Order.placed_at >= start, Order.placed_at < end)),
        (
            Contact.customer_id,
            and_(Contact.sent_at >= start, Contact.sent_at < end, Contact.status == "sent"),
        ),
        (Outcome.customer_id, and_(Outcome.occurred_at >= start, Outcome.occurred_at < end)),
        (
            ChannelConsent.customer_id,
            and_(ChannelConsent.updated_at >= start, ChannelConsent.updated_at < end),
        ),
        (
            BehaviouralEvent.customer_id,
            and_(BehaviouralEvent.occurred_at >= start, BehaviouralEvent.occurred_at < end),
        ),
    ]


def _between() -> tuple[Any, Any]:
    return bindparam("start", type_=DateTime()), bindparam("end", type_=DateTime())


@lru_cache(maxsize=1)
def _recorded_between() -> Select[Any]:
    member = bindparam("member")
    return select(
        or_(
            *(
                select(literal(1)).where(who == member, dated).exists()
                for who, dated in _dated_records(*_between())
            )
        )
    )


@lru_cache(maxsize=1)
def _recorded_members() -> CompoundSelect[Any]:
    return union(*(select(who).where(dated) for who, dated in _dated_records(*_between())))


async def _load(
    db: Database,
    as_of: datetime,
    member_id: int | None,
    also_at: Sequence[datetime],
    catalogue: CategoryTable | None,
    members: list[int] | None = None,
) -> tuple[History, CategoryTable]:
    queries = _queries(db.dialect, "one" if member_id is not None else "all" if members is None else "named")
    params = {"as_of": as_of, "member": member_id, "members": members}
    if any(moment > as_of for moment in also_at):
        raise ValueError("activity can only be summarised up to as_of")
    async with db.engine.connect() as conn:
        if member_id is None:
            catalogue = await _catalogue(conn, queries, ())
        member = await _objects(conn, queries.members, params)
        member_ids = member[0].astype(np.int64)
        if member_id is not None:
            # every numeric record in one round trip: the real-time path pays per statement
            part = _parts(await _numbers(conn, queries.records, params | _windows(as_of)), queries)
            version = tuple(float(np.nan_to_num(v[0], nan=-1.0)) for v in part["catalogue"])
            known = catalogue is not None and catalogue.version == version
            if not known or not groups.contains(catalogue.ids, part["lines"][1].astype(np.int64)).all():
                catalogue = await _catalogue(conn, queries, version)
        else:
            # millions of rows: the parts run side by side on two connections (two cores)
            part = await _parts_in_parallel(db, queries, params | _windows(as_of))
        assert catalogue is not None
        order, line, outcome, consent = part["orders"], part["lines"], part["outcomes"], part["consents"]
        activity = {day_of(as_of): _summary(part["contact_activity"], part["event_activity"], member_ids)}
        for moment in sorted(set(also_at) - {as_of}):
            moment_params = params | _windows(moment)
            activity[day_of(moment)] = _summary(
                await _numbers(conn, queries.contact_activity, moment_params),
                await _numbers(conn, queries.event_activity, moment_params),
                member_ids,
            )
    # Records of members not in `member` (joined after as_of, yet with earlier records) are dropped.
    order = _kept(order, member_ids, 0)
    sort = np.lexsort((order[1], order[2], _positions(member_ids, order[0])))
    order = [column[sort] for column in order]
    order_ids = order[1].astype(np.int64)
    line = _kept(line, order_ids, 0)
    outcome = _kept(outcome, member_ids, 0)
    consent = _kept(consent, member_ids, 0)
    visit = _kept(part["visits"], member_ids, 0)
    quantity = line[2]
    history = History(
        as_of=day_of(as_of),
        categories=catalogue.names,
        departments=catalogue.departments,
        members=Members(
            customer_id=member_ids,
            external_id=member[1],
            first_name=member[2],
            last_name=member[3],
            email=member[4],
            phone=member[5],
            birth_year=member[6].astype(float),
            gender=member[7],
            income_band=member[8],
            household_size=member[9].astype(float),
            postcode=member[10],
            locale=member[11],
            time_zone=member[12],
            joined=member[13].astype(float),
            synced=np.where(member[14].astype(float) < day_of(as_of), member[14].astype(float), np.nan),
            tier=member[15],
            points_balance=member[16].astype(float),
            lifetime_points=member[17].astype(float),
        ),
        orders=Orders(
            member=_positions(member_ids, order[0]),
            at=order[2],
            channel=order[3].astype(np.int8),
            total=order[4],
            discount=order[5],
            coupon=order[6] > 0,
        ),
        lines=Lines(
            order=_positions(order_ids, line[0]),
            category=_positions(catalogue.ids, line[1]),
            quantity=quantity,
            gross=quantity * line[3],
            cost=quantity * line[4],
            discount=line[5],
        ),
        outcomes=Outcomes(
            member=_positions(member_ids, outcome[0]),
            contact=outcome[1].astype(np.int64),
            channel=outcome[2].astype(np.int8),
            at=outcome[4],
            type=outcome[3].astype(np.int8),
        ),
        consents=Consents(
            member=_positions(member_ids, consent[0]),
            channel=consent[1].astype(np.int8),
            granted=consent[2] > 0,
            updated=consent[3],
        ),
        activity=activity,
        visits=Visits(member=_positions(member_ids, visit[0]), at=(visit[1] + 0.5) / 24.0),
    )
    return history, catalogue


async def _catalogue(conn: AsyncConnection, queries: "_Queries", version: tuple[float, ...]) -> CategoryTable:
    category = await _objects(conn, queries.categories, {})
    return CategoryTable(
        ids=category[0].astype(np.int64), names=category[1], departments=category[2], version=version
    )


def _kept(columns: list[np.ndarray], known: np.ndarray, key: int) -> list[np.ndarray]:
    """The rows whose column `key` holds one of the `known` ids."""
    found = groups.contains(known, columns[key].astype(np.int64))
    return [column[found] for column in columns]


def _windows(moment: datetime) -> dict[str, datetime]:
    days = {w.days for w in EVENT_WINDOWS.values()} | {90}
    return {"at": moment} | {f"since_{d}": moment - timedelta(days=d) for d in days}


async def _parts_in_parallel(
    db: Database, queries: "_Queries", params: dict[str, Any]
) -> dict[str, list[np.ndarray]]:
    async def run(names: tuple[str, ...]) -> list[list[np.ndarray]]:
        async with db.engine.connect() as conn:
            return [await _numbers(conn, getattr(queries, name), params) for name in names]

    # balanced by typical cost: lines are the biggest part, events the next
    first, second = (
        ("lines", "outcomes", "consents"),
        ("orders", "event_activity", "contact_activity", "visits"),
    )
    done = await asyncio.gather(run(first), run(second))
    return dict(zip(first + second, done[0] + done[1], strict=True))


def _parts(records: list[np.ndarray], queries: "_Queries") -> dict[str, list[np.ndarray]]:
    """The `records` union split back into its parts, each with its own columns."""
    kind = records[0]
    out = {}
    for code, name in enumerate(RECORD_PARTS):
        rows = kind == code
        width = len(getattr(queries, name).selected_columns)
        out[name] = [column[rows] for column in records[1 : 1 + width]]
    return out


def _summary(sent: list[np.ndarray], events: list[np.ndarray], members: np.ndarray) -> Activity:
    n, k = len(members), len(CHANNELS)
    sends = np.zeros((n, k))
    sends_90 = np.zeros(n)
    newest_contact = np.full(n, np.nan)
    sent = _kept(sent, members, 0)
    if len(sent[0]):
        row = _positions(members, sent[0])
        np.add.at(sends, (row, sent[1].astype(np.int64)), sent[2])
        np.add.at(sends_90, row, sent[3])
        newest_contact = np.fmax(newest_contact, _max_by(row, sent[4], n))
    events = _kept(events, members, 0)
    counts = {name: np.zeros(n) for name in EVENT_WINDOWS}
    newest_event = np.full(n, np.nan)
    if len(events[0]):
        row = _positions(members, events[0])
        for i, name in enumerate(EVENT_WINDOWS):
            counts[name][row] = events[1 + i]
        newest_event[row] = events[-1]
    return Activity(
        sends=sends,
        sends_90=sends_90,
        newest_contact=newest_contact,
        events=counts,
        newest_event=newest_event,
    )


def _max_by(row: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -np.inf)
    np.maximum.at(out, row, values)
    return np.where(np.isneginf(out), np.nan, out)


async def _objects(conn: AsyncConnection, query: Select[Any], params: dict[str, Any]) -> list[np.ndarray]:
    rows = (await conn.execute(query, params)).all()
    width = len(query.selected_columns)
    if not rows:
        return [np.array([], dtype=object) for _ in range(width)]
    values = np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width).reshape(
        len(rows), width
    )
    return [values[:, i] for i in range(width)]


async def _numbers(conn: AsyncConnection, query: Select[Any], params: dict[str, Any]) -> list[np.ndarray]:
    """Columns of an all-numeric result as float arrays (NULL becomes NaN)."""
    rows = (await conn.execute(query, params)).all()
    width = len(query.selected_columns)
    # numpy reads a list of result rows one value at a time through the sequence protocol
    # (seconds per million rows); flattening them first is a hundred times faster
    table = np.fromiter(chain.from_iterable(rows), dtype=float, count=len(rows) * width).reshape(
        len(rows), width
    )
    return [table[:, i] for i in range(width)]


def _positions(known: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Position of each id in `known` (every id is known to be there)."""
    if not len(ids):
        return np.array([], dtype=np.int64)
    order = np.argsort(known, kind="stable")
    return order[np.searchsorted(known[order], ids.astype(np.int64))]


RECORD_PARTS = (
    "orders",
    "lines",
    "outcomes",
    "consents",
    "contact_activity",
    "event_activity",
    "visits",
    "catalogue",
)


@dataclass(frozen=True)
class _Queries:
    categories: Select[Any]
    members: Select[Any]
    orders: Select[Any]
    lines: Select[Any]
    outcomes: Select[Any]
    consents: Select[Any]
    contact_activity: Select[Any]
    event_activity: Select[Any]
    visits: Select[Any]
    catalogue: Select[Any]  # the categories' version: one row
    records: CompoundSelect[Any]  # the eight numeric parts above in one statement, tagged by part


def _union(parts: list[Select[Any]]) -> CompoundSelect[Any]:
    """Parts padded to one width with NULLs, as floats, each row tagged with its part's index."""
    width = max(len(p.selected_columns) for p in parts)
    return union_all(
        *(
            part.with_only_columns(
                literal(code).label("part"),
                *(cast(c, Float()).label(f"v{i}") for i, c in enumerate(part.selected_columns)),
                *(cast(null(), Float()).label(f"v{i}") for i in range(len(part.selected_columns), width)),
            )
            for code, part in enumerate(parts)
        )
    )


@lru_cache(maxsize=8)
def _queries(dialect: str, scope: Literal["all", "one", "named"]) -> _Queries:
    """Statements built once per dialect and path: reusing a statement object keeps SQLAlchemy's
    compiled form cached, which the real-time path needs."""
    as_of = bindparam("as_of", type_=DateTime())
    at = bindparam("at", type_=DateTime())

    def since(days: int) -> Any:
        return bindparam(f"since_{days}", type_=DateTime())

    def days(column: Any) -> Any:
        """A timestamp as float days since the Unix epoch, computed by the database."""
        if dialect == "sqlite":
            return type_coerce(func.julianday(column) - UNIX_EPOCH_JULIAN_DAY, Float())
        return cast(func.extract("epoch", column), Float()) / 86_400.0

    def hour_number(column: Any) -> Any:
        """Whole hours since the Unix epoch (CAST truncates on SQLite and rounds on PostgreSQL)."""
        if dialect == "sqlite":
            return cast(days(column) * 24.0, Integer())
        return func.floor(days(column) * 24.0)

    def code(column: Any, vocabulary: Sequence[str]) -> Any:
        return case({name: i for i, name in enumerate(vocabulary)}, value=column, else_=-1)

    def only(column: Any) -> Any:
        """Rows of the member or members asked for; for every member, no filter here (rows of
        members who had not joined by as_of are dropped on arrival: cheaper than a subquery per row)."""
        if scope == "one":
            return column == bindparam("member", type_=Integer())
        return column.in_(bindparam("members", expanding=True)) if scope == "named" else true()

    def flag(condition: Any) -> Any:
        return case((condition, 1), else_=0)

    c, a, o, line, p, k, oc, e, cs = (
        Customer,
        LoyaltyAccount,
        Order,
        OrderLine,
        Product,
        Contact,
        Outcome,
        BehaviouralEvent,
        ChannelConsent,
    )

    def window(spec: Any) -> Any:
        inside = e.occurred_at >= since(spec.days)
        if spec.types is not None:
            kind = e.type.in_(spec.types)
            inside = and_(inside, kind | e.channel.in_(spec.channels) if spec.channels else kind)
        return func.sum(flag(inside))

    numeric = dict(
        orders=(
            select(
                o.customer_id,
                o.id,
                days(o.placed_at),
                code(o.channel, ORDER_CHANNELS),
                o.total,
                o.discount_total,
                flag(o.coupon_code.is_not(None)),
            ).where(o.placed_at < as_of, only(o.customer_id))
        ),
        lines=(
            select(
                line.order_id, p.category_id, line.quantity, line.unit_price, line.unit_cost, line.discount
            )
            .join(o, o.id == line.order_id)
            .join(p, p.id == line.product_id)
            .where(o.placed_at < as_of, only(o.customer_id))
        ),
        outcomes=(
            select(
                oc.customer_id,
                oc.contact_id,
                code(k.channel, CHANNELS),
                code(oc.type, OUTCOME_TYPES),
                days(oc.occurred_at),
            )
            .join(k, and_(k.id == oc.contact_id, k.status == "sent", k.sent_at < as_of))
            .where(oc.occurred_at < as_of, only(oc.customer_id))
        ),
        consents=(
            select(
                cs.customer_id,
                code(cs.channel, CHANNELS),
                flag(and_(cs.granted, cs.opted_out_at.is_(None))),
                days(cs.updated_at),
            ).where(cs.updated_at < as_of, only(cs.customer_id))
        ),
        contact_activity=(
            select(
                k.customer_id,
                code(k.channel, CHANNELS),
                func.count(),
                func.sum(flag(k.sent_at >= since(90))),
                days(func.max(k.sent_at)),
            )
            .where(k.status == "sent", k.sent_at < at, only(k.customer_id))
            .group_by(k.customer_id, k.channel)
        ),
        event_activity=(
            select(
                e.customer_id,
                *(window(spec) for spec in EVENT_WINDOWS.values()),
                days(func.max(e.occurred_at)),
            )
            .where(e.occurred_at < at, only(e.customer_id))
            .group_by(e.customer_id)
        ),
        visits=(
            # DISTINCT, not GROUP BY the expression: PostgreSQL does not see two copies of an
            # expression with bound parameters as the same one.
            select(e.customer_id, hour_number(e.occurred_at))
            .where(e.occurred_at < as_of, e.type.not_in(NOT_VISITS), only(e.customer_id))
            .distinct()
        ),
        # Additions and removals change the count or the largest id; renames almost always the lengths
        # (the service also rereads the categories every FRAME_REUSE).
        catalogue=select(
            func.count(),
            func.max(Category.id),
            func.sum(func.length(Category.name) + func.length(Category.department)),
        ),
    )
    return _Queries(
        **numeric,
        records=_union([numeric[name] for name in RECORD_PARTS]),
        categories=select(Category.id, Category.name, Category.department).order_by(Category.id),
        members=(
            select(
                c.id,
                c.external_id,
                c.first_name,
                c.last_name,
                c.email,
                c.phone,
                c.birth_year,
                c.gender,
                c.income_band,
                c.household_size,
                c.postcode,
                c.locale,
                c.time_zone,
                days(c.joined_at),
                days(c.data_synced_at),
                a.tier,
                a.points_balance,
                a.lifetime_points,
            )
            .outerjoin(a, a.customer_id == c.id)
            .where(c.joined_at < as_of, only(c.id))
            .order_by(c.id)
        ),
    )
