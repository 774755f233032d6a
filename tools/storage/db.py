"""Opening databases: URL validation, engine settings per dialect, schema upgrades and checks."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from tools.errors import StorageError
from tools.storage import schema, sqlite_driver
from tools.storage.models import Base, SchemaInfo
from tools.storage.schema import SchemaState
from tools.time import utcnow

SUPPORTED_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}


def parse_url(raw: str) -> URL:
    """Validate a database URL and normalise plain `sqlite:`/`postgresql:` to the async drivers."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise StorageError(
            f"malformed database URL {raw!r}: expected e.g. sqlite+aiosqlite:///loyalty.db"
        ) from exc
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    elif url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+asyncpg")
    if url.drivername not in SUPPORTED_DRIVERS:
        raise StorageError(
            f"unsupported database {url.drivername!r}: use one of {', '.join(sorted(SUPPORTED_DRIVERS))}"
        )
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        _check_sqlite_path(Path(url.database))
    if url.drivername.startswith("postgresql"):
        url = _asyncpg_query(url)
    return url


SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# URL parameters asyncpg's connect() takes (after `sslmode` becomes its `ssl`).
ASYNCPG_PARAMETERS = frozenset({"ssl", "timeout", "command_timeout", "prepared_statement_cache_size"})


def _asyncpg_query(url: URL) -> URL:
    """libpq spells TLS `sslmode=require`; asyncpg takes `ssl=require`. Anything else it does not
    take is refused here, naming it, instead of failing inside the driver."""
    query = dict(url.query)
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    if "ssl" in query and query["ssl"] not in SSL_MODES:
        raise StorageError(f"sslmode {query['ssl']!r} is not one of {', '.join(SSL_MODES)}")
    unknown = sorted(set(query) - ASYNCPG_PARAMETERS)
    if unknown:
        raise StorageError(
            f"unsupported PostgreSQL URL parameter {', '.join(unknown)}: use sslmode, "
            f"{', '.join(sorted(ASYNCPG_PARAMETERS - {'ssl'}))}"
        )
    return url.set(query=query)


def _check_sqlite_path(path: Path) -> None:
    parent = path.resolve().parent
    if not parent.is_dir():
        raise StorageError(f"cannot create database {path}: directory {parent} does not exist")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise StorageError(f"cannot write database {path}: {target} is not writable")


def create_engine(raw_url: str, *, sqlite_inline: bool = False, **kwargs: object) -> AsyncEngine:
    """`sqlite_inline`: SQLite statements run on the event loop's thread (see `sqlite_driver`)."""
    url = parse_url(raw_url)
    if url.drivername.startswith("sqlite"):
        kwargs.setdefault(
            "async_creator", partial(sqlite_driver.connect, url.database or ":memory:", inline=sqlite_inline)
        )
    try:
        engine = create_async_engine(url, **kwargs)
    except NoSuchModuleError as exc:
        raise StorageError(f"database driver for {url.drivername!r} is not installed") from exc
    if url.drivername.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the writer;
    # busy_timeout makes concurrent writers wait instead of failing at once. The commit that takes
    # the WAL past the auto-checkpoint size copies it into the database before it returns: at
    # SQLite's default of 1,000 pages that stalled one decision in ~70 by 150-250 ms (the p99 of
    # benchmarks/decision.py); 100 pages spreads the same copying over ten times smaller stalls.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    for pragma in (
        "foreign_keys=ON",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=10000",
        "wal_autocheckpoint=100",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


@dataclass
class Database:
    """An engine and its session factory, passed to whatever needs storage."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def database(raw_url: str, *, sqlite_inline: bool = False, **engine_kwargs: object) -> Database:
    engine = create_engine(raw_url, sqlite_inline=sqlite_inline, **engine_kwargs)
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False))


async def init_schema(db: Database) -> SchemaState:
    """Bring the schema to this build's revision through the migrations (idempotent): creates it
    in an empty database, adopts one made before migrations, upgrades an older one."""
    try:
        async with db.engine.begin() as conn:
            state = await conn.run_sync(_upgrade_refusing_newer)
        async with db.session() as session, session.begin():
            if await session.scalar(select(SchemaInfo.id)) is None:
                session.add(SchemaInfo(id=1, created_at=utcnow()))
    except (OperationalError, ProgrammingError, DBAPIError, OSError) as exc:
        raise StorageError(f"cannot initialise database: {_first_line(exc)}") from exc
    await check_schema(db)
    return state


# `loyalty db upgrade` and `loyalty db init` are one operation; the two names say what the user means.
upgrade_schema = init_schema


def _upgrade_refusing_newer(conn: Connection) -> SchemaState:
    state = schema.schema_state(conn)
    if state.revision is not None and state.revision not in schema.known_revisions():
        raise StorageError(_newer(state.revision))
    return schema.upgrade(conn)


def _newer(revision: str) -> str:
    return (
        f"database is at schema revision {revision}, which this build does not know (made by a newer "
        f"release?): use that release, or a new database"
    )


@asynccontextmanager
async def checked_database(raw_url: str) -> AsyncIterator[Database]:
    """The database at `raw_url`, refused unless this build created it; disposed on the way out."""
    store = database(raw_url)
    try:
        await check_schema(store)
        yield store
    finally:
        await store.dispose()


async def check_schema(db: Database) -> None:
    """Refuse to work on a database not at this build's schema revision, naming what to do instead."""
    try:
        async with db.engine.connect() as conn:
            state = await conn.run_sync(schema.schema_state)
    except (OperationalError, ProgrammingError, DBAPIError) as exc:
        raise StorageError(f"cannot open database: {_first_line(exc)}") from exc
    except OSError as exc:
        raise StorageError(f"cannot open database: {exc}") from exc
    if state.pre_migration:
        raise StorageError("database was made by an earlier release: run `loyalty db upgrade` first")
    if state.revision is None:
        raise StorageError("database is not initialised: run `loyalty db init` first")
    if state.revision != schema.head_revision():
        if state.revision not in schema.known_revisions():
            raise StorageError(_newer(state.revision))
        raise StorageError(
            f"database is at schema revision {state.revision}, this build needs "
            f"{schema.head_revision()}: run `loyalty db upgrade`"
        )


async def drop_schema(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(schema.drop_version_table)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def canonical_url(raw: str) -> str:
    """The URL with the async driver and, for SQLite files, an absolute path: one database, one
    spelling (used to key files that belong to a database, and in configs run from elsewhere)."""
    url = parse_url(raw)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=False)
