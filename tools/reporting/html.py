"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts, so it
opens offline and can be mailed as a file. Everything shown is escaped."""

import os
import tempfile
from html import escape
from pathlib import Path

from tools.reporting.charts import Bar, bar_chart
from tools.reporting.incrementality import UseCaseLift
from tools.reporting.kpis import KpiRow
from tools.reporting.report import Report
from tools.reporting.stats import Difference

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d232a;max-width:1300px}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin:2rem 0 .5rem} .meta{color:#5b6670}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #d5dae0;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left} th{background:#f2f4f7} small{color:#5b6670}
.alert{background:#fbe3e1;border-left:4px solid #c62828;padding:.3rem .6rem;margin:.3rem 0}
"""

KPI_COLUMNS: tuple[tuple[str, str], ...] = (
    ("contacts", "messages"), ("offers", "offers"), ("redemption_rate", "redemption rate"),
    ("conversion_rate", "conversion"), ("unsubscribe_rate", "unsubscribe rate"), ("orders", "orders"),
    ("revenue", "revenue"), ("aov", "AOV"), ("items_per_order", "items / order"),
    ("category_penetration", "categories / buyer"), ("margin_per_order", "margin / order"),
    ("discount", "discount spend"),
)
PERCENT = {"redemption_rate", "conversion_rate", "unsubscribe_rate"}


def kpi_cell(row: KpiRow, field: str) -> str:
    value = getattr(row, field)
    if value is None:
        return "–"
    if field in PERCENT:
        return f"{value:.1%}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def interval(d: Difference) -> str:
    if d.low is None or d.high is None:
        return f"{d.difference:+,.2f} (no interval)"
    return f"{d.difference:+,.2f} [{d.low:+,.2f}, {d.high:+,.2f}]"


def render(report: Report) -> str:
    lifts = report.lift
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Loyalty report {report.since:%Y-%m-%d} – {report.until:%Y-%m-%d}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Loyalty report</h1><p class='meta'>{escape(report.period.label())}</p>",
        "<h2>Alerts</h2>",
        *(f"<div class='alert'><b>{escape(a.rule)}</b> · {escape(a.message)}</div>" for a in report.alerts),
        "" if report.alerts else "<p>No alert fired at the end of the period.</p>",
        "<h2>KPIs</h2><table><tr><th>use case</th>", *(f"<th>{escape(h)}</th>" for _, h in KPI_COLUMNS), "</tr>",
        *("<tr><td>" + escape(r.group) + "</td>" + "".join(f"<td>{kpi_cell(r, f)}</td>" for f, _ in KPI_COLUMNS)
          + "</tr>" for r in report.kpis),
        "</table><p class='meta'>Per use case: messages sent in the period and the orders attributed to them. "
        "<i>all orders</i>: every message, and every order placed in the period (organic ones included).</p>",
        "<h2>Against the holdout</h2>", _lift_table(lifts),
        "<h3>Incremental margin per contacted member vs. holdout (95% interval)</h3>",
        bar_chart([Bar(u.use_case, u.margin.difference, u.margin.low, u.margin.high,
                       note="(inconclusive)" if u.margin.note else "") for u in lifts], unit="$",
                  title="incremental margin per member"),
        "<h2>Activity</h2><h3>Offers sent per channel</h3>",
        bar_chart([Bar(c, n, colour="#1565c0") for c, n in report.offers_per_channel.items()], title="offers per channel"),
        "<h3>Guard rejections by rule</h3>",
        bar_chart([Bar(r, n, colour="#6a1b9a") for r, n in report.rejections_by_rule.items()],
                  title="guard rejections by rule"),
        "<h3>Discount spend vs. budget</h3>",
        bar_chart([bar for b in report.budgets for bar in (
            Bar(f"{b.use_case} · budget", b.amount, colour="#90a4ae"),
            Bar(f"{b.use_case} · committed", b.committed, colour="#ef6c00"),
            Bar(f"{b.use_case} · discount on orders", b.discount, colour="#c62828"))], unit="$",
                  title="discount spend vs budget"),
        "<p class='meta'>Budget: budgets overlapping the period. Committed: what the product booked against them "
        "when approving offers. Discount on orders: what orders attributed to the use case's messages were given "
        "off in the period.</p></body></html>",
    ]
    return "\n".join(parts)


def _lift_table(lifts: list[UseCaseLift]) -> str:
    if not lifts:
        return "<p>No member was triggered in this period, so there is nothing to compare.</p>"
    rows = "".join(
        f"<tr><td>{escape(u.use_case)}</td><td>{u.contacted:,}</td><td>{u.eligible_treatment:,}</td>"
        f"<td>{u.holdout:,}</td><td>{interval(u.revenue)}</td><td>{interval(u.margin)}</td>"
        f"<td>{u.incremental_margin:+,.2f}</td><td>{interval(u.eligible_margin)}</td>"
        f"<td>{escape(u.margin.note or u.eligible_margin.note or '')}</td></tr>"
        for u in lifts)
    return ("<table><tr><th>use case</th><th>contacted</th><th>eligible (treatment arm)</th><th>holdout</th>"
            "<th>revenue / member</th><th>margin / member</th><th>incremental margin (total)</th>"
            "<th>margin / member, all eligible</th><th>note</th></tr>" + rows + "</table>"
            "<p class='meta'>Members a trigger found eligible in the period; the holdout was never contacted. "
            "Outcomes: orders from a member's first trigger to the end of the period. Differences per member "
            "with Welch 95% intervals. <i>Contacted</i> members were chosen by the agents, so that comparison "
            "carries their selection; <i>all eligible</i> (intent to treat) does not, but is diluted by members "
            "the agents left alone.</p>")


def write_html(report: Report, path: Path) -> Path:
    """Write the page atomically: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render(report))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
