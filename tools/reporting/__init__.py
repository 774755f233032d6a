"""Feedback and measurement on the product's own database (DESIGN §7): KPIs per use case,
incremental revenue and margin against the holdout groups, operating activity (offers, guard
rejections, budgets), alert rules, and the HTML report that shows them."""
