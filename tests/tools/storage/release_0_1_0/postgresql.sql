-- The schema release 0.1.0 created on postgresql (`Base.metadata.create_all` at commit 8416ebb),
-- captured with a mock engine; tests upgrade a database made from it.
CREATE TABLE categories (
	id SERIAL NOT NULL, 
	name VARCHAR(80) NOT NULL, 
	department VARCHAR(80) NOT NULL, 
	CONSTRAINT pk_categories PRIMARY KEY (id), 
	CONSTRAINT uq_categories_name UNIQUE (name)
);

CREATE INDEX ix_categories_department ON categories (department);

CREATE TABLE customers (
	id SERIAL NOT NULL, 
	external_id VARCHAR(64) NOT NULL, 
	first_name VARCHAR(80) NOT NULL, 
	last_name VARCHAR(80) NOT NULL, 
	email VARCHAR(254), 
	phone VARCHAR(32), 
	birth_year SMALLINT, 
	gender VARCHAR(16), 
	income_band VARCHAR(32), 
	household_size SMALLINT, 
	postcode VARCHAR(16), 
	locale VARCHAR(16) NOT NULL, 
	time_zone VARCHAR(64) NOT NULL, 
	quiet_start_hour SMALLINT NOT NULL, 
	quiet_end_hour SMALLINT NOT NULL, 
	joined_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	data_synced_at TIMESTAMP WITHOUT TIME ZONE, 
	notes TEXT, 
	CONSTRAINT pk_customers PRIMARY KEY (id), 
	CONSTRAINT ck_customers_quiet_start_range CHECK (quiet_start_hour BETWEEN 0 AND 23), 
	CONSTRAINT ck_customers_quiet_end_range CHECK (quiet_end_hour BETWEEN 0 AND 23), 
	CONSTRAINT ck_customers_birth_year_range CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2030), 
	CONSTRAINT uq_customers_external_id UNIQUE (external_id)
);

CREATE TABLE offer_templates (
	id SERIAL NOT NULL, 
	code VARCHAR(40) NOT NULL, 
	type VARCHAR(20) NOT NULL, 
	description VARCHAR(200) NOT NULL, 
	discount_pct NUMERIC(8, 4), 
	amount_off NUMERIC(12, 2), 
	points_multiplier FLOAT, 
	bonus_points INTEGER, 
	min_spend NUMERIC(12, 2) NOT NULL, 
	active BOOLEAN NOT NULL, 
	CONSTRAINT pk_offer_templates PRIMARY KEY (id), 
	CONSTRAINT ck_offer_templates_type_valid CHECK (type IN ('none', 'percent_off', 'amount_off', 'free_shipping', 'bonus_points', 'points_multiplier', 'bundle', 'early_access', 'gift')), 
	CONSTRAINT ck_offer_templates_pct_range CHECK (discount_pct IS NULL OR (discount_pct > 0 AND discount_pct <= 100)), 
	CONSTRAINT ck_offer_templates_amount_positive CHECK (amount_off IS NULL OR amount_off > 0), 
	CONSTRAINT ck_offer_templates_multiplier_gt_one CHECK (points_multiplier IS NULL OR points_multiplier > 1), 
	CONSTRAINT ck_offer_templates_bonus_positive CHECK (bonus_points IS NULL OR bonus_points > 0), 
	CONSTRAINT ck_offer_templates_min_spend_nonnegative CHECK (min_spend >= 0), 
	CONSTRAINT uq_offer_templates_code UNIQUE (code)
);

