"""The KPI table of a simulation as a self-contained HTML page (template `templates/simulation.html.j2`;
no scripts, inline CSS, the report's SVG bar charts)."""

from pathlib import Path

from evals.simulation.metrics import METRICS, PolicyMetrics
from tools.reporting import Bar, bar_chart, render_page, svg

LABELS = {
    "expected_incremental_margin": "Expected incremental margin ($)",
    "share_of_oracle": "Share of the oracle",
    "offer_redemption_rate": "Price-offer redemption rate",
    "expected_offer_redemption_rate": "Price-offer redemption rate, expected",
    "incremental_margin": "Realised incremental margin ($)",
    "incremental_revenue": "Incremental revenue ($)",
    "redemption_rate": "Redemption rate",
    "discount_spend": "Discount spend ($)",
    "contacts_per_member": "Contacts per member",
    "unsubscribe_rate": "Unsubscribe rate",
    "violations": "Rule violations",
    "sends_on_hour": "Sends within 1 h of the member's hour",
}


def write_report(results: dict[str, PolicyMetrics], path: Path, title: str, notes: list[str]) -> Path:
    shown = [m for m in METRICS if any(m in r.metrics for r in results.values())]
    charts = {
        metric: svg(
            bar_chart(
                [
                    Bar(policy, r.metrics[metric].mean, r.metrics[metric].low, r.metrics[metric].high)
                    for policy, r in results.items()
                    if metric in r.metrics
                ],
                title=LABELS[metric],
            )
        )
        for metric in shown
    }
    page = render_page(
        "evals.simulation",
        "simulation.html.j2",
        title=title,
        notes=notes,
        results=results,
        metrics=shown,
        labels=LABELS,
        charts=charts,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
