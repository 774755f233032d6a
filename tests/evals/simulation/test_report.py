"""The simulation's HTML page: every policy's figures, the report's bar charts, text escaped."""

import re
from pathlib import Path

from evals.intervals import Estimate
from evals.simulation.kpi_page import write_report
from evals.simulation.metrics import METRICS, PolicyMetrics


def _policy(name: str, margin: float) -> PolicyMetrics:
    metrics = {m: Estimate(mean=1.0, low=0.5, high=1.5, seeds=2) for m in METRICS}
    metrics["incremental_margin"] = Estimate(mean=margin, low=margin - 10, high=margin + 10, seeds=2)
    return PolicyMetrics(policy=name, metrics=metrics, decisions=10, contacts=5)


def test_the_page_shows_each_policy_and_charts_its_margin(tmp_path: Path) -> None:
    results = {"agents": _policy("agents", 120.0), "<b>blast</b>": _policy("<b>blast</b>", -40.0)}
    page = write_report(results, tmp_path / "sim.html", "Sim & co", ["two seeds"]).read_text()
    assert "<title>Sim &amp; co</title>" in page and "<li>two seeds</li>" in page
    assert "<b>blast</b>" not in page and "&lt;b&gt;blast&lt;/b&gt;" in page
    assert "120.000<br><small>[110.000, 130.000]</small>" in page
    values = re.findall(r'aria-label="Realised incremental margin \(\$\)".*?</svg>', page, re.S)[0]
    assert re.findall(r'data-value="([-\d.]+)"', values) == ["120.0000", "-40.0000"]