CREATE TABLE budgets (
	id SERIAL NOT NULL, 
	use_case VARCHAR(24) NOT NULL, 
	period_start TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	period_end TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	amount NUMERIC(12, 2) NOT NULL, 
	spent NUMERIC(12, 2) NOT NULL, 
	paused BOOLEAN NOT NULL, 
	CONSTRAINT pk_budgets PRIMARY KEY (id), 
	CONSTRAINT ck_budgets_use_case_valid CHECK (use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')), 
	CONSTRAINT ck_budgets_amount_nonnegative CHECK (amount >= 0), 
	CONSTRAINT ck_budgets_spent_within_amount CHECK (spent >= 0 AND spent <= amount), 
	CONSTRAINT uq_budgets_use_case_period UNIQUE (use_case, period_start)
);

CREATE TABLE decision_log (
	id SERIAL NOT NULL, 
	trace_id VARCHAR(36) NOT NULL, 
	step INTEGER NOT NULL, 
	agent VARCHAR(40) NOT NULL, 
	kind VARCHAR(24) NOT NULL, 
	customer_id INTEGER, 
	payload JSON NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_decision_log PRIMARY KEY (id)
);

CREATE INDEX ix_decision_log_customer_id ON decision_log (customer_id);

CREATE INDEX ix_decision_log_trace_step ON decision_log (trace_id, step);

CREATE TABLE schema_info (
	id SERIAL NOT NULL, 
	version INTEGER NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	world_seed INTEGER, 
	world_note TEXT, 
	CONSTRAINT pk_schema_info PRIMARY KEY (id)
);

CREATE TABLE trigger_rule_runs (
	rule VARCHAR(40) NOT NULL, 
	last_run_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_trigger_rule_runs PRIMARY KEY (rule)
);

CREATE TABLE category_complements (
	category_id INTEGER NOT NULL, 
	complement_id INTEGER NOT NULL, 
	strength FLOAT NOT NULL, 
	CONSTRAINT pk_category_complements PRIMARY KEY (category_id, complement_id), 
	CONSTRAINT ck_category_complements_strength_range CHECK (strength > 0 AND strength <= 1), 
	CONSTRAINT ck_category_complements_not_self CHECK (category_id <> complement_id), 
	CONSTRAINT fk_category_complements_category_id_categories FOREIGN KEY(category_id) REFERENCES categories (id) ON DELETE CASCADE, 
	CONSTRAINT fk_category_complements_complement_id_categories FOREIGN KEY(complement_id) REFERENCES categories (id) ON DELETE CASCADE
);

CREATE TABLE products (
	id SERIAL NOT NULL, 
	sku VARCHAR(64) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	category_id INTEGER NOT NULL, 
	product_type VARCHAR(120), 
	brand VARCHAR(80), 
	price NUMERIC(12, 2) NOT NULL, 
	unit_cost NUMERIC(12, 2) NOT NULL, 
	season VARCHAR(8) NOT NULL, 
	is_consumable BOOLEAN NOT NULL, 
	full_price_only BOOLEAN NOT NULL, 
	launched_at TIMESTAMP WITHOUT TIME ZONE, 
	CONSTRAINT pk_products PRIMARY KEY (id), 
	CONSTRAINT ck_products_season_valid CHECK (season IN ('all', 'spring', 'summer', 'autumn', 'winter')), 
	CONSTRAINT ck_products_price_positive CHECK (price > 0), 
	CONSTRAINT ck_products_cost_nonnegative CHECK (unit_cost >= 0), 
	CONSTRAINT uq_products_sku UNIQUE (sku), 
	CONSTRAINT fk_products_category_id_categories FOREIGN KEY(category_id) REFERENCES categories (id)
);

CREATE INDEX ix_products_category_id ON products (category_id);

CREATE TABLE channel_consents (
	customer_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	granted BOOLEAN NOT NULL, 
	opted_out_at TIMESTAMP WITHOUT TIME ZONE, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_channel_consents PRIMARY KEY (customer_id, channel), 
	CONSTRAINT ck_channel_consents_channel_valid CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'in_store')), 
	CONSTRAINT fk_channel_consents_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE INDEX ix_channel_consents_updated_at ON channel_consents (updated_at);

