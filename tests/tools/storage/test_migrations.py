"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL, and
upgrade a database made by release 0.1.0 (its `create_all`, no `alembic_version`) keeping its data."""

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from loyalty.cli.app import app
from tests.db_fixtures import fresh_database
from tools.errors import StorageError
from tools.storage import schema
from tools.storage.db import Database, check_schema, database, init_schema, upgrade_schema
from tools.storage.models import Base, Customer

RELEASE_0_1_0 = Path(__file__).parent / "release_0_1_0"
NOW = datetime(2026, 1, 15, 12, 0)


def _check_text(sql: str) -> str:
    # SQLite reports a CHECK as written in its CREATE TABLE, PostgreSQL as it re-renders it.
    return re.sub(r"[\s()]|::[a-z ]+", "", sql).lower()


def shape(conn: Connection) -> dict[str, Any]:
    """Everything the database says about its tables, in a comparable form."""
    found = inspect(conn)
    tables: dict[str, Any] = {}
    for name in sorted(set(found.get_table_names()) - {"alembic_version"}):
        tables[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
            "pk": found.get_pk_constraint(name)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(name)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"])) for u in found.get_unique_constraints(name)
            ),
            "foreign_keys": sorted(
                (
                    f["name"],
                    tuple(f["constrained_columns"]),
                    f["referred_table"],
                    (f.get("options") or {}).get("ondelete"),
                )
                for f in found.get_foreign_keys(name)
            ),
            "checks": sorted(
                (c["name"], _check_text(c["sqltext"])) for c in found.get_check_constraints(name)
            ),
        }
    return tables


async def _shape(db: Database) -> dict[str, Any]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(shape)


async def _create_all_shape(backend: str, tmp_path: Path) -> dict[str, Any]:
    async with fresh_database(backend, tmp_path / "by_models", empty=True) as models:
        async with models.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        return await _shape(models)


async def _make_release_0_1_0(db: Database, *, drop_index: str | None = None) -> None:
    """A database as release 0.1.0 left it: its DDL, its version stamp, a member."""
    lines = (RELEASE_0_1_0 / f"{db.dialect}.sql").read_text().splitlines()
    statements = "\n".join(line for line in lines if not line.startswith("--")).split(";\n")
    async with db.engine.begin() as conn:
        for statement in filter(str.strip, statements):
            await conn.exec_driver_sql(statement)
        if drop_index:
            await conn.exec_driver_sql(f"DROP INDEX {drop_index}")
        await conn.execute(
            text("INSERT INTO schema_info (id, version, created_at) VALUES (1, 1, :now)"), {"now": NOW}
        )
        await conn.execute(
            text(
                "INSERT INTO customers (id, external_id, first_name, last_name, locale, time_zone, quiet_start_hour,"
                " quiet_end_hour, joined_at) VALUES (7, 'M7', 'Ann', 'Lee', 'en-AU', 'UTC', 21, 8, :now)"
            ),
            {"now": NOW},
        )


@pytest.fixture
def tmp_dirs(tmp_path: Path) -> Path:
    for name in ("by_models", "old"):
        (tmp_path / name).mkdir()
    return tmp_path


async def test_migrations_build_what_the_models_declare(
    db: Database, db_backend: str, tmp_dirs: Path
) -> None:
    assert await _shape(db) == await _create_all_shape(db_backend, tmp_dirs)
    async with db.engine.connect() as conn:
        assert (await conn.run_sync(schema.schema_state)).revision == schema.head_revision()


async def test_a_release_0_1_0_database_is_upgraded_keeping_its_data(db_backend: str, tmp_dirs: Path) -> None:
    async with fresh_database(db_backend, tmp_dirs / "old", empty=True) as old:
        # the index release 0.1.0's own `db init` would also have added to an older file
        await _make_release_0_1_0(old, drop_index="ix_events_occurred_at")
        with pytest.raises(StorageError, match="earlier release: run `loyalty db upgrade`"):
            await check_schema(old)

        state = await upgrade_schema(old)

        assert state.revision == schema.head_revision()
        await check_schema(old)
        assert await _shape(old) == await _create_all_shape(db_backend, tmp_dirs)
        async with old.session() as session:
            assert (await session.scalars(select(Customer.external_id))).all() == ["M7"]


async def test_downgrade_and_upgrade_again(db: Database) -> None:
    def down_and_up(conn: Connection) -> str | None:
        config = schema._config(conn)
        command.downgrade(config, "0001")
        assert "version" in {c["name"] for c in inspect(conn).get_columns("schema_info")}
        command.upgrade(config, "head")
        return schema.schema_state(conn).revision

    async with db.engine.begin() as conn:
        assert await conn.run_sync(down_and_up) == schema.head_revision()


async def test_a_newer_revision_is_refused_not_touched(sqlite_db: Database) -> None:
    async with sqlite_db.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    with pytest.raises(StorageError, match="revision f00d, which this build does not know"):
        await check_schema(sqlite_db)
    with pytest.raises(StorageError, match="revision f00d, which this build does not know"):
        await init_schema(sqlite_db)


def test_db_upgrade_command_adopts_a_release_0_1_0_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"

    async def make() -> None:
        store = database(url)
        try:
            await _make_release_0_1_0(store)
        finally:
            await store.dispose()

    anyio.run(make)
    refused = CliRunner().invoke(app, ["db", "stats", "--db", url])
    assert refused.exit_code != 0 and "run `loyalty db upgrade`" in refused.output
    upgraded = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"schema revision {schema.head_revision()}" in upgraded.output
    stats = CliRunner().invoke(app, ["db", "stats", "--db", url])
    assert stats.exit_code == 0 and re.search(r"customers\s+1\b", stats.output)
