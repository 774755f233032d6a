"""A content hash of a database: every table's rows, in primary-key order, through the ORM's types.

Values are normalised (numbers in numeric columns as floats, datetimes in ISO form, JSON with sorted
keys), so the same content hashes the same on SQLite and PostgreSQL: SQLite hands back a whole
`Numeric` amount such as 199.00 as the integer 199. Bookkeeping that is not world content is left
out: when the schema was created, and the note naming the truth file (it names the database).
"""

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Numeric, Table, select

from tools.storage import Base, Database

BOOKKEEPING = {"schema_info": {"created_at", "world_note"}}
PARTITION_ROWS = 20_000


def _normal(value: Any) -> str:
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


async def table_fingerprints(db: Database) -> dict[str, str]:
    """sha256 per table of its rows in primary-key order."""
    digests: dict[str, str] = {}
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            digests[table.name] = await _table_digest(conn, table)
    return digests


async def _table_digest(conn: Any, table: Table) -> str:
    skip = BOOKKEEPING.get(table.name, set())
    columns = [c for c in table.columns if c.name not in skip]
    numeric = [isinstance(c.type, Numeric) for c in columns]
    digest = hashlib.sha256("|".join(c.name for c in columns).encode())
    result = await conn.stream(select(*columns).order_by(*table.primary_key.columns))
    async for rows in result.partitions(PARTITION_ROWS):
        for row in rows:
            values = (
                float(v) if is_number and v is not None else v
                for v, is_number in zip(row, numeric, strict=True)
            )
            digest.update(("\x1e".join(map(_normal, values)) + "\n").encode())
    return digest.hexdigest()


async def fingerprint(db: Database) -> str:
    """One hash over every table's fingerprint."""
    parts = await table_fingerprints(db)
    return hashlib.sha256("".join(f"{name}:{h}\n" for name, h in sorted(parts.items())).encode()).hexdigest()
