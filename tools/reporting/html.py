"""The report as one self-contained HTML page (template `templates/report.html.j2`): inline CSS,
inline SVG charts, no scripts, so it opens offline and can be mailed as a file. Everything shown is
escaped by the template."""

import os
import tempfile
from pathlib import Path

from tools.reporting.charts import Bar, bar_chart
from tools.reporting.kpis import KpiRow
from tools.reporting.pages import render_page, svg
from tools.reporting.period_report import PeriodReport
from tools.reporting.stats import Difference

KPI_COLUMNS: tuple[tuple[str, str], ...] = (
    ("contacts", "messages"),
    ("offers", "offers"),
    ("redemption_rate", "redemption rate"),
    ("conversion_rate", "conversion"),
    ("unsubscribe_rate", "unsubscribe rate"),
    ("orders", "orders"),
    ("revenue", "revenue"),
    ("aov", "AOV"),
    ("items_per_order", "items / order"),
    ("category_penetration", "categories / buyer"),
    ("margin_per_order", "margin / order"),
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


def render(report: PeriodReport) -> str:
    charts = {
        "margin": bar_chart(
            [
                Bar(
                    u.use_case,
                    u.margin.difference,
                    u.margin.low,
                    u.margin.high,
                    note="(inconclusive)" if u.margin.note else "",
                )
                for u in report.lift
            ],
            unit="$",
            title="incremental margin per member",
        ),
        "offers": bar_chart(
            [Bar(c, n, colour="#1565c0") for c, n in report.offers_per_channel.items()],
            title="offers per channel",
        ),
        "rejections": bar_chart(
            [Bar(r, n, colour="#6a1b9a") for r, n in report.rejections_by_rule.items()],
            title="guard rejections by rule",
        ),
        "budgets": bar_chart(
            [
                bar
                for b in report.budgets
                for bar in (
                    Bar(f"{b.use_case} · budget", b.amount, colour="#90a4ae"),
                    Bar(f"{b.use_case} · committed", b.committed, colour="#ef6c00"),
                    Bar(f"{b.use_case} · discount on orders", b.discount, colour="#c62828"),
                )
            ],
            unit="$",
            title="discount spend vs budget",
        ),
    }
    return render_page(
        "tools.reporting",
        "report.html.j2",
        report=report,
        kpi_columns=KPI_COLUMNS,
        kpi_cell=kpi_cell,
        interval=interval,
        charts={k: svg(v) for k, v in charts.items()},
    )


def write_html(report: PeriodReport, path: Path) -> Path:
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
