"""Database fixtures, loaded as a pytest plugin (`-p tests.db_fixtures` in pyproject).

`db` runs a test on SQLite always and on PostgreSQL when LOYALTY_TEST_PG_URL is set, each run in
its own schema that is dropped afterwards.
"""

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from tools.storage.db import Database, database, init_schema

PG_URL_ENV = "LOYALTY_TEST_PG_URL"


def _pg_url() -> str | None:
    return os.environ.get(PG_URL_ENV) or None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and _pg_url() is None:
        pytest.skip(
            f"PostgreSQL tests need {PG_URL_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
        )
    return str(request.param)


@pytest.fixture
async def db(db_backend: str, tmp_path) -> AsyncIterator[Database]:
    """An initialised, empty database on the chosen backend."""
    async with fresh_database(db_backend, tmp_path) as store:
        yield store


@pytest.fixture
async def sqlite_db(tmp_path) -> AsyncIterator[Database]:
    async with fresh_database("sqlite", tmp_path) as store:
        yield store


class fresh_database:
    """Async context manager creating an isolated database, initialised unless `empty`."""

    def __init__(self, backend: str, tmp_path, *, empty: bool = False) -> None:
        self.backend, self.tmp_path, self.empty = backend, tmp_path, empty
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        self.store: Database | None = None

    async def __aenter__(self) -> Database:
        if self.backend == "sqlite":
            self.store = database(f"sqlite+aiosqlite:///{self.tmp_path / 'test.db'}")
        else:
            url = _pg_url()
            assert url is not None
            admin = database(url)
            async with admin.engine.begin() as conn:
                await conn.exec_driver_sql(f"CREATE SCHEMA {self.schema}")
            await admin.dispose()
            self.store = database(url, connect_args={"server_settings": {"search_path": self.schema}})
        if not self.empty:
            await init_schema(self.store)
        return self.store

    async def __aexit__(self, *exc: object) -> None:
        assert self.store is not None
        await self.store.dispose()
        if self.backend == "postgresql":
            admin = database(_pg_url() or "")
            async with admin.engine.begin() as conn:
                await conn.exec_driver_sql(f"DROP SCHEMA {self.schema} CASCADE")
            await admin.dispose()
