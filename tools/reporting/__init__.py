"""Feedback and measurement on the product's own database (DESIGN §7): KPIs per use case,
incremental revenue and margin against the holdout groups, operating activity (offers, guard
rejections, budgets), alert rules, and the HTML report that shows them."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.reporting.alerts import Alert, load_rules
    from tools.reporting.charts import Bar, bar_chart
    from tools.reporting.html import KPI_COLUMNS, interval, kpi_cell, write_html
    from tools.reporting.incrementality import UseCaseLift
    from tools.reporting.model_usage import UsageRow, paid_tokens_since, usage_since
    from tools.reporting.pages import render_page, svg
    from tools.reporting.period import DEFAULT_DAYS, Period
    from tools.reporting.period_report import PeriodReport, build_report, current_alerts

__all__ = [
    "Alert",
    "Bar",
    "DEFAULT_DAYS",
    "KPI_COLUMNS",
    "Period",
    "PeriodReport",
    "UsageRow",
    "UseCaseLift",
    "bar_chart",
    "build_report",
    "current_alerts",
    "interval",
    "kpi_cell",
    "load_rules",
    "paid_tokens_since",
    "render_page",
    "svg",
    "usage_since",
    "write_html",
]

__getattr__ = lazy_exports(__name__)