CREATE TABLE loyalty_accounts (
	customer_id INTEGER NOT NULL, 
	tier VARCHAR(16) NOT NULL, 
	points_balance INTEGER NOT NULL, 
	lifetime_points INTEGER NOT NULL, 
	enrolled_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_loyalty_accounts PRIMARY KEY (customer_id), 
	CONSTRAINT ck_loyalty_accounts_tier_valid CHECK (tier IN ('bronze', 'silver', 'gold', 'platinum')), 
	CONSTRAINT ck_loyalty_accounts_points_nonnegative CHECK (points_balance >= 0), 
	CONSTRAINT ck_loyalty_accounts_lifetime_covers_balance CHECK (lifetime_points >= points_balance), 
	CONSTRAINT fk_loyalty_accounts_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE TABLE proposals (
	id VARCHAR(36) NOT NULL, 
	trace_id VARCHAR(36) NOT NULL, 
	customer_id INTEGER NOT NULL, 
	use_case VARCHAR(24) NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	content JSON NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	estimated_cost NUMERIC(12, 2) NOT NULL, 
	expected_value NUMERIC(12, 2), 
	status VARCHAR(12) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_proposals PRIMARY KEY (id), 
	CONSTRAINT ck_proposals_use_case_valid CHECK (use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')), 
	CONSTRAINT ck_proposals_channel_valid CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'in_store')), 
	CONSTRAINT ck_proposals_status_valid CHECK (status IN ('proposed', 'approved', 'rejected', 'in_review', 'sent', 'expired')), 
	CONSTRAINT ck_proposals_cost_nonnegative CHECK (estimated_cost >= 0), 
	CONSTRAINT fk_proposals_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE INDEX ix_proposals_trace_id ON proposals (trace_id);

CREATE INDEX ix_proposals_customer_created ON proposals (customer_id, created_at);

CREATE TABLE experiment_assignments (
	customer_id INTEGER NOT NULL, 
	use_case VARCHAR(24) NOT NULL, 
	arm VARCHAR(10) NOT NULL, 
	assigned_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_experiment_assignments PRIMARY KEY (customer_id, use_case), 
	CONSTRAINT ck_experiment_assignments_use_case_valid CHECK (use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')), 
	CONSTRAINT ck_experiment_assignments_arm_valid CHECK (arm IN ('treatment', 'control')), 
	CONSTRAINT fk_experiment_assignments_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE TABLE competitor_signals (
	id SERIAL NOT NULL, 
	competitor VARCHAR(80) NOT NULL, 
	category_id INTEGER NOT NULL, 
	discount_pct FLOAT NOT NULL, 
	starts_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	ends_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	description TEXT, 
	CONSTRAINT pk_competitor_signals PRIMARY KEY (id), 
	CONSTRAINT ck_competitor_signals_discount_range CHECK (discount_pct >= 0 AND discount_pct <= 100), 
	CONSTRAINT ck_competitor_signals_window_ordered CHECK (ends_at > starts_at), 
	CONSTRAINT fk_competitor_signals_category_id_categories FOREIGN KEY(category_id) REFERENCES categories (id)
);

CREATE INDEX ix_competitor_signals_category_id ON competitor_signals (category_id);

CREATE TABLE trigger_queue (
	id SERIAL NOT NULL, 
	idempotency_key VARCHAR(160) NOT NULL, 
	rule VARCHAR(40) NOT NULL, 
	kind VARCHAR(24) NOT NULL, 
	customer_id INTEGER NOT NULL, 
	use_case VARCHAR(24) NOT NULL, 
	arm VARCHAR(10) NOT NULL, 
	payload JSON NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	lease_owner VARCHAR(80), 
	lease_expires_at TIMESTAMP WITHOUT TIME ZONE, 
	attempts INTEGER NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	due_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	finished_at TIMESTAMP WITHOUT TIME ZONE, 
	last_error TEXT, 
	CONSTRAINT pk_trigger_queue PRIMARY KEY (id), 
	CONSTRAINT ck_trigger_queue_kind_valid CHECK (kind IN ('cart_abandoned', 'purchase', 'rhythm_lapse', 'replenishment', 'competitor_promotion', 'browse_intent')), 
	CONSTRAINT ck_trigger_queue_use_case_valid CHECK (use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')), 
	CONSTRAINT ck_trigger_queue_arm_valid CHECK (arm IN ('treatment', 'control')), 
	CONSTRAINT ck_trigger_queue_status_valid CHECK (status IN ('pending', 'claimed', 'done', 'failed', 'skipped')), 
	CONSTRAINT ck_trigger_queue_attempts_nonnegative CHECK (attempts >= 0), 
	CONSTRAINT ck_trigger_queue_claim_has_lease CHECK (status <> 'claimed' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)), 
	CONSTRAINT uq_trigger_queue_idempotency_key UNIQUE (idempotency_key), 
	CONSTRAINT fk_trigger_queue_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE INDEX ix_trigger_queue_status_due ON trigger_queue (status, due_at);

CREATE INDEX ix_trigger_queue_customer_status ON trigger_queue (customer_id, status);

CREATE TABLE member_leases (
	customer_id INTEGER NOT NULL, 
	owner VARCHAR(80) NOT NULL, 
	expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_member_leases PRIMARY KEY (customer_id), 
	CONSTRAINT fk_member_leases_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE INDEX ix_member_leases_expires_at ON member_leases (expires_at);

CREATE TABLE inventory (
	product_id INTEGER NOT NULL, 
	on_hand INTEGER NOT NULL, 
	weekly_demand FLOAT NOT NULL, 
	clearance BOOLEAN NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_inventory PRIMARY KEY (product_id), 
	CONSTRAINT ck_inventory_on_hand_nonnegative CHECK (on_hand >= 0), 
	CONSTRAINT ck_inventory_demand_nonnegative CHECK (weekly_demand >= 0), 
	CONSTRAINT fk_inventory_product_id_products FOREIGN KEY(product_id) REFERENCES products (id) ON DELETE CASCADE
);

CREATE TABLE guard_verdicts (
	id SERIAL NOT NULL, 
	proposal_id VARCHAR(36) NOT NULL, 
	verdict VARCHAR(8) NOT NULL, 
	reasons JSON NOT NULL, 
	policy_version VARCHAR(40) NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	approval_id VARCHAR(64), 
	approval_expires_at TIMESTAMP WITHOUT TIME ZONE, 
	approval_used_at TIMESTAMP WITHOUT TIME ZONE, 
	guard_model VARCHAR(60) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_guard_verdicts PRIMARY KEY (id), 
	CONSTRAINT ck_guard_verdicts_verdict_valid CHECK (verdict IN ('approve', 'reject', 'revise')), 
	CONSTRAINT ck_guard_verdicts_no_approval_on_reject CHECK (approval_id IS NULL OR verdict <> 'reject'), 
	CONSTRAINT ck_guard_verdicts_approval_expires CHECK ((approval_id IS NULL) = (approval_expires_at IS NULL)), 
	CONSTRAINT fk_guard_verdicts_proposal_id_proposals FOREIGN KEY(proposal_id) REFERENCES proposals (id) ON DELETE CASCADE, 
	CONSTRAINT uq_guard_verdicts_approval_id UNIQUE (approval_id)
);

CREATE INDEX ix_guard_verdicts_proposal_id ON guard_verdicts (proposal_id);

CREATE TABLE review_queue (
	id SERIAL NOT NULL, 
	proposal_id VARCHAR(36) NOT NULL, 
	reason TEXT NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	decided_by VARCHAR(80), 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	decided_at TIMESTAMP WITHOUT TIME ZONE, 
	CONSTRAINT pk_review_queue PRIMARY KEY (id), 
	CONSTRAINT ck_review_queue_status_valid CHECK (status IN ('pending', 'approved', 'rejected')), 
	CONSTRAINT uq_review_queue_proposal_id UNIQUE (proposal_id), 
	CONSTRAINT fk_review_queue_proposal_id_proposals FOREIGN KEY(proposal_id) REFERENCES proposals (id) ON DELETE CASCADE
);

CREATE TABLE events (
	id SERIAL NOT NULL, 
	idempotency_key VARCHAR(80) NOT NULL, 
	customer_id INTEGER NOT NULL, 
	type VARCHAR(16) NOT NULL, 
	occurred_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	product_id INTEGER, 
	category_id INTEGER, 
	channel VARCHAR(16), 
	session_id VARCHAR(64), 
	value NUMERIC(12, 2), 
	payload JSON, 
	CONSTRAINT pk_events PRIMARY KEY (id), 
	CONSTRAINT ck_events_type_valid CHECK (type IN ('view', 'search', 'cart_add', 'cart_remove', 'checkout_start', 'purchase', 'app_open', 'store_visit', 'message_open', 'message_click', 'unsubscribe', 'complaint')), 
	CONSTRAINT uq_events_idempotency_key UNIQUE (idempotency_key), 
	CONSTRAINT fk_events_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_events_product_id_products FOREIGN KEY(product_id) REFERENCES products (id), 
	CONSTRAINT fk_events_category_id_categories FOREIGN KEY(category_id) REFERENCES categories (id)
);

CREATE INDEX ix_events_customer_occurred ON events (customer_id, occurred_at);

CREATE INDEX ix_events_occurred_at ON events (occurred_at);

CREATE TABLE contacts (
	id SERIAL NOT NULL, 
	idempotency_key VARCHAR(80) NOT NULL, 
	customer_id INTEGER NOT NULL, 
	proposal_id VARCHAR(36), 
	channel VARCHAR(16) NOT NULL, 
	use_case VARCHAR(24), 
	campaign VARCHAR(80), 
	offer_code VARCHAR(40), 
	subject VARCHAR(200), 
	body TEXT, 
	status VARCHAR(12) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error TEXT, 
	scheduled_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	sent_at TIMESTAMP WITHOUT TIME ZONE, 
	CONSTRAINT pk_contacts PRIMARY KEY (id), 
	CONSTRAINT ck_contacts_channel_valid CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'in_store')), 
	CONSTRAINT ck_contacts_status_valid CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead_letter', 'cancelled')), 
	CONSTRAINT ck_contacts_use_case_valid CHECK (use_case IS NULL OR use_case IN ('reactivation', 'cart_abandonment', 'upsell', 'competitive_response')), 
	CONSTRAINT ck_contacts_attempts_nonnegative CHECK (attempts >= 0), 
	CONSTRAINT uq_contacts_idempotency_key UNIQUE (idempotency_key), 
	CONSTRAINT fk_contacts_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_contacts_proposal_id_proposals FOREIGN KEY(proposal_id) REFERENCES proposals (id)
);

CREATE INDEX ix_contacts_status_scheduled ON contacts (status, scheduled_at);

CREATE INDEX ix_contacts_proposal_id ON contacts (proposal_id);

CREATE INDEX ix_contacts_sent_at ON contacts (sent_at);

CREATE INDEX ix_contacts_customer_sent ON contacts (customer_id, sent_at);

CREATE TABLE orders (
	id SERIAL NOT NULL, 
	external_id VARCHAR(64) NOT NULL, 
	customer_id INTEGER NOT NULL, 
	placed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	channel VARCHAR(8) NOT NULL, 
	subtotal NUMERIC(12, 2) NOT NULL, 
	discount_total NUMERIC(12, 2) NOT NULL, 
	total NUMERIC(12, 2) NOT NULL, 
	coupon_code VARCHAR(40), 
	contact_id INTEGER, 
	CONSTRAINT pk_orders PRIMARY KEY (id), 
	CONSTRAINT ck_orders_channel_valid CHECK (channel IN ('online', 'store', 'app')), 
	CONSTRAINT ck_orders_discount_nonnegative CHECK (discount_total >= 0), 
	CONSTRAINT uq_orders_external_id UNIQUE (external_id), 
	CONSTRAINT fk_orders_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_orders_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE SET NULL
);

CREATE INDEX ix_orders_customer_placed ON orders (customer_id, placed_at);

CREATE INDEX ix_orders_placed_at ON orders (placed_at);

CREATE TABLE delivery_leases (
	contact_id INTEGER NOT NULL, 
	owner VARCHAR(80) NOT NULL, 
	expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_delivery_leases PRIMARY KEY (contact_id), 
	CONSTRAINT fk_delivery_leases_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE CASCADE
);

CREATE INDEX ix_delivery_leases_expires_at ON delivery_leases (expires_at);

CREATE TABLE delivery_attempts (
	id SERIAL NOT NULL, 
	contact_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	worker VARCHAR(80) NOT NULL, 
	result VARCHAR(10) NOT NULL, 
	detail TEXT, 
	attempted_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_delivery_attempts PRIMARY KEY (id), 
	CONSTRAINT ck_delivery_attempts_channel_valid CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'in_store')), 
	CONSTRAINT ck_delivery_attempts_result_valid CHECK (result IN ('sent', 'duplicate', 'transient', 'permanent')), 
	CONSTRAINT fk_delivery_attempts_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE CASCADE
);

CREATE INDEX ix_delivery_attempts_contact_id ON delivery_attempts (contact_id);

CREATE TABLE order_lines (
	id SERIAL NOT NULL, 
	order_id INTEGER NOT NULL, 
	product_id INTEGER NOT NULL, 
	quantity INTEGER NOT NULL, 
	unit_price NUMERIC(12, 2) NOT NULL, 
	unit_cost NUMERIC(12, 2) NOT NULL, 
	discount NUMERIC(12, 2) NOT NULL, 
	CONSTRAINT pk_order_lines PRIMARY KEY (id), 
	CONSTRAINT ck_order_lines_quantity_nonzero CHECK (quantity <> 0), 
	CONSTRAINT ck_order_lines_price_nonnegative CHECK (unit_price >= 0), 
	CONSTRAINT ck_order_lines_cost_nonnegative CHECK (unit_cost >= 0), 
	CONSTRAINT ck_order_lines_discount_nonnegative CHECK (discount >= 0), 
	CONSTRAINT fk_order_lines_order_id_orders FOREIGN KEY(order_id) REFERENCES orders (id) ON DELETE CASCADE, 
	CONSTRAINT fk_order_lines_product_id_products FOREIGN KEY(product_id) REFERENCES products (id)
);

CREATE INDEX ix_order_lines_product_id ON order_lines (product_id);

CREATE INDEX ix_order_lines_order_id ON order_lines (order_id);

CREATE TABLE outcomes (
	id SERIAL NOT NULL, 
	contact_id INTEGER NOT NULL, 
	customer_id INTEGER NOT NULL, 
	type VARCHAR(12) NOT NULL, 
	occurred_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	order_id INTEGER, 
	revenue NUMERIC(12, 2) NOT NULL, 
	margin NUMERIC(12, 2) NOT NULL, 
	CONSTRAINT pk_outcomes PRIMARY KEY (id), 
	CONSTRAINT ck_outcomes_type_valid CHECK (type IN ('open', 'click', 'redeem', 'order', 'unsubscribe', 'complaint')), 
	CONSTRAINT ck_outcomes_revenue_nonnegative CHECK (revenue >= 0), 
	CONSTRAINT fk_outcomes_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE CASCADE, 
	CONSTRAINT fk_outcomes_customer_id_customers FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_outcomes_order_id_orders FOREIGN KEY(order_id) REFERENCES orders (id) ON DELETE SET NULL
);

CREATE INDEX ix_outcomes_occurred_at ON outcomes (occurred_at);

CREATE UNIQUE INDEX uq_outcomes_contact_type ON outcomes (contact_id, type);

CREATE INDEX ix_outcomes_customer_occurred ON outcomes (customer_id, occurred_at);
