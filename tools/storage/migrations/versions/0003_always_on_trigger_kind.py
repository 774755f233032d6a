"""The always-on pass queues triggers of a new kind: `trigger_queue.kind` may be `always_on`.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = [
    "cart_abandoned",
    "purchase",
    "rhythm_lapse",
    "replenishment",
    "competitor_promotion",
    "browse_intent",
]


def _kinds(kinds: list[str]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _replace_check(kinds: list[str]) -> None:
    # Batch mode: SQLite cannot alter a constraint in place, so the table is copied (PostgreSQL alters).
    with op.batch_alter_table("trigger_queue") as batch_op:
        batch_op.drop_constraint(op.f("ck_trigger_queue_kind_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_trigger_queue_kind_valid"), _kinds(kinds))


def upgrade() -> None:
    _replace_check([*KINDS, "always_on"])


def downgrade() -> None:
    op.execute("DELETE FROM trigger_queue WHERE kind = 'always_on'")
    _replace_check(KINDS)
