"""`loyalty import consents`: each member's permission per channel, from the retailer's own records.

One row per member and channel: `member` (the member's external id), `channel`, `status`
(granted / withdrawn; yes / no, opt_in / opt_out and true / false are read too), `timestamp`
(when the member gave or withdrew it), `source` (where it was collected, checked for length only:
the schema keeps no column for it yet) and `confirmed_at` (the double opt-in confirmation, needed
for a grant on the channels that require one).

A row is refused (into the rejects file, with why) for an unknown member, a channel or status
not recognised, a timestamp that is not a time or lies in the future, or a grant lacking its
confirmation. Newer wins: a row changes the stored consent only when its timestamp is later than
the stored one, so running the same file twice changes nothing. Accepted rows are written in one
transaction.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import Channel
from tools.importers.row_files import (
    IN_QUERY,
    ImportSummary,
    RowRejects,
    ids_by_key,
    parse_field_map,
    read_rows,
    validated,
)
from tools.storage import ChannelConsent, Customer, Database, begin_write
from tools.time import to_storage

FIELDS = ("member", "channel", "status", "timestamp", "source", "confirmed_at")
REQUIRED = ("member", "channel", "status", "timestamp")
GRANTED = {"granted", "grant", "yes", "y", "true", "1", "opt_in", "opted_in", "subscribed"}
WITHDRAWN = {
    "withdrawn",
    "withdraw",
    "no",
    "n",
    "false",
    "0",
    "opt_out",
    "opted_out",
    "unsubscribed",
    "revoked",
}
DEFAULT_DOUBLE_OPT_IN = (Channel.EMAIL,)


class ConsentRow(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    member: str = Field(min_length=1, max_length=64)
    channel: Channel
    granted: bool = Field(validation_alias="status")
    timestamp: datetime
    source: str | None = Field(None, max_length=120)
    confirmed_at: datetime | None = None

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: object) -> object:
        return value.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(value, str) else value

    @field_validator("granted", mode="before")
    @classmethod
    def _status(cls, value: object) -> bool:
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        if text in GRANTED:
            return True
        if text in WITHDRAWN:
            return False
        raise ValueError(f"status {value!r} is neither granted nor withdrawn")

    @field_validator("timestamp", "confirmed_at", mode="after")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else to_storage(value)


async def import_consents(
    db: Database,
    path: Path,
    column_map: Sequence[str],
    *,
    now: datetime,
    rejects_path: Path,
    double_opt_in: Iterable[Channel] = DEFAULT_DOUBLE_OPT_IN,
    encoding: str = "utf-8",
) -> ImportSummary:
    now = to_storage(now)
    needs_confirmation = set(double_opt_in)
    table = read_rows(path, FIELDS, REQUIRED, parse_field_map(column_map, FIELDS), encoding)
    rejects = RowRejects(table.header)
    for line, cells in table.malformed:
        rejects.rows.append((line, f"malformed row (not {len(table.header)} fields)", cells))
    rows = validated(ConsentRow, table.rows, rejects)
    checked = []
    for raw, row in rows:
        if row.timestamp > now:
            rejects.add(raw, f"timestamp {row.timestamp:%Y-%m-%d %H:%M} is in the future")
        elif row.confirmed_at is not None and not row.timestamp <= row.confirmed_at <= now:
            rejects.add(raw, "confirmed_at must fall between the timestamp and now")
        elif row.granted and row.channel in needs_confirmation and row.confirmed_at is None:
            rejects.add(raw, f"{row.channel.value} consent needs a double opt-in confirmation (confirmed_at)")
        else:
            checked.append((raw, row))

    summary = ImportSummary(what=f"consents from {path.name}", rejects_path=rejects_path)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        members = await member_ids(conn, {row.member for _, row in checked})
        latest: dict[tuple[int, str], ConsentRow] = {}
        for raw, row in checked:
            customer_id = members.get(row.member)
            if customer_id is None:
                rejects.add(raw, f"unknown member {row.member!r} (no member has that external id)")
                continue
            key = (customer_id, row.channel.value)
            if key in latest:
                summary.unchanged += 1  # superseded by another row of the file: the newer one counts
                if latest[key].timestamp >= row.timestamp:
                    continue
            latest[key] = row
        stored = await _stored(conn, sorted({c for c, _ in latest}))
        added, changed = [], []
        for (customer_id, channel), row in latest.items():
            values = {
                "customer_id": customer_id,
                "channel": channel,
                "granted": row.granted,
                "opted_out_at": None if row.granted else row.timestamp,
                "updated_at": row.timestamp,
            }
            before = stored.get((customer_id, channel))
            if before is None:
                added.append(values)
            elif row.timestamp > before:
                changed.append({f"new_{k}": v for k, v in values.items()})
            else:
                summary.unchanged += 1
        if added:
            await conn.execute(insert(ChannelConsent), added)
        if changed:
            await conn.execute(
                update(ChannelConsent)
                .where(
                    ChannelConsent.customer_id == bindparam("new_customer_id"),
                    ChannelConsent.channel == bindparam("new_channel"),
                )
                .values(
                    granted=bindparam("new_granted"),
                    opted_out_at=bindparam("new_opted_out_at"),
                    updated_at=bindparam("new_updated_at"),
                ),
                changed,
            )
        summary.added, summary.updated = len(added), len(changed)
    summary.rejected = len(rejects.rows)
    rejects.write(rejects_path)
    return summary


async def member_ids(conn: AsyncConnection, external: set[str]) -> dict[str, int]:
    """Internal ids of the members with these external ids (the unknown ones are absent)."""
    return await ids_by_key(conn, Customer.external_id, Customer.id, external)


async def _stored(conn: AsyncConnection, members: list[int]) -> dict[tuple[int, str], datetime]:
    found: dict[tuple[int, str], datetime] = {}
    for start in range(0, len(members), IN_QUERY):
        rows = await conn.execute(
            select(ChannelConsent.customer_id, ChannelConsent.channel, ChannelConsent.updated_at).where(
                ChannelConsent.customer_id.in_(members[start : start + IN_QUERY])
            )
        )
        found.update({(c, ch): at for c, ch, at in rows})
    return found
