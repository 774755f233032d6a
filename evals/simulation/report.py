"""The KPI table of a simulation as a self-contained HTML page (template `templates/simulation.html.j2`;
no scripts, inline CSS, the report's SVG bar charts)."""

from pathlib import Path

from evals.simulation.metrics import METRICS, PolicyMetrics
from tools.reporting.charts import Bar, bar_chart
from tools.reporting.pages import render_page, svg

LABELS = {
    "incremental_margin": "Incremental margin ($)", "incremental_revenue": "Incremental revenue ($)",
    "redemption_rate": "Redemption rate", "discount_spend": "Discount spend ($)",
    "contacts_per_member": "Contacts per member", "unsubscribe_rate": "Unsubscribe rate", "violations": "Rule violations",
}


def write_report(results: dict[str, PolicyMetrics], path: Path, title: str, notes: list[str]) -> Path:
    charts = {metric: svg(bar_chart([Bar(policy, r.metrics[metric].mean) for policy, r in results.items()],
                                    title=LABELS[metric]))
              for metric in ("incremental_margin", "discount_spend", "contacts_per_member")}
    page = render_page("evals.simulation", "simulation.html.j2", title=title, notes=notes, results=results,
                       metrics=METRICS, labels=LABELS, charts=charts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
