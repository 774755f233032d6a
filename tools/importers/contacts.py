"""`loyalty import contacts`: how to reach each member — e-mail, phone, time zone, language.

One row per member: `member` (external id) and any of `email`, `phone` (international form,
+61 4xx ...; spaces, dashes and brackets are dropped), `time_zone` (an IANA name such as
Australia/Sydney: quiet hours are kept in it) and `language` (a tag such as en-AU). An empty cell
leaves what is stored; a row for an unknown member, or with a value that does not parse, is
refused with why. Running the same file twice changes nothing; accepted rows are written in one
transaction.
"""

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.importers.consents import member_ids
from tools.importers.row_files import (
    IN_QUERY,
    ImportSummary,
    RowRejects,
    parse_field_map,
    read_rows,
    validated,
)
from tools.storage import Customer, Database, begin_write

FIELDS = ("member", "email", "phone", "time_zone", "language")
REQUIRED = ("member",)
COLUMNS = {"email": "email", "phone": "phone", "time_zone": "time_zone", "language": "locale"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_]([a-z]{2}|\d{3}))?$", re.IGNORECASE)


class ContactRow(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    member: str = Field(min_length=1, max_length=64)
    email: str | None = Field(None, max_length=254)
    phone: str | None = None
    time_zone: str | None = None
    language: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compact = re.sub(r"[\s().-]", "", value)
        if not PHONE.match(compact):
            raise ValueError(
                f"{value!r} is not a phone number in international form (+ country code, 8-15 digits)"
            )
        return compact

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a time zone (use an IANA name such as Australia/Sydney)"
            ) from None
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        found = LANGUAGE.match(value)
        if not found:
            raise ValueError(f"{value!r} is not a language tag such as en-AU")
        language, region = found.groups()
        return language.lower() + (f"-{region.upper()}" if region else "")


async def import_contacts(
    db: Database,
    path: Path,
    column_map: Sequence[str],
    *,
    now: datetime,
    rejects_path: Path,
    encoding: str = "utf-8",
) -> ImportSummary:
    del now  # contact details carry no time of their own; the signature matches the other importers
    table = read_rows(path, FIELDS, REQUIRED, parse_field_map(column_map, FIELDS), encoding)
    rejects = RowRejects(table.header)
    for line, cells in table.malformed:
        rejects.rows.append((line, f"malformed row (not {len(table.header)} fields)", cells))
    rows = validated(ContactRow, table.rows, rejects)
    summary = ImportSummary(what=f"contacts from {path.name}", rejects_path=rejects_path)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        ids = await member_ids(conn, {row.member for _, row in rows})
        latest: dict[int, ContactRow] = {}
        for raw, row in rows:
            if (customer_id := ids.get(row.member)) is None:
                rejects.add(raw, f"unknown member {row.member!r} (no member has that external id)")
                continue
            if customer_id in latest:
                summary.unchanged += 1  # a later row of the file for the same member wins
            latest[customer_id] = row
        stored = await _stored(conn, sorted(latest))
        changes = []
        for customer_id, row in latest.items():
            given = {
                column: getattr(row, field)
                for field, column in COLUMNS.items()
                if getattr(row, field) is not None
            }
            merged = {**stored[customer_id], **given}
            if merged == stored[customer_id]:
                summary.unchanged += 1
            else:
                changes.append({"id_": customer_id, **{f"new_{k}": v for k, v in merged.items()}})
        if changes:
            await conn.execute(
                update(Customer)
                .where(Customer.id == bindparam("id_"))
                .values(**{column: bindparam(f"new_{column}") for column in COLUMNS.values()}),
                changes,
            )
        summary.updated = len(changes)
    summary.rejected = len(rejects.rows)
    rejects.write(rejects_path)
    return summary


async def _stored(conn: AsyncConnection, members: list[int]) -> dict[int, dict[str, str | None]]:
    found: dict[int, dict[str, str | None]] = {}
    for start in range(0, len(members), IN_QUERY):
        rows = await conn.execute(
            select(Customer.id, Customer.email, Customer.phone, Customer.time_zone, Customer.locale).where(
                Customer.id.in_(members[start : start + IN_QUERY])
            )
        )
        found.update(
            {
                r.id: {"email": r.email, "phone": r.phone, "time_zone": r.time_zone, "locale": r.locale}
                for r in rows
            }
        )
    return found
