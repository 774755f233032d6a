"""Ingesting behavioural events: validate each, reject with a reason, drop duplicates, and store
the rest set-based, one batch at a time.

A batch is validated record by record (pydantic), then resolved and stored with a handful of
queries whatever its size: one lookup per kind of reference (members, products, categories),
one for keys already stored, one bulk insert. A record that fails anywhere becomes a reject with
its line number; nothing in the input can make ingestion raise.

An unsubscribe or a complaint withdraws the member's consent on the channel it names, in the same
transaction as the event is stored (as `tools.members.record_outcome` does for an outcome): from
that commit on, the channels server, campaigns and the delivery worker refuse that channel.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import structlog
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from tools.errors import StorageError
from tools.events.model import DEFAULT_SKEW, EventIn
from tools.events.rejects import EventRejects, Reject
from tools.members import OPTING_OUT, withdraw_consents
from tools.storage import (
    BehaviouralEvent,
    Category,
    Customer,
    Database,
    Product,
    begin_write,
    bulk_insert,
)
from tools.time import to_storage

log = structlog.get_logger(__name__)

BATCH_SIZE = 5_000
MAX_LISTED_REJECTS = 100
_STORE_TRIES = 3
_EVENTS = BehaviouralEvent.__table__


class IngestReport(BaseModel):
    received: int
    accepted: int
    duplicates: int
    rejected: int
    reject_counts: dict[str, int]
    rejects: list[Reject]
    rejects_path: str | None


@dataclass(frozen=True)
class _Raw:
    line: int
    data: Any  # the decoded record, or the text that did not decode
    error: str | None = None


@dataclass
class _Valid:
    line: int
    event: EventIn
    data: Any


async def ingest_events(
    db: Database,
    records: Iterable[Any],
    *,
    now: datetime,
    rejects_path: Path | None = None,
    batch_size: int = BATCH_SIZE,
    skew: timedelta = DEFAULT_SKEW,
    max_listed: int = MAX_LISTED_REJECTS,
) -> IngestReport:
    """Ingest records (mappings, as decoded from JSON); a record's line is its 1-based position."""
    raws = (_Raw(n, record) for n, record in enumerate(records, 1))
    return await _ingest(
        db, raws, now=now, rejects_path=rejects_path, batch_size=batch_size, skew=skew, max_listed=max_listed
    )


async def ingest_jsonl(
    db: Database,
    lines: Iterable[str | bytes],
    *,
    now: datetime,
    rejects_path: Path | None = None,
    batch_size: int = BATCH_SIZE,
    skew: timedelta = DEFAULT_SKEW,
    max_listed: int = MAX_LISTED_REJECTS,
) -> IngestReport:
    """Ingest JSON Lines (a file, stdin, a request body; text or UTF-8 bytes per line); blank lines
    are skipped but counted in the line numbers, so a reject's line is the line in the file."""
    return await _ingest(
        db,
        _decode(lines),
        now=now,
        rejects_path=rejects_path,
        batch_size=batch_size,
        skew=skew,
        max_listed=max_listed,
    )


def _decode(lines: Iterable[str | bytes]) -> Iterator[_Raw]:
    for n, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield _Raw(n, line.decode("utf-8", errors="replace").rstrip("\n"), f"not UTF-8: {exc.reason}")
                continue
        if not line.strip():
            continue
        try:
            yield _Raw(n, json.loads(line))
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an absurd integer / nesting
            yield _Raw(n, line.rstrip("\n"), f"not valid JSON: {getattr(exc, 'msg', exc)}")


async def _ingest(
    db: Database,
    raws: Iterable[_Raw],
    *,
    now: datetime,
    rejects_path: Path | None,
    batch_size: int,
    skew: timedelta,
    max_listed: int,
) -> IngestReport:
    context = {"now": now if now.tzinfo is not None else now.replace(tzinfo=UTC), "skew": skew}
    rejects = EventRejects(rejects_path, max_listed=max_listed)
    received = accepted = duplicates = 0
    batch: list[_Valid] = []
    for raw in raws:
        received += 1
        if (valid := _validate(raw, context, rejects)) is not None:
            batch.append(valid)
        if received % batch_size == 0:
            stored, dropped = await _store(db, batch, rejects)
            accepted, duplicates, batch = accepted + stored, duplicates + dropped, []
            await rejects.flush()
    if batch:
        stored, dropped = await _store(db, batch, rejects)
        accepted, duplicates = accepted + stored, duplicates + dropped
    await rejects.flush()
    report = IngestReport(
        received=received,
        accepted=accepted,
        duplicates=duplicates,
        rejected=rejects.total,
        reject_counts=dict(rejects.counts),
        rejects=rejects.listed,
        rejects_path=str(rejects_path) if rejects_path is not None else None,
    )
    log.info(
        "events.ingested", received=received, accepted=accepted, duplicates=duplicates, rejected=rejects.total
    )
    return report


