"""Alembic's environment: migrate the connection `tools.storage.schema` hands over, or, run from the
`alembic` command line (new revisions), the database named by `-x db=URL` or LOYALTY_DB_URL."""

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from tools.storage.models import Base


def run_on(connection: Connection) -> None:
    # SQLite alters a table by copying it; batch mode does that for every ALTER the scripts issue.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_url(url: str) -> None:
    from tools.storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_on)
    finally:
        await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
elif context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")
else:
    url = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("LOYALTY_DB_URL")
    if not url:
        raise SystemExit("name the database: alembic -x db=sqlite:///loyalty.db ... (or set LOYALTY_DB_URL)")
    asyncio.run(run_from_url(url))
