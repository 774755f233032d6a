"""The schema's version is its Alembic revision: upgrading, adopting a database made before
migrations, and reading where a database stands.

A database made by release 0.1.0 (`create_all`, no `alembic_version` table) is *adopted*: the
indexes that release's `db init` would have added are created, the database is stamped at the
baseline revision, and the later revisions run on it like on any other.
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from tools.storage.models import Base

BASELINE = "0001"
# Tables every release has had; one of them without `alembic_version` marks a pre-migration database.
PRE_MIGRATION_MARKER = "schema_info"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("tools.storage") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


@cache
def known_revisions() -> frozenset[str]:
    return frozenset({script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()})


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision, or whether it is empty or made before migrations."""

    revision: str | None
    pre_migration: bool
    empty: bool


def schema_state(connection: Connection) -> SchemaState:
    tables = set(inspect(connection).get_table_names())
    revision = MigrationContext.configure(connection).get_current_revision()
    return SchemaState(
        revision=revision,
        pre_migration=revision is None and PRE_MIGRATION_MARKER in tables,
        empty=not tables - {"alembic_version"},
    )


def upgrade(connection: Connection) -> SchemaState:
    """Bring the database to the head revision (creating it, or adopting a pre-migration one)."""
    if schema_state(connection).pre_migration:
        _adopt(connection)
    command.upgrade(_config(connection), "head")
    return schema_state(connection)


def _adopt(connection: Connection) -> None:
    # Release 0.1.0's `db init` created the indexes added after a database was made; do the same,
    # once, so every adopted database matches the baseline before it is stamped there.
    existing = set(inspect(connection).get_table_names())
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if table.name in existing and index.name in BASELINE_INDEXES:
                index.create(connection, checkfirst=True)
    command.stamp(_config(connection), BASELINE)


# The indexes revision 0001 creates: what release 0.1.0's `db init` guaranteed.
BASELINE_INDEXES = frozenset(
    {
        "ix_categories_department",
        "ix_channel_consents_updated_at",
        "ix_competitor_signals_category_id",
        "ix_contacts_customer_sent",
        "ix_contacts_proposal_id",
        "ix_contacts_sent_at",
        "ix_contacts_status_scheduled",
        "ix_decision_log_customer_id",
        "ix_decision_log_trace_step",
        "ix_delivery_attempts_contact_id",
        "ix_delivery_leases_expires_at",
        "ix_events_customer_occurred",
        "ix_events_occurred_at",
        "ix_guard_verdicts_proposal_id",
        "ix_member_leases_expires_at",
        "ix_order_lines_order_id",
        "ix_order_lines_product_id",
        "ix_orders_customer_placed",
        "ix_orders_placed_at",
        "ix_outcomes_customer_occurred",
        "ix_outcomes_occurred_at",
        "ix_products_category_id",
        "ix_proposals_customer_created",
        "ix_proposals_trace_id",
        "ix_trigger_queue_customer_status",
        "ix_trigger_queue_status_due",
        "uq_outcomes_contact_type",
    }
)


def drop_version_table(connection: Connection) -> None:
    if inspect(connection).has_table("alembic_version"):
        connection.exec_driver_sql("DROP TABLE alembic_version")