def _validate(raw: _Raw, context: dict[str, Any], rejects: EventRejects) -> _Valid | None:
    if raw.error is not None:
        rejects.add(raw.line, "json", raw.error, raw.data)
        return None
    if not isinstance(raw.data, dict):
        rejects.add(raw.line, "json", f"expected a JSON object, got {type(raw.data).__name__}", raw.data)
        return None
    try:
        return _Valid(raw.line, EventIn.model_validate(raw.data, context=context), raw.data)
    except ValidationError as exc:
        code, reason = _explain(exc)
        rejects.add(raw.line, code, reason, raw.data)
        return None


def _explain(exc: ValidationError) -> tuple[str, str]:
    errors = exc.errors(include_url=False, include_input=False)
    parts = [
        f"{'.'.join(map(str, e['loc'])) or 'event'}: {e['msg'].removeprefix('Value error, ')}"
        for e in errors[:3]
    ]
    if len(errors) > 3:
        parts.append(f"and {len(errors) - 3} more")
    first = errors[0]["loc"]
    return (str(first[0]) if first else "event"), "; ".join(parts)[:500]


@dataclass
class _Outcome:
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # in the order of _COLUMNS
    duplicates: int = 0
    rejects: list[tuple[_Valid, str, str]] = field(default_factory=list)


_COLUMNS = (
    "idempotency_key",
    "customer_id",
    "type",
    "occurred_at",
    "product_id",
    "category_id",
    "channel",
    "session_id",
    "value",
    "payload",
)


async def _store(db: Database, batch: list[_Valid], rejects: EventRejects) -> tuple[int, int]:
    """Store one batch; returns (accepted, duplicates). Rejects go straight to `rejects`."""
    unique: dict[str, _Valid] = {}
    repeated = 0
    for valid in batch:
        key = valid.event.key
        if key in unique:
            repeated += 1
        else:
            unique[key] = valid
    if not unique:
        return 0, repeated
    # Another ingester may store some of these keys between our check and our insert (or a member
    # may be deleted meanwhile); the next try sees that and counts them as duplicates.
    retrying = AsyncRetrying(
        stop=stop_after_attempt(_STORE_TRIES),
        retry=retry_if_exception_type(IntegrityError),
        reraise=True,
        before_sleep=_log_retry,
    )
    try:
        async for attempt in retrying:
            with attempt:
                async with db.engine.begin() as conn:
                    await begin_write(conn)
                    outcome = await _prepare(conn, unique)
                    count = len(outcome.rows)
                    if count:
                        columns: dict[str, Any] = dict(
                            zip(_COLUMNS, map(list, zip(*outcome.rows, strict=True)), strict=True)
                        )
                        columns["occurred_at"] = np.array(columns["occurred_at"], dtype="datetime64[us]")
                        await bulk_insert(conn, _EVENTS, columns)
                        await _withdraw_consents(conn, outcome.rows)
    except IntegrityError as exc:
        raise StorageError(f"cannot store events after {_STORE_TRIES} tries: {exc.orig}") from exc
    for valid, code, reason in outcome.rejects:
        rejects.add(valid.line, code, reason, valid.data)
    return count, repeated + outcome.duplicates


def _log_retry(state: RetryCallState) -> None:
    log.info("events.store_retry", attempt=state.attempt_number)


async def _withdraw_consents(conn: AsyncConnection, rows: list[tuple[Any, ...]]) -> None:
    """The batch's unsubscribes and complaints (rows in `_COLUMNS` order) withdraw consent."""
    await withdraw_consents(
        conn,
        [
            (customer_id, channel, occurred_at)
            for _, customer_id, kind, occurred_at, _, _, channel, *_ in rows
            if kind in OPTING_OUT
        ],
    )


