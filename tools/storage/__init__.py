"""The product's database: every table (SQLAlchemy models), opening a database (SQLite or
PostgreSQL) with its schema upgraded by Alembic, set-based bulk inserts, and a statement counter
for round-trip guards."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.storage.base import MAX_EXTERNAL_ID, MAX_ROW_ID
    from tools.storage.bulk import bulk_insert
    from tools.storage.db import (
        Database,
        canonical_url,
        check_schema,
        checked_database,
        database,
        drop_schema,
        init_schema,
        parse_url,
        upgrade_schema,
        utcnow,
    )
    from tools.storage.files import staged, write_text_atomic
    from tools.storage.models import (
        Base,
        BehaviouralEvent,
        Budget,
        Category,
        CategoryComplement,
        ChannelConsent,
        CompetitorSignal,
        Contact,
        Customer,
        DecisionLogEntry,
        ExperimentAssignment,
        GuardVerdict,
        Inventory,
        LoyaltyAccount,
        OfferTemplate,
        Order,
        OrderLine,
        Outcome,
        Product,
        Proposal,
        ReviewItem,
        SchemaInfo,
    )
    from tools.storage.runtime import (
        DeliveryAttempt,
        DeliveryLease,
        MemberLease,
        QueuedTrigger,
        TriggerKind,
        TriggerRuleRun,
        begin_write,
        upsert_insert,
    )
    from tools.storage.schema import SchemaState
    from tools.storage.sqlite_driver import off_the_loop

__all__ = [
    "Base",
    "BehaviouralEvent",
    "Budget",
    "Category",
    "CategoryComplement",
    "ChannelConsent",
    "CompetitorSignal",
    "Contact",
    "Customer",
    "Database",
    "DecisionLogEntry",
    "DeliveryAttempt",
    "DeliveryLease",
    "ExperimentAssignment",
    "GuardVerdict",
    "Inventory",
    "LoyaltyAccount",
    "MAX_EXTERNAL_ID",
    "MAX_ROW_ID",
    "MemberLease",
    "OfferTemplate",
    "Order",
    "OrderLine",
    "Outcome",
    "Product",
    "Proposal",
    "QueuedTrigger",
    "ReviewItem",
    "SchemaInfo",
    "SchemaState",
    "TriggerKind",
    "TriggerRuleRun",
    "begin_write",
    "bulk_insert",
    "canonical_url",
    "check_schema",
    "checked_database",
    "database",
    "drop_schema",
    "init_schema",
    "off_the_loop",
    "parse_url",
    "staged",
    "upgrade_schema",
    "upsert_insert",
    "utcnow",
    "write_text_atomic",
]

__getattr__ = lazy_exports(__name__)
