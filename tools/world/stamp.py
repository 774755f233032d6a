"""What a seeded database says about its world, in its `schema_info` row.

`world_seed` holds the seed; `world_note` holds JSON with the hidden-traits file name
(`truth_file`), the population's name, the window (`first_day`, `last_day`: the world's "today"
is the end of `last_day`) and the member count. Readers that only need "as of when?" use
`read_world_info`; the traits themselves stay in the truth file (`tools.world.truth`).
"""

import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.storage import Database, SchemaInfo


@dataclass(frozen=True)
class WorldInfo:
    seed: int
    truth_file: str
    population: str
    first_day: date
    last_day: date
    customers: int

    def note(self) -> str:
        fields = asdict(self)
        del fields["seed"]
        return json.dumps(
            fields | {"first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat()},
            sort_keys=True,
        )


async def stamp_world(conn: AsyncConnection, info: WorldInfo) -> None:
    await conn.execute(update(SchemaInfo).values(world_seed=info.seed, world_note=info.note()))


async def read_world_info(db: Database) -> WorldInfo | None:
    """The seeded world's stamp, or None for a database that was not seeded (e.g. imported data)."""
    async with db.session() as session:
        row = (await session.execute(select(SchemaInfo.world_seed, SchemaInfo.world_note))).first()
    if row is None or row.world_seed is None or not row.world_note:
        return None
    note = json.loads(row.world_note)
    return WorldInfo(
        seed=row.world_seed,
        truth_file=note["truth_file"],
        population=note["population"],
        first_day=date.fromisoformat(note["first_day"]),
        last_day=date.fromisoformat(note["last_day"]),
        customers=int(note["customers"]),
    )
