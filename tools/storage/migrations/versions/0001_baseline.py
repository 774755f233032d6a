"""Baseline: the schema of release 0.1.0, as its `create_all` made it (adopted databases are stamped here).

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-07 12:41:33.091536
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("use_case", sa.String(length=24), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("spent", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')",
            name=op.f("ck_budgets_use_case_valid"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_budgets_amount_nonnegative")),
        sa.CheckConstraint("spent >= 0 AND spent <= amount", name=op.f("ck_budgets_spent_within_amount")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("use_case", "period_start", name="uq_budgets_use_case_period"),
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_categories_name")),
    )
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_categories_department"), ["department"], unique=False)

    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("income_band", sa.String(length=32), nullable=True),
        sa.Column("household_size", sa.SmallInteger(), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("quiet_start_hour", sa.SmallInteger(), nullable=False),
        sa.Column("quiet_end_hour", sa.SmallInteger(), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("data_synced_at", sa.DateTime(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1900 AND 2030",
            name=op.f("ck_customers_birth_year_range"),
        ),
        sa.CheckConstraint("quiet_end_hour BETWEEN 0 AND 23", name=op.f("ck_customers_quiet_end_range")),
        sa.CheckConstraint("quiet_start_hour BETWEEN 0 AND 23", name=op.f("ck_customers_quiet_start_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("external_id", name=op.f("uq_customers_external_id")),
    )
    op.create_table(
        "decision_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trace_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_log")),
    )
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_log_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_decision_log_trace_step", ["trace_id", "step"], unique=False)

    op.create_table(
        "offer_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("discount_pct", sa.Numeric(precision=8, scale=4, asdecimal=False), nullable=True),
        sa.Column("amount_off", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True),
        sa.Column("points_multiplier", sa.Float(), nullable=True),
        sa.Column("bonus_points", sa.Integer(), nullable=True),
        sa.Column("min_spend", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "type IN ('none', 'percent_off', 'amount_off', 'free_shipping', 'bonus_points', 'points_multiplier', 'bundle', 'early_access', 'gift')",
            name=op.f("ck_offer_templates_type_valid"),
        ),
        sa.CheckConstraint(
            "amount_off IS NULL OR amount_off > 0", name=op.f("ck_offer_templates_amount_positive")
        ),
        sa.CheckConstraint(
            "bonus_points IS NULL OR bonus_points > 0", name=op.f("ck_offer_templates_bonus_positive")
        ),
        sa.CheckConstraint(
            "discount_pct IS NULL OR (discount_pct > 0 AND discount_pct <= 100)",
            name=op.f("ck_offer_templates_pct_range"),
        ),
        sa.CheckConstraint("min_spend >= 0", name=op.f("ck_offer_templates_min_spend_nonnegative")),
        sa.CheckConstraint(
            "points_multiplier IS NULL OR points_multiplier > 1",
            name=op.f("ck_offer_templates_multiplier_gt_one"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_templates")),
        sa.UniqueConstraint("code", name=op.f("uq_offer_templates_code")),
    )
    op.create_table(
        "schema_info",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("world_seed", sa.Integer(), nullable=True),
        sa.Column("world_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schema_info")),
    )
    op.create_table(
        "trigger_rule_runs",
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("last_run_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("rule", name=op.f("pk_trigger_rule_runs")),
    )
    op.create_table(
        "category_complements",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("complement_id", sa.Integer(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.CheckConstraint("category_id <> complement_id", name=op.f("ck_category_complements_not_self")),
        sa.CheckConstraint(
            "strength > 0 AND strength <= 1", name=op.f("ck_category_complements_strength_range")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_category_complements_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complement_id"],
            ["categories.id"],
            name=op.f("fk_category_complements_complement_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("category_id", "complement_id", name=op.f("pk_category_complements")),
    )
    op.create_table(
        "channel_consents",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'push', 'in_app', 'in_store')",
            name=op.f("ck_channel_consents_channel_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_channel_consents_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "channel", name=op.f("pk_channel_consents")),
    )
    with op.batch_alter_table("channel_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_consents_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "competitor_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competitor", sa.String(length=80), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("discount_pct", sa.Float(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "discount_pct >= 0 AND discount_pct <= 100", name=op.f("ck_competitor_signals_discount_range")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_competitor_signals_window_ordered")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_competitor_signals_category_id_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competitor_signals")),
    )
    with op.batch_alter_table("competitor_signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competitor_signals_category_id"), ["category_id"], unique=False)

    op.create_table(
        "experiment_assignments",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("use_case", sa.String(length=24), nullable=False),
        sa.Column("arm", sa.String(length=10), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "arm IN ('treatment', 'control')", name=op.f("ck_experiment_assignments_arm_valid")
        ),
        sa.CheckConstraint(
            "use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')",
            name=op.f("ck_experiment_assignments_use_case_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_experiment_assignments_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "use_case", name=op.f("pk_experiment_assignments")),
    )
    op.create_table(
        "loyalty_accounts",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("points_balance", sa.Integer(), nullable=False),
        sa.Column("lifetime_points", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "tier IN ('bronze', 'silver', 'gold', 'platinum')", name=op.f("ck_loyalty_accounts_tier_valid")
        ),
        sa.CheckConstraint(
            "lifetime_points >= points_balance", name=op.f("ck_loyalty_accounts_lifetime_covers_balance")
        ),
        sa.CheckConstraint("points_balance >= 0", name=op.f("ck_loyalty_accounts_points_nonnegative")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loyalty_accounts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_loyalty_accounts")),
    )
    op.create_table(
        "member_leases",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_member_leases_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_member_leases")),
    )
    with op.batch_alter_table("member_leases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_leases_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("product_type", sa.String(length=120), nullable=True),
        sa.Column("brand", sa.String(length=80), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("season", sa.String(length=8), nullable=False),
        sa.Column("is_consumable", sa.Boolean(), nullable=False),
        sa.Column("full_price_only", sa.Boolean(), nullable=False),
        sa.Column("launched_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "season IN ('all', 'spring', 'summer', 'autumn', 'winter')", name=op.f("ck_products_season_valid")
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_products_price_positive")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_products_cost_nonnegative")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_products_category_id_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_category_id"), ["category_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("trace_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("use_case", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("estimated_cost", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("expected_value", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'push', 'in_app', 'in_store')",
            name=op.f("ck_proposals_channel_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'rejected', 'in_review', 'sent', 'expired')",
            name=op.f("ck_proposals_status_valid"),
        ),
        sa.CheckConstraint(
            "use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')",
            name=op.f("ck_proposals_use_case_valid"),
        ),
        sa.CheckConstraint("estimated_cost >= 0", name=op.f("ck_proposals_cost_nonnegative")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_proposals_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_customer_created", ["customer_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_trace_id"), ["trace_id"], unique=False)

    op.create_table(
        "trigger_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("use_case", sa.String(length=24), nullable=False),
        sa.Column("arm", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("arm IN ('treatment', 'control')", name=op.f("ck_trigger_queue_arm_valid")),
        sa.CheckConstraint(
            "kind IN ('cart_abandoned', 'purchase', 'rhythm_lapse', 'replenishment', 'competitor_promotion', 'browse_intent')",
            name=op.f("ck_trigger_queue_kind_valid"),
        ),
        sa.CheckConstraint(
            "status <> 'claimed' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)",
            name=op.f("ck_trigger_queue_claim_has_lease"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'claimed', 'done', 'failed', 'skipped')",
            name=op.f("ck_trigger_queue_status_valid"),
        ),
        sa.CheckConstraint(
            "use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')",
            name=op.f("ck_trigger_queue_use_case_valid"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_trigger_queue_attempts_nonnegative")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_trigger_queue_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trigger_queue")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_trigger_queue_idempotency_key")),
    )
    with op.batch_alter_table("trigger_queue", schema=None) as batch_op:
        batch_op.create_index("ix_trigger_queue_customer_status", ["customer_id", "status"], unique=False)
        batch_op.create_index("ix_trigger_queue_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("use_case", sa.String(length=24), nullable=True),
        sa.Column("campaign", sa.String(length=80), nullable=True),
        sa.Column("offer_code", sa.String(length=40), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'push', 'in_app', 'in_store')",
            name=op.f("ck_contacts_channel_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'dead_letter', 'cancelled')",
            name=op.f("ck_contacts_status_valid"),
        ),
        sa.CheckConstraint(
            "use_case IS NULL OR use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')",
            name=op.f("ck_contacts_use_case_valid"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_contacts_attempts_nonnegative")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contacts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_contacts_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_contacts_idempotency_key")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_customer_sent", ["customer_id", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_contacts_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contacts_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index("ix_contacts_status_scheduled", ["status", "scheduled_at"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "type IN ('view', 'search', 'cart_add', 'cart_remove', 'checkout_start', 'purchase', 'app_open', 'store_visit', 'message_open', 'message_click', 'unsubscribe', 'complaint')",
            name=op.f("ck_events_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_events_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_events_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_events_product_id_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_events_idempotency_key")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_customer_occurred", ["customer_id", "occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "guard_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.Column("approval_expires_at", sa.DateTime(), nullable=True),
        sa.Column("approval_used_at", sa.DateTime(), nullable=True),
        sa.Column("guard_model", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "approval_id IS NULL OR verdict <> 'reject'", name=op.f("ck_guard_verdicts_no_approval_on_reject")
        ),
        sa.CheckConstraint(
            "verdict IN ('approve', 'reject', 'revise')", name=op.f("ck_guard_verdicts_verdict_valid")
        ),
        sa.CheckConstraint(
            "(approval_id IS NULL) = (approval_expires_at IS NULL)",
            name=op.f("ck_guard_verdicts_approval_expires"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_guard_verdicts_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_verdicts")),
        sa.UniqueConstraint("approval_id", name=op.f("uq_guard_verdicts_approval_id")),
    )
    with op.batch_alter_table("guard_verdicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guard_verdicts_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "inventory",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("weekly_demand", sa.Float(), nullable=False),
        sa.Column("clearance", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_inventory_on_hand_nonnegative")),
        sa.CheckConstraint("weekly_demand >= 0", name=op.f("ck_inventory_demand_nonnegative")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_inventory_product_id_products"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_inventory")),
    )
    op.create_table(
        "review_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_review_queue_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_review_queue_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_queue")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_review_queue_proposal_id")),
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("worker", sa.String(length=80), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'push', 'in_app', 'in_store')",
            name=op.f("ck_delivery_attempts_channel_valid"),
        ),
        sa.CheckConstraint(
            "result IN ('sent', 'duplicate', 'transient', 'permanent')",
            name=op.f("ck_delivery_attempts_result_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_delivery_attempts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempts")),
    )
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attempts_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "delivery_leases",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_delivery_leases_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_delivery_leases")),
    )
    with op.batch_alter_table("delivery_leases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_leases_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("discount_total", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("coupon_code", sa.String(length=40), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("channel IN ('online', 'store', 'app')", name=op.f("ck_orders_channel_valid")),
        sa.CheckConstraint("discount_total >= 0", name=op.f("ck_orders_discount_nonnegative")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_orders_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_orders_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("external_id", name=op.f("uq_orders_external_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_placed", ["customer_id", "placed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_placed_at"), ["placed_at"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("discount", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.CheckConstraint("discount >= 0", name=op.f("ck_order_lines_discount_nonnegative")),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_order_lines_quantity_nonzero")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_order_lines_cost_nonnegative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_order_lines_price_nonnegative")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_order_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_lines_product_id"), ["product_id"], unique=False)

    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=12), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("revenue", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.Column("margin", sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=False),
        sa.CheckConstraint(
            "type IN ('open', 'click', 'redeem', 'order', 'unsubscribe', 'complaint')",
            name=op.f("ck_outcomes_type_valid"),
        ),
        sa.CheckConstraint("revenue >= 0", name=op.f("ck_outcomes_revenue_nonnegative")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_outcomes_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_outcomes_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_outcomes_order_id_orders"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index("ix_outcomes_customer_occurred", ["customer_id", "occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcomes_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index("uq_outcomes_contact_type", ["contact_id", "type"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index("uq_outcomes_contact_type")
        batch_op.drop_index(batch_op.f("ix_outcomes_occurred_at"))
        batch_op.drop_index("ix_outcomes_customer_occurred")

    op.drop_table("outcomes")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_product_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_placed_at"))
        batch_op.drop_index("ix_orders_customer_placed")

    op.drop_table("orders")
    with op.batch_alter_table("delivery_leases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_leases_expires_at"))

    op.drop_table("delivery_leases")
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempts_contact_id"))

    op.drop_table("delivery_attempts")
    op.drop_table("review_queue")
    op.drop_table("inventory")
    with op.batch_alter_table("guard_verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guard_verdicts_proposal_id"))

    op.drop_table("guard_verdicts")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_occurred_at"))
        batch_op.drop_index("ix_events_customer_occurred")

    op.drop_table("events")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_status_scheduled")
        batch_op.drop_index(batch_op.f("ix_contacts_sent_at"))
        batch_op.drop_index(batch_op.f("ix_contacts_proposal_id"))
        batch_op.drop_index("ix_contacts_customer_sent")

    op.drop_table("contacts")
    with op.batch_alter_table("trigger_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_trigger_queue_status_due")
        batch_op.drop_index("ix_trigger_queue_customer_status")

    op.drop_table("trigger_queue")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_trace_id"))
        batch_op.drop_index("ix_proposals_customer_created")

    op.drop_table("proposals")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_category_id"))

    op.drop_table("products")
    with op.batch_alter_table("member_leases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_leases_expires_at"))

    op.drop_table("member_leases")
    op.drop_table("loyalty_accounts")
    op.drop_table("experiment_assignments")
    with op.batch_alter_table("competitor_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competitor_signals_category_id"))

    op.drop_table("competitor_signals")
    with op.batch_alter_table("channel_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_consents_updated_at"))

    op.drop_table("channel_consents")
    op.drop_table("category_complements")
    op.drop_table("trigger_rule_runs")
    op.drop_table("schema_info")
    op.drop_table("offer_templates")
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_log_trace_step")
        batch_op.drop_index(batch_op.f("ix_decision_log_customer_id"))

    op.drop_table("decision_log")
    op.drop_table("customers")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_categories_department"))

    op.drop_table("categories")
    op.drop_table("budgets")
