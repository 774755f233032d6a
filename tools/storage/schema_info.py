"""What a database says about itself (when it was made, which synthetic world it holds)."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from tools.storage.base import Base


class SchemaInfo(Base):
    """One row about this database: when it was made and, if seeded, its synthetic world. (The
    schema's version is its Alembic revision, in `alembic_version`.)"""

    __tablename__ = "schema_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    world_seed: Mapped[int | None] = mapped_column(Integer)
    world_note: Mapped[str | None] = mapped_column(Text)
