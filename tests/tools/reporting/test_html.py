"""The whole report built on the hand-built world and written as HTML: the charts carry the data,
nothing is fetched from elsewhere, and text from the database is escaped."""

import re
from pathlib import Path

from tests.tools.reporting.world import PERIOD, build
from tools.reporting.alerts import load_rules
from tools.reporting.charts import Bar, bar_chart
from tools.reporting.html import write_html
from tools.reporting.period_report import build_report
from tools.storage.db import Database


def chart(page: str, label: str) -> dict[str, float]:
    """The bars of the chart titled `label`: {bar label: data-value}."""
    svg = re.search(rf'<svg[^>]*aria-label="{label}".*?</svg>', page, re.S)
    assert svg is not None, f"no chart {label}"
    return {m[0]: float(m[1]) for m in re.findall(r'data-label="([^"]+)" data-value="([^"]+)"', svg.group(0))}


async def test_report_page_holds_the_charts_data(db: Database, tmp_path: Path) -> None:
    await build(db)
    report = await build_report(db, PERIOD, load_rules())
    page = write_html(report, tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert chart(page, "incremental margin per member") == {"reactivation": 28.3333, "upsell": 70.0}
    assert chart(page, "offers per channel") == {"email": 2.0, "sms": 1.0}
    assert chart(page, "guard rejections by rule") == {"max_discount": 2.0, "contact_pressure": 1.0}
    assert chart(page, "discount spend vs budget") == {
        "reactivation · budget": 500.0,
        "reactivation · committed": 30.0,
        "reactivation · discount on orders": 10.0,
        "upsell · budget": 200.0,
        "upsell · committed": 20.0,
        "upsell · discount on orders": 20.0,
    }
    assert "[-50.51, +107.18]" in page  # the margin interval, in the table
    assert "too few members for an interval" in page and "No alert fired" in page
    # Offline: no scripts, no external resources.
    assert "<script" not in page and not re.search(r'(src|href)="https?://', page)
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / "report.html"]  # no temp file left


def test_labels_are_escaped_and_whiskers_drawn() -> None:
    svg = bar_chart([Bar("<b>x</b>", -5.0, -9.0, -1.0)], title="t")
    assert "<b>x</b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert svg.count("<line") == 4  # the zero axis and the whisker's three strokes
    assert bar_chart([], title="t") == "<p class='meta'>nothing in this period</p>"