@dataclass
class _References:
    customers: dict[str, int]
    customer_ids: set[int]
    skus: dict[str, tuple[int, int]]
    product_categories: dict[int, int]
    categories: dict[str, int]
    category_ids: set[int]


async def _prepare(conn: AsyncConnection, unique: dict[str, _Valid]) -> _Outcome:
    events = [v.event for v in unique.values()]
    stored = set(
        (
            await conn.execute(
                select(BehaviouralEvent.idempotency_key).where(
                    BehaviouralEvent.idempotency_key.in_(list(unique))
                )
            )
        ).scalars()
    )
    refs = await _resolve(conn, events)
    outcome = _Outcome(duplicates=len(stored))
    for key, valid in unique.items():
        if key in stored:
            continue
        try:
            customer_id, product_id, category_id = _apply(valid.event, refs)
        except _Unknown as unknown:
            outcome.rejects.append((valid, unknown.code, str(unknown)))
            continue
        event = valid.event
        payload = event.stored_payload()
        outcome.rows.append(
            (
                key,
                customer_id,
                event.type.value,
                to_storage(event.occurred_at),
                product_id,
                category_id,
                event.channel,
                event.session_id,
                event.value,
                None if payload is None else json.dumps(payload, ensure_ascii=False),
            )
        )
    return outcome


async def _resolve(conn: AsyncConnection, events: list[EventIn]) -> _References:
    async def pairs(query: Any, values: set[Any]) -> list[Any]:
        return list(await conn.execute(query)) if values else []

    external = {e.customer_external_id for e in events if e.customer_external_id is not None}
    internal = {e.customer_id for e in events if e.customer_id is not None}
    skus = {e.sku for e in events if e.sku is not None}
    product_ids = {e.product_id for e in events if e.product_id is not None}
    names = {e.category for e in events if e.category is not None}
    category_ids = {e.category_id for e in events if e.category_id is not None}
    return _References(
        customers=dict(
            await pairs(
                select(Customer.external_id, Customer.id).where(Customer.external_id.in_(external)), external
            )
        ),
        customer_ids={
            r[0] for r in await pairs(select(Customer.id).where(Customer.id.in_(internal)), internal)
        },
        skus={
            sku: (pid, cat)
            for sku, pid, cat in await pairs(
                select(Product.sku, Product.id, Product.category_id).where(Product.sku.in_(skus)), skus
            )
        },
        product_categories=dict(
            await pairs(
                select(Product.id, Product.category_id).where(Product.id.in_(product_ids)), product_ids
            )
        ),
        categories=dict(
            await pairs(select(Category.name, Category.id).where(Category.name.in_(names)), names)
        ),
        category_ids={
            r[0] for r in await pairs(select(Category.id).where(Category.id.in_(category_ids)), category_ids)
        },
    )


class _Unknown(Exception):
    """An event names a member, product or category the database does not have."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code


def _apply(event: EventIn, refs: _References) -> tuple[int, int | None, int | None]:
    """(customer id, product id, category id) with every reference checked. A product's category
    is filled in when the event names none: triggers group views by it."""
    if event.customer_external_id is not None:
        customer_id = refs.customers.get(event.customer_external_id)
        if customer_id is None:
            raise _Unknown("customer", f"no member with external id {event.customer_external_id!r}")
    else:
        customer_id = event.customer_id
        if customer_id not in refs.customer_ids:
            raise _Unknown("customer", f"no member with id {customer_id}")
    product_id: int | None = None
    product_category: int | None = None
    if event.sku is not None:
        if event.sku not in refs.skus:
            raise _Unknown("product", f"no product with sku {event.sku!r}")
        product_id, product_category = refs.skus[event.sku]
    elif event.product_id is not None:
        if event.product_id not in refs.product_categories:
            raise _Unknown("product", f"no product with id {event.product_id}")
        product_id, product_category = event.product_id, refs.product_categories[event.product_id]
    category_id = product_category
    if event.category is not None:
        if event.category not in refs.categories:
            raise _Unknown("category", f"no category named {event.category!r}")
        category_id = refs.categories[event.category]
    elif event.category_id is not None:
        if event.category_id not in refs.category_ids:
            raise _Unknown("category", f"no category with id {event.category_id}")
        category_id = event.category_id
    assert customer_id is not None
    return customer_id, product_id, category_id
