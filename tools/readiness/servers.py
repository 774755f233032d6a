"""Whether a database is ready for the MCP servers, and what to run when it is not.

Claude Desktop starts the servers itself and shows little of what goes wrong, so `loyalty mcp
config` checks first: the database exists and is initialised (else the servers cannot start),
its data is recent (else every profile says stale and the agents act on nobody), and models are
fitted (the servers never fit inside a tool call: that takes minutes on a large base).
"""

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from tools.errors import StorageError
from tools.readiness.freshness import newest, newest_records
from tools.storage import SchemaInfo, check_schema, database, parse_url


@dataclass(frozen=True)
class ServerReadiness:
    blocking: list[str] = field(default_factory=list)  # the servers cannot start: what to run
    advice: list[str] = field(default_factory=list)  # they start, but answers will disappoint: what to run

    @property
    def ready(self) -> bool:
        return not self.blocking and not self.advice


def sqlite_file(db_url: str) -> Path | None:
    """The SQLite file a URL names, or None for an in-memory or server database."""
    url = parse_url(db_url)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        return Path(url.database)
    return None


def require_existing(db_url: str) -> None:
    """Refuse a SQLite file that is not there, or not initialised, before the engine opens it:
    opening creates a missing file and turns an empty one into a WAL database (the engine's
    pragmas), so a failed start would leave a file behind. Looked at read-only."""
    path = sqlite_file(db_url)
    if path is None:
        return
    if not path.is_file():
        where = "its directory does not exist" if not path.parent.is_dir() else "no such file"
        raise StorageError(
            f"no database at {path} ({where}): create it with `loyalty seed --db {db_url}` "
            "or `loyalty import ...`, or point LOYALTY_DB_URL at an existing one"
        )
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as raw:
            initialised = raw.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SchemaInfo.__tablename__,)
            ).fetchone()
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from None
    if initialised is None:
        raise StorageError(
            f"database {path} is not initialised: run `loyalty db init --db {db_url}` "
            f"or `loyalty seed --db {db_url}`"
        )


async def check_readiness(
    db_url: str, models: list[datetime], now: datetime, stale_after: timedelta
) -> ServerReadiness:
    """`models`: the as-of times of the fitted models found; `now`: naive UTC."""
    try:
        require_existing(db_url)
    except StorageError as exc:
        return ServerReadiness(blocking=[str(exc)])
    db = database(db_url)
    try:
        await check_schema(db)
        async with db.session() as session:
            newest_order, newest_event = await newest_records(session)
    except StorageError as exc:
        return ServerReadiness(blocking=[f"{exc} (--db {db_url})"])
    finally:
        await db.dispose()
    advice = []
    latest = newest(newest_order, newest_event)
    if latest is None:
        advice.append(
            f"the database has no orders or events: run `loyalty seed --db {db_url}` or `loyalty import ...`"
        )
    elif now - latest > stale_after:
        advice.append(
            f"the newest data is from {latest:%Y-%m-%d} ({(now - latest).days} days ago): every profile "
            "will say stale and the agents will not act; import recent data (`loyalty import ...`, "
            "`loyalty events ...`)"
        )
    if not models:
        advice.append(
            f"no fitted models: run `loyalty models fit --db {db_url}` (tools that need predictions "
            "answer with this error until then)"
        )
    elif newest_order is not None and newest_order - models[-1] > timedelta(days=30):
        advice.append(
            f"the newest models are as of {models[-1]:%Y-%m-%d}, older than the data: "
            f"run `loyalty models fit --db {db_url}`"
        )
    return ServerReadiness(advice=advice)
