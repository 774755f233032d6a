"""`loyalty db ...`: create and inspect the database."""

import typer
from sqlalchemy import func, select

from loyalty.cli.common import DbOption, console, run, settings_for
from tools.storage import (
    Base,
    Database,
    SchemaState,
    check_schema,
    database,
    drop_schema,
    init_schema,
    upgrade_schema,
)

app = typer.Typer(help="Create and inspect the database.", no_args_is_help=True)


@app.command("init")
def init(db: DbOption = None, reset: bool = typer.Option(False, help="Drop every table first.")) -> None:
    """Create the schema through the migrations (safe to run twice; upgrades an older database)."""
    settings = settings_for(db)

    async def go() -> SchemaState:
        store = database(settings.db_url)
        try:
            if reset:
                await drop_schema(store)
            return await init_schema(store)
        finally:
            await store.dispose()

    state = run(go())
    console.print(f"database ready at schema revision {state.revision}: {settings.db_url}")


@app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """Migrate the database to this build's schema (adopts one made by release 0.1.0)."""
    settings = settings_for(db)

    async def go() -> SchemaState:
        store = database(settings.db_url)
        try:
            return await upgrade_schema(store)
        finally:
            await store.dispose()

    state = run(go())
    console.print(f"database at schema revision {state.revision}: {settings.db_url}")


@app.command("stats")
def stats(db: DbOption = None) -> None:
    """Row counts per table."""
    settings = settings_for(db)

    async def go() -> dict[str, int]:
        store = database(settings.db_url)
        try:
            await check_schema(store)
            return await table_counts(store)
        finally:
            await store.dispose()

    for name, count in run(go()).items():
        console.print(f"{name:<24} {count:>12,}")


async def table_counts(store: Database) -> dict[str, int]:
    async with store.session() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in sorted(Base.metadata.tables.items())
        }
